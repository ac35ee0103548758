package dev.entrepot.proxy.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How blobs enter a store other than by writing them: adopted upload files, links from another store, removal. */
class FsBlobStoreAdoptionTest {
    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(1_000);
    private FsBlobStore cache;
    private FsBlobStore hosted;

    @BeforeEach
    void setUp() throws Exception {
        cache = new FsBlobStore(root, clock, (d, s) -> { });
        hosted = new FsBlobStore(root.resolve("hosted"), clock, (d, s) -> { });
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void adoptMovesTheFileInAndCountsIt() throws Exception {
        byte[] bytes = content(5000, 1);
        Path upload = Files.write(root.resolve("upload"), bytes);
        Digest digest = Digest.sha256(bytes);

        hosted.adopt(upload, digest);

        assertThat(upload).doesNotExist();
        assertThat(hosted.totalBytes()).isEqualTo(5000);
        try (BlobLease lease = hosted.open(digest).orElseThrow()) {
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(bytes);
        }
    }

    @Test
    void adoptingWhatIsStoredDropsTheNewCopy() throws Exception {
        byte[] bytes = content(100, 2);
        Digest digest = Digest.sha256(bytes);
        hosted.put(digest, bytes);
        Path again = Files.write(root.resolve("again"), bytes);

        hosted.adopt(again, digest);

        assertThat(again).doesNotExist();
        assertThat(hosted.totalBytes()).isEqualTo(100);
    }

    @Test
    void linkFromSharesTheBytesAndOutlivesTheSource() throws Exception {
        byte[] bytes = content(70_000, 3);
        Digest digest = Digest.sha256(bytes);
        cache.put(digest, bytes);

        try (BlobLease source = cache.open(digest).orElseThrow()) {
            hosted.linkFrom(source, digest);
        }
        cache.evictToSize(0);

        assertThat(cache.open(digest)).as("evicted from the cache").isEmpty();
        try (BlobLease kept = hosted.open(digest).orElseThrow()) {
            assertThat(Files.readAllBytes(kept.path())).isEqualTo(bytes);
        }
        try (Stream<Path> tmp = Files.list(root.resolve("hosted/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void removeLeavesABlobBeingReadAlone() throws Exception {
        byte[] bytes = content(10, 4);
        Digest digest = Digest.sha256(bytes);
        hosted.put(digest, bytes);

        BlobLease reading = hosted.open(digest).orElseThrow();
        assertThat(hosted.remove(digest)).as("pinned by a reader").isFalse();
        reading.close();
        assertThat(hosted.remove(digest)).isTrue();

        assertThat(hosted.open(digest)).isEmpty();
        assertThat(hosted.totalBytes()).isZero();
        assertThat(hosted.remove(digest)).as("already gone").isFalse();
    }

    @Test
    void theIndexListsWhatIsStored() throws Exception {
        byte[] a = content(10, 5);
        byte[] b = content(20, 6);
        hosted.put(Digest.sha256(a), a);
        clock.set(2_000);
        hosted.put(Digest.sha256(b), b);

        assertThat(hosted.index().snapshot()).containsExactlyInAnyOrder(
                new LruIndex.Stat(Digest.sha256(a), 10, 1_000), new LruIndex.Stat(Digest.sha256(b), 20, 2_000));
    }

    @Test
    void accessTimesPersistedSurviveAReopenAndPeekingIsNoUse() throws Exception {
        byte[] bytes = content(10, 7);
        Digest digest = Digest.sha256(bytes);
        clock.set(1_000_000);
        cache.put(digest, bytes);
        clock.set(5_000_000);
        cache.peek(digest, 100);
        assertThat(cache.lastUsed(digest).toEpochMilli()).as("a peek is not a use").isEqualTo(1_000_000);
        cache.read(digest, 100);

        cache.persistAccessTimes(Duration.ZERO);
        FsBlobStore reopened = new FsBlobStore(root, clock, (d, s) -> { });

        assertThat(reopened.lastUsed(digest).toEpochMilli()).isEqualTo(5_000_000);
    }
}
