package dev.entrepot.proxy.store.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.BlobStoreContractTest;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FsBlobStoreTest extends BlobStoreContractTest {
    private final MutableClock clock = new MutableClock(1_000);
    private final Map<Digest, Long> evicted = new ConcurrentHashMap<>();

    @Override
    protected BlobStore newStore(Path root) throws IOException {
        return new FsBlobStore(root, clock, evicted::put);
    }

    private FsBlobStore fs() {
        return (FsBlobStore) store;
    }

    private Digest putAt(long millis, byte[] content) throws IOException {
        clock.set(millis);
        Digest digest = sha256(content);
        store.put(digest, content);
        return digest;
    }

    private void touch(long millis, Digest digest) {
        clock.set(millis);
        store.open(digest).orElseThrow().close();
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    // ---- layout and crash safety ----

    @Test
    void blobsLiveAtAlgorithmPrefixHex() throws IOException {
        byte[] content = content(100, 20);
        Digest digest = sha256(content);

        Path committed = write(digest, content, 100);

        Path expected = root.resolve("blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
        assertThat(committed).isEqualTo(expected).isEqualTo(fs().pathOf(digest));
        try (BlobLease lease = store.open(digest).orElseThrow()) {
            assertThat(lease.path()).isEqualTo(expected);
        }
    }

    @Test
    void writersWriteUnderTmp() throws IOException {
        Digest digest = sha256(content(10, 21));

        try (BlobWriter writer = store.newWriter(digest)) {
            assertThat(writer.path().getParent()).isEqualTo(root.resolve("tmp"));
            assertThat(writer.path().getFileName().toString()).startsWith(digest.hex() + ".");
        }
    }

    @Test
    void tempFilesLeftByACrashAreRemovedAtStart() throws IOException {
        byte[] content = content(5_000, 22);
        Digest digest = sha256(content);
        BlobWriter abandoned = store.newWriter(digest); // never committed nor closed: the process "died"
        abandoned.write(ByteBuffer.wrap(content, 0, 2_500));
        Path stray = Files.writeString(root.resolve("tmp/meta.leftover"), "x");
        assertThat(abandoned.path()).exists();

        FsBlobStore reopened = new FsBlobStore(root, clock, evicted::put);

        assertThat(abandoned.path()).doesNotExist();
        assertThat(stray).doesNotExist();
        try (Stream<Path> tmp = Files.list(root.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
        assertThat(reopened.open(digest)).isEmpty();
        assertThat(reopened.totalBytes()).isZero();
    }

    @Test
    void indexIsRebuiltFromDiskOnReopen() throws IOException {
        byte[] a = content(1_000, 23);
        byte[] b = content(2_000, 24);
        store.put(sha256(a), a);
        store.put(sha256(b), b);

        FsBlobStore reopened = new FsBlobStore(root, clock, evicted::put);

        assertThat(reopened.totalBytes()).isEqualTo(3_000);
        assertThat(reopened.index().count()).isEqualTo(2);
        assertThat(reopened.read(sha256(a), 10_000)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(a));
        try (BlobLease lease = reopened.open(sha256(b)).orElseThrow()) {
            assertThat(lease.size()).isEqualTo(2_000);
        }
    }

    @Test
    void strayFilesInTheBlobTreeAreIgnoredOnReopen() throws IOException {
        byte[] a = content(1_000, 25);
        store.put(sha256(a), a);
        Files.createDirectories(root.resolve("blobs/sha256/zz"));
        Files.writeString(root.resolve("blobs/sha256/zz/not-a-digest"), "junk");
        Files.createDirectories(root.resolve("blobs/md5/90"));
        Files.writeString(root.resolve("blobs/md5/90/900150983cd24fb0d6963f7d28e17f72"), "junk");
        Files.writeString(root.resolve("blobs/README"), "junk");

        FsBlobStore reopened = new FsBlobStore(root, clock, evicted::put);

        assertThat(reopened.index().count()).isEqualTo(1);
        assertThat(reopened.totalBytes()).isEqualTo(1_000);
    }

    @Test
    void reopenedIndexUsesModificationTimesAsLastAccess() throws IOException {
        byte[] older = content(1_000, 26);
        byte[] newer = content(1_000, 27);
        store.put(sha256(older), older);
        store.put(sha256(newer), newer);
        Files.setLastModifiedTime(fs().pathOf(sha256(older)), FileTime.fromMillis(10_000));
        Files.setLastModifiedTime(fs().pathOf(sha256(newer)), FileTime.fromMillis(20_000));

        FsBlobStore reopened = new FsBlobStore(root, clock, evicted::put);
        reopened.evictToSize(1_000);

        assertThat(reopened.open(sha256(older))).isEmpty();
        assertThat(reopened.open(sha256(newer))).isPresent();
    }

    @Test
    void aBlobDeletedBehindTheStoresBackIsForgotten() throws IOException {
        byte[] content = content(1_000, 28);
        Digest digest = sha256(content);
        store.put(digest, content);

        Files.delete(fs().pathOf(digest));

        assertThat(store.open(digest)).isEmpty();
        assertThat(store.totalBytes()).isZero();
        assertThat(fs().index().contains(digest)).isFalse();
        store.put(digest, content);
        assertThat(store.read(digest, 1_000)).isPresent();
    }

    @Test
    void readRefusesContentLargerThanAllowedAndReleasesThePin() throws IOException {
        byte[] content = content(2_000, 29);
        Digest digest = sha256(content);
        store.put(digest, content);

        assertThatThrownBy(() -> store.read(digest, 1_999))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(digest.toString());

        assertThat(fs().index().pins(digest)).isZero();
        assertThat(store.read(digest, 2_000)).isPresent();
    }

    @Test
    void leasesPinUntilClosed() throws IOException {
        Digest digest = putAt(1_000, content(10, 30));

        BlobLease first = store.open(digest).orElseThrow();
        BlobLease second = store.open(digest).orElseThrow();
        assertThat(fs().index().pins(digest)).isEqualTo(2);
        first.close();
        first.close();
        assertThat(fs().index().pins(digest)).isEqualTo(1);
        second.close();
        assertThat(fs().index().pins(digest)).isZero();
    }

    // ---- eviction ----

    @Test
    void evictToSizeRemovesLeastRecentlyUsedFirst() throws IOException {
        Digest a = putAt(1_000, content(1_000, 31));
        Digest b = putAt(2_000, content(1_000, 32));
        Digest c = putAt(3_000, content(1_000, 33));
        touch(4_000, a); // a is now the most recently used

        fs().evictToSize(2_000);

        assertThat(evicted).containsOnlyKeys(b);
        assertThat(store.open(b)).isEmpty();
        assertThat(fs().pathOf(b)).doesNotExist();
        assertThat(store.totalBytes()).isEqualTo(2_000);

        fs().evictToSize(1_000);

        assertThat(evicted).containsOnlyKeys(b, c);
        assertThat(store.open(a)).isPresent();
        assertThat(store.totalBytes()).isEqualTo(1_000);
    }

    @Test
    void evictToSizeDoesNothingUnderTheLimit() throws IOException {
        Digest a = putAt(1_000, content(1_000, 34));
        Digest b = putAt(2_000, content(1_000, 35));

        fs().evictToSize(2_000);
        fs().evictToSize(Long.MAX_VALUE);

        assertThat(evicted).isEmpty();
        assertThat(store.open(a)).isPresent();
        assertThat(store.open(b)).isPresent();
    }

    @Test
    void evictionRemovesOnlyWhatIsNeeded() throws IOException {
        Digest small = putAt(1_000, content(100, 36));
        Digest big = putAt(2_000, content(5_000, 37));
        Digest last = putAt(3_000, content(100, 38));

        fs().evictToSize(5_100);

        assertThat(evicted).containsOnlyKeys(small);
        assertThat(store.totalBytes()).isEqualTo(5_100);
        assertThat(store.open(big)).isPresent();
        assertThat(store.open(last)).isPresent();
    }

    @Test
    void evictionNeverRemovesALeasedBlob() throws IOException {
        byte[] oldest = content(1_000, 39);
        Digest a = putAt(1_000, oldest);
        Digest b = putAt(2_000, content(1_000, 40));
        clock.set(500);
        BlobLease lease = store.open(a).orElseThrow(); // pinned, and still the least recently used

        fs().evictToSize(0);

        assertThat(evicted).containsOnlyKeys(b);
        assertThat(Files.readAllBytes(lease.path())).isEqualTo(oldest);
        assertThat(store.totalBytes()).isEqualTo(1_000);

        lease.close();
        fs().evictToSize(0);

        assertThat(evicted).containsOnlyKeys(a, b);
        assertThat(store.totalBytes()).isZero();
        assertThat(filesUnder(root.resolve("blobs"))).isEmpty();
    }

    @Test
    void evictionNeverRemovesABlobBeingWritten() throws IOException {
        Digest stored = putAt(1_000, content(1_000, 41));
        byte[] content = content(3_000, 42);
        Digest digest = sha256(content);

        try (BlobWriter writer = store.newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content, 0, 1_500));

            fs().evictToSize(0);

            assertThat(evicted).containsOnlyKeys(stored);
            assertThat(writer.path()).exists();
            assertThat(Files.size(writer.path())).isEqualTo(1_500);
            writer.write(ByteBuffer.wrap(content, 1_500, 1_500));
            writer.commit();
        }

        assertThat(readLease(digest)).isEqualTo(content);
    }

    @Test
    void aLeaseSurvivesTheSameBlobBeingStoredAgain() throws IOException {
        byte[] content = content(1_000, 43);
        Digest digest = putAt(1_000, content);
        BlobLease lease = store.open(digest).orElseThrow();

        store.put(digest, content); // e.g. a second download of the same digest finishing while a client reads
        fs().evictToSize(0);

        assertThat(evicted).isEmpty();
        assertThat(lease.path()).exists();
        assertThat(Files.readAllBytes(lease.path())).isEqualTo(content);
        assertThat(store.totalBytes()).isEqualTo(1_000);

        lease.close();
        fs().evictToSize(0);

        assertThat(evicted).containsOnlyKeys(digest);
        assertThat(store.totalBytes()).isZero();
    }

    @Test
    void evictUnusedSinceRemovesBlobsNotReadSinceThen() throws IOException {
        Digest a = putAt(1_000, content(1_000, 44));
        Digest b = putAt(2_000, content(1_000, 45));
        Digest c = putAt(3_000, content(1_000, 46));
        Digest d = putAt(4_000, content(1_000, 47));
        touch(5_000, a);

        fs().evictUnusedSince(4_000);

        assertThat(evicted).containsOnlyKeys(b, c);
        assertThat(store.open(a)).isPresent();
        assertThat(store.open(d)).isPresent();
        assertThat(store.totalBytes()).isEqualTo(2_000);
    }

    @Test
    void evictUnusedSinceSparesLeasedBlobs() throws IOException {
        Digest a = putAt(1_000, content(1_000, 48));
        Digest b = putAt(2_000, content(1_000, 49));
        clock.set(1_500);
        try (BlobLease lease = store.open(a).orElseThrow()) {
            fs().evictUnusedSince(10_000);

            assertThat(evicted).containsOnlyKeys(b);
            assertThat(lease.path()).exists();
        }
    }

    @Test
    void theListenerHearsEveryEvictionWithItsSize() throws IOException {
        Digest a = putAt(1_000, content(1_234, 50));
        Digest b = putAt(2_000, content(4_321, 51));

        fs().evictToSize(0);

        assertThat(evicted).containsExactlyInAnyOrderEntriesOf(Map.of(a, 1_234L, b, 4_321L));
    }

    @Test
    void anEvictedBlobCanBeStoredAgain() throws IOException {
        byte[] content = content(1_000, 52);
        Digest digest = putAt(1_000, content);
        fs().evictToSize(0);
        assertThat(store.open(digest)).isEmpty();

        write(digest, content, 300);

        assertThat(readLease(digest)).isEqualTo(content);
        assertThat(store.totalBytes()).isEqualTo(1_000);
    }
}
