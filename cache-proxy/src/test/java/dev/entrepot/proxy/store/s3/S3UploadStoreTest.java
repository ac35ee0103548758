package dev.entrepot.proxy.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.store.UploadSession;
import dev.entrepot.proxy.store.UploadStore;
import dev.entrepot.proxy.store.UploadStoreContractTest;
import dev.entrepot.proxy.store.fs.FsUploadStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The upload contract with commits landing in the S3 blob store: sessions stay on the replica's disk (where a client
 * resumes them, also after a restart) and only a verified commit puts the blob in the bucket.
 */
class S3UploadStoreTest extends UploadStoreContractTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();

    private final ExecutorService parts = Executors.newFixedThreadPool(2);
    private final List<Bucket> clients = new ArrayList<>();
    private S3Settings settings;

    @Override
    protected UploadStore open(Path root) throws IOException {
        if (settings == null) {
            settings = SERVER.newBucket();
        }
        Bucket bucket = SERVER.connect(settings);
        clients.add(bucket);
        S3BlobStore hosted = new S3BlobStore(bucket, "hosted/", root.resolve("local"), 64L << 20, clock, parts);
        blobs = hosted;
        return new FsUploadStore(root.resolve("uploads"), hosted, clock);
    }

    @AfterEach
    void closeClients() {
        parts.shutdownNow();
        clients.forEach(Bucket::close);
    }

    @Test
    void aCommitOfSeveralPartsLandsInTheBucketWithNothingLeftOver() throws Exception {
        byte[] bytes = new byte[2 * (int) S3Settings.MIN_PART_SIZE + 999];
        new Random(42).nextBytes(bytes);
        UploadSession session = uploads.create("team", new ImageName("app"));
        for (int off = 0; off < bytes.length; off += 1 << 20) {
            session.append(ByteBuffer.wrap(bytes, off, Math.min(1 << 20, bytes.length - off)));
        }
        Digest digest = Digest.sha256(bytes);

        session.commit(digest);

        try (S3Client admin = SERVER.adminClient()) {
            String key = "hosted/blobs/sha256/" + digest.hex();
            assertThat(admin.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asByteArray())
                    .isEqualTo(bytes);
            assertThat(admin.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads()).isEmpty();
        }
        try (var left = Files.list(root.resolve("uploads"))) {
            assertThat(left).isEmpty();
        }
    }
}
