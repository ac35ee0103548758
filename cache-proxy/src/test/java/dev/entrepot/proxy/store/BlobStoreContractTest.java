package dev.entrepot.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BlobStore} must do. Implementations extend this class and say how to build a store on an empty
 * directory.
 */
public abstract class BlobStoreContractTest {

    @TempDir
    protected Path root;

    protected BlobStore store;

    /** A new, empty store keeping whatever it needs under {@code root}. */
    protected abstract BlobStore newStore(Path root) throws IOException;

    @BeforeEach
    void createStore() throws IOException {
        store = newStore(root);
    }

    protected static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    protected static Digest sha256(byte[] content) {
        return Digest.sha256(content);
    }

    protected static Digest sha512(byte[] content) throws Exception {
        return new Digest("sha512", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(content)));
    }

    /** Writes {@code content} through a writer in chunks of {@code chunk} bytes and commits. */
    protected Path write(Digest digest, byte[] content, int chunk) throws IOException {
        try (BlobWriter writer = store.newWriter(digest)) {
            for (int off = 0; off < content.length; off += chunk) {
                writer.write(ByteBuffer.wrap(content, off, Math.min(chunk, content.length - off)));
            }
            return writer.commit();
        }
    }

    protected byte[] readLease(Digest digest) throws IOException {
        Optional<BlobLease> lease = store.open(digest);
        assertThat(lease).as("stored: %s", digest).isPresent();
        try (BlobLease l = lease.get()) {
            return Files.readAllBytes(l.path());
        }
    }

    @Test
    void openingAMissingBlobIsEmpty() throws IOException {
        Digest absent = sha256("absent".getBytes(StandardCharsets.UTF_8));

        assertThat(store.open(absent)).isEmpty();
        assertThat(store.read(absent, 1024)).isEmpty();
        assertThat(store.totalBytes()).isZero();
    }

    @Test
    void committedBlobIsVisibleWithItsSizeAndBytes() throws IOException {
        byte[] content = content(10_000, 1);
        Digest digest = sha256(content);

        try (BlobWriter writer = store.newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content, 0, 4_000));
            assertThat(writer.written()).isEqualTo(4_000);
            assertThat(store.open(digest)).as("not visible before commit").isEmpty();
            writer.write(ByteBuffer.wrap(content, 4_000, 6_000));
            assertThat(writer.written()).isEqualTo(10_000);
            writer.commit();
        }

        try (BlobLease lease = store.open(digest).orElseThrow()) {
            assertThat(lease.size()).isEqualTo(10_000);
            assertThat(lease.path()).isRegularFile();
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(content);
        }
        assertThat(store.totalBytes()).isEqualTo(10_000);
    }

    @Test
    void verifyChecksTheDigestBeforeAnythingIsStoredAndCommitThenStores() throws IOException {
        byte[] content = content(8_000, 21);
        Digest digest = sha256(content);

        try (BlobWriter writer = store.newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content));
            writer.verify();
            assertThat(store.open(digest)).as("verified is not stored yet").isEmpty();
            assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content, 0, 1)))
                    .as("no more bytes after the check").isInstanceOf(IllegalStateException.class);
            writer.commit();
        }

        assertThat(readLease(digest)).isEqualTo(content);
    }

    @Test
    void verifyOfWrongBytesFailsAndStoresNothing() throws IOException {
        byte[] content = content(8_000, 22);
        byte[] wrong = content.clone();
        wrong[7_999] ^= 1;
        Digest digest = sha256(content);
        Path temp;

        try (BlobWriter writer = store.newWriter(digest)) {
            temp = writer.path();
            writer.write(ByteBuffer.wrap(wrong));
            assertThatThrownBy(writer::verify).isInstanceOfSatisfying(OciException.class,
                    e -> assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID));
        }

        assertThat(temp).doesNotExist();
        assertThat(store.open(digest)).isEmpty();
    }

    @Test
    void aGrowingTempFileCanBeTailedUpToWritten() throws IOException {
        byte[] content = content(3_000, 2);
        Digest digest = sha256(content);

        try (BlobWriter writer = store.newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content, 0, 1_000));
            byte[] tail = Files.readAllBytes(writer.path());
            assertThat(Arrays.copyOf(tail, (int) writer.written())).isEqualTo(Arrays.copyOf(content, 1_000));

            writer.write(ByteBuffer.wrap(content, 1_000, 2_000));
            assertThat(Files.size(writer.path())).isGreaterThanOrEqualTo(writer.written());
            writer.commit();
        }
    }

    @Test
    void directBuffersAreHashedAndWritten() throws IOException {
        byte[] content = content(5_000, 3);
        Digest digest = sha256(content);
        ByteBuffer direct = ByteBuffer.allocateDirect(content.length).put(content).flip();

        try (BlobWriter writer = store.newWriter(digest)) {
            writer.write(direct);
            writer.commit();
        }

        assertThat(readLease(digest)).isEqualTo(content);
    }

    @Test
    void digestMismatchIsDigestInvalidAndStoresNothing() throws IOException {
        byte[] content = content(2_000, 4);
        Digest wrong = sha256("something else".getBytes(StandardCharsets.UTF_8));

        Path temp;
        try (BlobWriter writer = store.newWriter(wrong)) {
            writer.write(ByteBuffer.wrap(content));
            temp = writer.path();
            assertThat(temp).exists();
            assertThatThrownBy(writer::commit)
                    .isInstanceOfSatisfying(OciException.class,
                            e -> assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID));
            assertThat(temp).as("temp file removed on mismatch").doesNotExist();
        }

        assertThat(store.open(wrong)).isEmpty();
        assertThat(store.open(sha256(content))).isEmpty();
        assertThat(store.totalBytes()).isZero();
    }

    @Test
    void truncatedContentIsADigestMismatch() throws IOException {
        byte[] content = content(2_000, 5);
        Digest digest = sha256(content);

        try (BlobWriter writer = store.newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content, 0, 1_999));
            assertThatThrownBy(writer::commit).isInstanceOf(OciException.class);
        }

        assertThat(store.open(digest)).isEmpty();
    }

    @Test
    void aMismatchDoesNotDisturbAnAlreadyStoredBlob() throws IOException {
        byte[] content = content(1_500, 6);
        Digest digest = sha256(content);
        store.put(digest, content);

        try (BlobWriter writer = store.newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content(1_500, 7)));
            assertThatThrownBy(writer::commit).isInstanceOf(OciException.class);
        }

        assertThat(readLease(digest)).isEqualTo(content);
        assertThat(store.totalBytes()).isEqualTo(1_500);
    }

    @Test
    void closingWithoutCommitLeavesNothing() throws IOException {
        byte[] content = content(1_000, 8);
        Digest digest = sha256(content);

        Path temp;
        try (BlobWriter writer = store.newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content));
            temp = writer.path();
        }

        assertThat(temp).doesNotExist();
        assertThat(store.open(digest)).isEmpty();
        assertThat(store.totalBytes()).isZero();
    }

    @Test
    void closingAfterCommitKeepsTheBlob() throws IOException {
        byte[] content = content(100, 9);
        Digest digest = sha256(content);

        BlobWriter writer = store.newWriter(digest);
        writer.write(ByteBuffer.wrap(content));
        Path committed = writer.commit();
        writer.close();
        writer.close();

        assertThat(committed).exists();
        assertThat(readLease(digest)).isEqualTo(content);
    }

    @Test
    void putThenRead() throws IOException {
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest digest = sha256(manifest);

        store.put(digest, manifest);

        assertThat(store.read(digest, 1024)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(manifest));
        assertThat(store.totalBytes()).isEqualTo(manifest.length);
    }

    @Test
    void putVerifiesTheDigest() throws IOException {
        byte[] manifest = "{}".getBytes(StandardCharsets.UTF_8);
        Digest other = sha256("[]".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.put(other, manifest))
                .isInstanceOfSatisfying(OciException.class,
                        e -> assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID));
        assertThat(store.read(other, 1024)).isEmpty();
        assertThat(store.totalBytes()).isZero();
    }

    @Test
    void emptyBlobsAreBlobsToo() throws IOException {
        Digest empty = sha256(new byte[0]);

        store.put(empty, new byte[0]);

        assertThat(store.read(empty, 0)).hasValueSatisfying(bytes -> assertThat(bytes).isEmpty());
        try (BlobLease lease = store.open(empty).orElseThrow()) {
            assertThat(lease.size()).isZero();
        }
    }

    @Test
    void sha512BlobsAreStored() throws Exception {
        byte[] content = content(777, 10);
        Digest digest = sha512(content);

        write(digest, content, 100);

        assertThat(readLease(digest)).isEqualTo(content);
        assertThat(store.open(sha256(content))).as("different digest, different blob").isEmpty();
    }

    @Test
    void totalBytesCountsEachBlobOnce() throws IOException {
        byte[] a = content(1_000, 11);
        byte[] b = content(2_345, 12);

        store.put(sha256(a), a);
        store.put(sha256(b), b);
        store.put(sha256(a), a);
        write(sha256(b), b, 1_000);

        assertThat(store.totalBytes()).isEqualTo(3_345);
    }

    @Test
    void aLeasePathIsReadableUntilAndAfterClose() throws IOException {
        byte[] content = content(4_096, 13);
        Digest digest = sha256(content);
        write(digest, content, 1_024);

        BlobLease lease = store.open(digest).orElseThrow();
        BlobLease second = store.open(digest).orElseThrow();
        assertThat(Files.readAllBytes(lease.path())).isEqualTo(content);
        assertThat(second.path()).isEqualTo(lease.path());
        lease.close();
        lease.close(); // harmless

        assertThat(Files.readAllBytes(second.path())).isEqualTo(content);
        second.close();
        assertThat(readLease(digest)).isEqualTo(content);
    }

    @Test
    void concurrentWritersOfTheSameDigestBothSucceed() throws Exception {
        byte[] content = content(256 * 1024, 14);
        Digest digest = sha256(content);
        int chunk = 16 * 1024;
        CyclicBarrier inStep = new CyclicBarrier(2);
        Callable<Path> writeInStep = () -> {
            try (BlobWriter writer = store.newWriter(digest)) {
                for (int off = 0; off < content.length; off += chunk) {
                    writer.write(ByteBuffer.wrap(content, off, chunk));
                    inStep.await(10, TimeUnit.SECONDS); // interleave the two writers chunk by chunk
                }
                inStep.await(10, TimeUnit.SECONDS);
                return writer.commit();
            }
        };

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Path>> results = pool.invokeAll(List.of(writeInStep, writeInStep), 30, TimeUnit.SECONDS);
            for (Future<Path> result : results) {
                assertThat(result.get()).exists();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(readLease(digest)).isEqualTo(content);
        assertThat(store.totalBytes()).isEqualTo(content.length);
    }

    @Test
    void largeBlobsStreamInManyChunks() throws IOException {
        byte[] content = content(3 * 1024 * 1024 + 17, 15);
        Digest digest = sha256(content);

        write(digest, content, 64 * 1024);

        try (BlobLease lease = store.open(digest).orElseThrow()) {
            assertThat(lease.size()).isEqualTo(content.length);
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(content);
        }
    }
}
