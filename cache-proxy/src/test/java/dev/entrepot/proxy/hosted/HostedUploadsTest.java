package dev.entrepot.proxy.hosted;

import static dev.entrepot.proxy.hosted.HostedFixture.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.BlobUploads.Chunk;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.BufferStream;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Upload sessions of a hosted repository through {@link BlobUploads}, over real stores. */
class HostedUploadsTest extends HostedTestBase {

    private BlobUploads uploads;

    @BeforeEach
    void setUp() {
        uploads = team.uploads();
    }

    private Chunk chunk(Long start, byte[] bytes) {
        return new Chunk(BufferStream.of(fx.context(), bytes), start, bytes.length);
    }

    private byte[] stored(Digest digest) throws Exception {
        BlobSource source = Await.result(team.blob(APP, digest));
        try (BlobLease lease = ((BlobSource.Stored) source).lease()) {
            return Files.readAllBytes(lease.path());
        }
    }

    @Test
    void chunksInOrderThenACommit() throws Exception {
        byte[] bytes = random(100_000, 1);
        String id = Await.result(uploads.start(APP)).id();

        assertThat(Await.result(uploads.append(APP, id, chunk(0L, Arrays.copyOfRange(bytes, 0, 40_000)))).size())
                .isEqualTo(40_000);
        assertThat(Await.result(uploads.append(APP, id, chunk(null, Arrays.copyOfRange(bytes, 40_000, 70_000))))
                .size()).as("streamed: appended at the end").isEqualTo(70_000);
        assertThat(Await.result(uploads.status(APP, id)).size()).isEqualTo(70_000);
        Digest digest = Await.result(uploads.commit(APP, id, Digest.sha256(bytes),
                chunk(70_000L, Arrays.copyOfRange(bytes, 70_000, 100_000))));

        assertThat(stored(digest)).isEqualTo(bytes);
        assertThat(failure(uploads.status(APP, id)).code()).isEqualTo(OciErrorCode.BLOB_UPLOAD_UNKNOWN);
    }

    @Test
    void aChunkOutOfOrderIs416WithTheRange() throws Exception {
        String id = Await.result(uploads.start(APP)).id();
        Await.result(uploads.append(APP, id, chunk(0L, random(22, 2))));

        OciException again = failure(uploads.append(APP, id, chunk(0L, random(22, 2))));
        OciException gap = failure(uploads.append(APP, id, chunk(30L, random(5, 3))));

        assertThat(again.status()).isEqualTo(416);
        assertThat(again.headers()).containsEntry("Range", "0-21").containsEntry("Docker-Upload-UUID", id);
        assertThat(gap.status()).isEqualTo(416);
        assertThat(Await.result(uploads.status(APP, id)).size()).as("nothing appended").isEqualTo(22);
    }

    @Test
    void aWrongDigestStoresNothing() throws Exception {
        byte[] bytes = random(1000, 4);
        String id = Await.result(uploads.start(APP)).id();
        Digest claimed = Digest.sha256(random(1000, 5));

        OciException e = failure(uploads.commit(APP, id, claimed, chunk(null, bytes)));

        assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
        assertThat(failure(team.blob(APP, claimed)).code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN);
        assertThat(failure(team.blob(APP, Digest.sha256(bytes))).code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN);
        assertThat(fx.blobs.totalBytes()).isZero();
    }

    @Test
    void aSessionBelongsToItsImage() throws Exception {
        String id = Await.result(uploads.start(APP)).id();

        assertThat(failure(uploads.status(new ImageName("other"), id)).code()).isEqualTo(OciErrorCode.BLOB_UPLOAD_UNKNOWN);
        assertThat(failure(fx.repository("ci", false).uploads().status(APP, id)).code())
                .isEqualTo(OciErrorCode.BLOB_UPLOAD_UNKNOWN);
    }

    @Test
    void aCancelledSessionIsGone() throws Exception {
        String id = Await.result(uploads.start(APP)).id();
        Await.result(uploads.append(APP, id, chunk(null, random(10, 6))));

        Await.result(uploads.cancel(APP, id));

        assertThat(failure(uploads.append(APP, id, chunk(null, random(1, 7)))).code())
                .isEqualTo(OciErrorCode.BLOB_UPLOAD_UNKNOWN);
        assertThat(fx.uploads.count()).isZero();
    }

    @Test
    void aClientGoneMidChunkLeavesWhatArrivedResumable() throws Exception {
        byte[] bytes = random(3000, 8);
        String id = Await.result(uploads.start(APP)).id();
        BufferStream broken = new BufferStream(fx.context(), List.of(Arrays.copyOfRange(bytes, 0, 1000)),
                new IOException("connection reset"));

        Await.failure(uploads.append(APP, id, new Chunk(broken, null, -1)));
        long held = Await.result(uploads.status(APP, id)).size();
        Await.result(uploads.commit(APP, id, Digest.sha256(bytes), chunk(held, Arrays.copyOfRange(bytes, (int) held,
                3000))));

        assertThat(held).isEqualTo(1000);
        assertThat(stored(Digest.sha256(bytes))).isEqualTo(bytes);
    }

    @Test
    void aChunkLongerThanItsRangeIsRefused() throws Exception {
        String id = Await.result(uploads.start(APP)).id();

        OciException e = failure(uploads.append(APP, id, new Chunk(BufferStream.of(fx.context(), random(10, 9)), 0L, 4)));

        assertThat(e.code()).isEqualTo(OciErrorCode.SIZE_INVALID);
    }

    @Test
    void aMountLinksWhatAnotherImageHoldsAndNothingElse() throws Exception {
        byte[] bytes = random(5000, 10);
        Digest digest = fx.pushBlob(team, "source", bytes);
        ImageName source = new ImageName("source");
        HostedRepository ci = fx.repository("ci", false);

        Optional<Digest> mounted = Await.result(ci.uploads().mount(APP, digest, team, source));
        Optional<Digest> missing = Await.result(ci.uploads().mount(APP, Digest.sha256(random(5, 11)), team, source));

        assertThat(mounted).contains(digest);
        assertThat(missing).isEmpty();
        assertThat(Await.result(ci.blobSize(APP, digest))).isEqualTo(5000);
        assertThat(fx.blobs.totalBytes()).as("one copy of the bytes").isEqualTo(5000);
    }

    @Test
    void deletingABlobUnlinksItFromTheImageOnly() throws Exception {
        byte[] bytes = random(100, 12);
        Digest digest = fx.pushBlob(team, "app", bytes);
        fx.pushBlob(team, "other", bytes);

        Await.result(uploads.delete(APP, digest));

        assertThat(failure(team.blobSize(APP, digest)).code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN);
        assertThat(Await.result(team.blobSize(new ImageName("other"), digest))).isEqualTo(100);
        assertThat(failure(uploads.delete(APP, digest)).code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN);
    }

    @Test
    void pushesAreCounted() throws Exception {
        fx.pushBlob(team, "app", random(300, 13));
        String id = Await.result(uploads.start(APP)).id();
        Await.failure(uploads.commit(APP, id, Digest.sha256(random(1, 14)), chunk(null, random(10, 15))));

        assertThat(fx.registry.get("entrepot.pushes").tags("repository", "team", "kind", "blob", "result", "stored")
                .counter().count()).isEqualTo(1);
        assertThat(fx.registry.get("entrepot.pushes").tags("repository", "team", "kind", "blob", "result", "error")
                .counter().count()).isEqualTo(1);
        assertThat(fx.registry.get("entrepot.pushed.bytes").tags("repository", "team").counter().count()).isEqualTo(310);
    }
}
