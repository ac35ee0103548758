package dev.entrepot.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link UploadStore} must do: bytes appended in order, nothing visible until a verified commit, sessions
 * that survive a restart, expiry of abandoned ones. Implementations say how to open a store (and the blob store its
 * commits land in) on a directory; opening twice on one directory stands for a restart.
 */
public abstract class UploadStoreContractTest {
    private static final ImageName APP = new ImageName("team/app");

    @TempDir
    protected Path root;

    /** Real time: expiry compares the clock with file times. */
    protected final MutableClock clock = new MutableClock(System.currentTimeMillis());

    protected UploadStore uploads;
    protected BlobStore blobs;

    /** Opens the upload store under {@code root}, and sets {@link #blobs} to the store its commits go to. */
    protected abstract UploadStore open(Path root) throws IOException;

    @BeforeEach
    void openStore() throws IOException {
        uploads = open(root);
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static ByteBuffer wrap(byte[] bytes, int from, int to) {
        return ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, to));
    }

    @Test
    void chunksAppendInOrderAndACommitMakesTheBlob() throws Exception {
        byte[] bytes = content(300_000, 1);
        UploadSession session = uploads.create("team", APP);
        assertThat(session.size()).isZero();
        assertThat(session.repository()).isEqualTo("team");
        assertThat(session.name()).isEqualTo(APP);

        session.append(wrap(bytes, 0, 100_000));
        session.append(wrap(bytes, 100_000, 300_000));
        assertThat(session.size()).isEqualTo(300_000);
        Digest digest = Digest.sha256(bytes);
        assertThat(blobs.open(digest)).as("nothing visible before the commit").isEmpty();

        session.commit(digest);

        try (BlobLease lease = blobs.open(digest).orElseThrow()) {
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(bytes);
        }
        assertThat(uploads.find(session.id())).as("a committed session is over").isEmpty();
        assertThat(uploads.count()).isZero();
    }

    @Test
    void aWrongDigestStoresNothingAndEndsTheSession() throws Exception {
        byte[] bytes = content(1000, 2);
        UploadSession session = uploads.create("team", APP);
        session.append(ByteBuffer.wrap(bytes));
        Digest claimed = Digest.sha256(content(1000, 3));

        assertThatThrownBy(() -> session.commit(claimed)).isInstanceOfSatisfying(OciException.class,
                e -> assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID));

        assertThat(blobs.open(claimed)).isEmpty();
        assertThat(blobs.open(Digest.sha256(bytes))).isEmpty();
        assertThat(uploads.find(session.id())).isEmpty();
    }

    @Test
    void aSessionResumesAfterARestartAndStillVerifies() throws Exception {
        byte[] bytes = content(200_000, 4);
        UploadSession before = uploads.create("team", APP);
        before.append(wrap(bytes, 0, 70_000));

        UploadStore restarted = open(root);
        UploadSession after = restarted.find(before.id()).orElseThrow();
        assertThat(after.size()).isEqualTo(70_000);
        assertThat(after.name()).isEqualTo(APP);
        assertThat(after.startedAt()).isEqualTo(before.startedAt());
        after.append(wrap(bytes, 70_000, 200_000));
        after.commit(Digest.sha256(bytes));

        try (BlobLease lease = blobs.open(Digest.sha256(bytes)).orElseThrow()) {
            assertThat(lease.size()).isEqualTo(200_000);
        }
    }

    @Test
    void aRestartedSessionWithOtherBytesDoesNotVerify() throws Exception {
        byte[] bytes = content(5000, 5);
        UploadSession before = uploads.create("team", APP);
        before.append(ByteBuffer.wrap(bytes));

        UploadSession after = open(root).find(before.id()).orElseThrow();

        assertThatThrownBy(() -> after.commit(Digest.sha256(content(5000, 6)))).isInstanceOf(OciException.class);
        assertThat(blobs.open(Digest.sha256(bytes))).isEmpty();
    }

    @Test
    void emptyAndSha512BlobsCommit() throws Exception {
        UploadSession empty = uploads.create("team", APP);
        empty.commit(Digest.sha256(new byte[0]));
        assertThat(blobs.open(Digest.sha256(new byte[0]))).isPresent().get().satisfies(l -> {
            assertThat(l.size()).isZero();
            l.close();
        });

        byte[] bytes = content(10_000, 7);
        Digest sha512 = new Digest("sha512", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes)));
        UploadSession big = uploads.create("team", APP);
        big.append(ByteBuffer.wrap(bytes));
        big.commit(sha512);
        assertThat(blobs.open(sha512)).isPresent().get().satisfies(BlobLease::close);
    }

    @Test
    void cancelledAndUnknownSessionsAreGone() throws Exception {
        UploadSession session = uploads.create("team", APP);
        session.append(ByteBuffer.wrap(content(10, 8)));

        session.cancel();

        assertThat(uploads.find(session.id())).isEmpty();
        assertThat(uploads.find("00000000-0000-0000-0000-000000000000")).isEmpty();
        assertThat(uploads.find("../../etc/passwd")).isEmpty();
        assertThatThrownBy(() -> session.append(ByteBuffer.wrap(new byte[1]))).isInstanceOfSatisfying(
                OciException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.BLOB_UPLOAD_UNKNOWN));
    }

    @Test
    void sessionsAreIndependent() throws Exception {
        byte[] a = content(4000, 9);
        byte[] b = content(3000, 10);
        UploadSession first = uploads.create("team", APP);
        UploadSession second = uploads.create("other", new ImageName("x"));
        first.append(wrap(a, 0, 2000));
        second.append(ByteBuffer.wrap(b));
        first.append(wrap(a, 2000, 4000));

        assertThat(first.id()).isNotEqualTo(second.id());
        second.commit(Digest.sha256(b));
        first.commit(Digest.sha256(a));
        assertThat(blobs.open(Digest.sha256(a))).isPresent().get().satisfies(BlobLease::close);
        assertThat(blobs.open(Digest.sha256(b))).isPresent().get().satisfies(BlobLease::close);
    }

    @Test
    void idleSessionsExpireActiveOnesStay() throws Exception {
        UploadSession idle = uploads.create("team", APP);
        idle.append(ByteBuffer.wrap(content(10, 11)));
        clock.advance(Duration.ofHours(2));
        UploadSession active = uploads.create("team", APP);

        int expired = uploads.expire(Duration.ofHours(1));

        assertThat(expired).isEqualTo(1);
        assertThat(uploads.find(idle.id())).isEmpty();
        assertThat(uploads.find(active.id())).isPresent();
        assertThatThrownBy(() -> idle.commit(Digest.sha256(content(10, 11)))).isInstanceOf(OciException.class);
    }
}
