package dev.entrepot.proxy.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store reopened with its index built in the background (the proxy's start): until the scan is done, every stored
 * blob is still found, a removal is not undone by the scan, and eviction and listing wait for the whole index.
 */
class FsBlobStoreIndexingTest {
    private final MutableClock clock = new MutableClock(1_000);
    /** The executor the reopened store hands its scan to: it runs only when the test says. */
    private Runnable scan;
    private final Executor held = task -> scan = task;

    @TempDir
    Path root;

    private byte[] a;
    private byte[] b;

    @BeforeEach
    void storeTwoBlobs() throws IOException {
        FsBlobStore before = new FsBlobStore(root, clock, (d, s) -> { });
        a = content(1_000, 1);
        b = content(2_000, 2);
        before.put(Digest.sha256(a), a);
        before.put(Digest.sha256(b), b);
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private FsBlobStore reopen() throws IOException {
        FsBlobStore reopened = new FsBlobStore(root, clock, (d, s) -> { }, held);
        assertThat(scan).as("the scan was handed to the executor").isNotNull();
        assertThat(reopened.index().count()).as("nothing indexed before the scan runs").isZero();
        return reopened;
    }

    @Test
    void storedBlobsAreFoundBeforeTheScanRan() throws IOException {
        FsBlobStore store = reopen();

        try (BlobLease lease = store.open(Digest.sha256(a)).orElseThrow()) {
            assertThat(lease.size()).isEqualTo(1_000);
        }
        assertThat(store.read(Digest.sha256(a), 10_000)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(a));
        assertThat(store.peek(Digest.sha256(b), 10_000)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(b));
        assertThat(store.open(Digest.sha256(content(10, 3)))).isEmpty();

        scan.run();

        assertThat(store.whenIndexed().toCompletableFuture()).isDone();
        assertThat(store.index().count()).isEqualTo(2);
        assertThat(store.totalBytes()).as("a blob found early is counted once").isEqualTo(3_000);
    }

    @Test
    void sizeAndLastUseAreKnownBeforeTheScanRan() throws IOException {
        Files.setLastModifiedTime(new FsBlobStore(root, clock, (d, s) -> { }).pathOf(Digest.sha256(b)),
                FileTime.fromMillis(50_000));
        FsBlobStore store = reopen();

        assertThat(store.storedSize(Digest.sha256(b))).contains(2_000L);
        assertThat(store.lastUsed(Digest.sha256(b))).hasToString("1970-01-01T00:00:50Z");
    }

    @Test
    void aBlobRemovedWhileTheScanRunsStaysRemoved() throws IOException {
        FsBlobStore store = reopen();

        assertThat(store.remove(Digest.sha256(a))).isTrue();
        // what the scan does for a file it saw before the removal deleted it
        store.scan().scanned(Digest.sha256(a), 1_000, 1_000);
        scan.run();

        assertThat(store.totalBytes()).isEqualTo(2_000);
        assertThat(store.index().contains(Digest.sha256(a))).isFalse();
        assertThat(store.open(Digest.sha256(a))).isEmpty();
    }

    @Test
    void aBlobStoredAgainAfterItsRemovalIsKept() throws IOException {
        FsBlobStore store = reopen();

        store.remove(Digest.sha256(a));
        store.put(Digest.sha256(a), a);
        scan.run();

        assertThat(store.open(Digest.sha256(a))).isPresent();
        assertThat(store.totalBytes()).isEqualTo(3_000);
    }

    @Test
    void evictionWaitsForTheWholeIndex() throws IOException {
        FsBlobStore store = reopen();
        store.open(Digest.sha256(b)).orElseThrow().close(); // b is now known, a is not: an LRU of one would pick b

        store.evictToSize(0);
        store.evictUnusedSince(Long.MAX_VALUE);

        assertThat(Files.isRegularFile(store.pathOf(Digest.sha256(a)))).isTrue();
        assertThat(Files.isRegularFile(store.pathOf(Digest.sha256(b)))).isTrue();

        scan.run();
        store.evictToSize(2_000);

        assertThat(store.open(Digest.sha256(a))).as("least recently used once all is known").isEmpty();
        assertThat(store.open(Digest.sha256(b))).isPresent();
    }

    @Test
    void listingWaitsForTheScan() throws Exception {
        FsBlobStore store = reopen();
        store.open(Digest.sha256(a)).orElseThrow().close();

        CompletableFuture<List<Digest>> listing = CompletableFuture.supplyAsync(() -> {
            try {
                return store.list().stream().map(stat -> stat.digest()).toList();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(listing).as("no listing of half an index").isNotDone();

        scan.run();

        assertThat(listing.get(10, TimeUnit.SECONDS)).containsExactlyInAnyOrder(Digest.sha256(a), Digest.sha256(b));
    }
}
