package dev.entrepot.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.TagRecord;
import dev.entrepot.proxy.store.UploadSession;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.store.s3.S3BlobStore;
import dev.entrepot.proxy.store.s3.S3MetadataStore;
import dev.entrepot.proxy.store.s3.S3Settings;
import dev.entrepot.proxy.store.s3.S3TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** storage.type chooses where hosted content lives; with s3 it is in the bucket, the disk holds only copies. */
class HostedStorageTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final ImageName APP = new ImageName("app");

    @TempDir
    Path root;

    private EntrepotConfig.Storage storage(String yaml) {
        return ConfigLoader.parse("storage:\n  path: " + root + "\n" + yaml
                + "repositories: [{name: team, mode: standard}]\n").storage();
    }

    private String s3Block(S3Settings bucket, String endpoint) {
        return "  type: s3\n  s3:\n    bucket: " + bucket.bucket() + "\n    endpoint: " + endpoint
                + "\n    pathStyle: true\n    accessKeyIdFile: " + bucket.accessKeyIdFile()
                + "\n    secretAccessKeyFile: " + bucket.secretAccessKeyFile() + "\n";
    }

    @Test
    void theFilesystemByDefault() throws IOException {
        try (HostedStorage hosted = HostedStorage.open(storage(""), Clock.systemUTC())) {
            assertThat(hosted.blobs()).isInstanceOf(FsBlobStore.class);
            assertThat(hosted.inBucket()).isFalse();
        }
    }

    @Test
    void inTheBucketAPushSurvivesLosingTheDisk() throws IOException {
        S3Settings bucket = SERVER.newBucket();
        String block = s3Block(bucket, SERVER.endpoint().toString());
        byte[] layer = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(layer);
        try (HostedStorage hosted = HostedStorage.open(storage(block), Clock.systemUTC())) {
            assertThat(hosted.blobs()).isInstanceOf(S3BlobStore.class);
            assertThat(hosted.metadata()).isInstanceOf(S3MetadataStore.class);
            UploadSession upload = hosted.uploads().create("team", APP);
            upload.append(ByteBuffer.wrap(layer));
            upload.commit(digest);
            hosted.metadata().linkBlob("team", APP, digest);
            hosted.metadata().putTag("team", APP, "v1", new TagRecord(digest, Clock.systemUTC().instant()));
        }

        Path elsewhere = root.resolve("another-disk");
        EntrepotConfig.Storage fresh = ConfigLoader.parse("storage:\n  path: " + elsewhere + "\n" + block
                + "repositories: [{name: team, mode: standard}]\n").storage();
        try (HostedStorage hosted = HostedStorage.open(fresh, Clock.systemUTC())) {
            assertThat(hosted.metadata().tag("team", APP, "v1")).map(TagRecord::digest).contains(digest);
            assertThat(hosted.metadata().blobLinked("team", APP, digest)).isPresent();
            try (BlobLease lease = hosted.blobs().open(digest).orElseThrow()) {
                assertThat(lease.path()).startsWith(elsewhere);
                assertThat(lease.size()).isEqualTo(layer.length);
            }
            hosted.abortAbandonedUploads();
        }
    }

    @Test
    void anUnreachableStoreFailsTheStartWithTheBucketNamed() throws IOException {
        S3Settings bucket = SERVER.newBucket();
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        EntrepotConfig.Storage unreachable = storage(s3Block(bucket, "http://127.0.0.1:" + closed));

        assertThatThrownBy(() -> HostedStorage.open(unreachable, Clock.systemUTC()))
                .isInstanceOf(IOException.class).hasMessageContaining("storage.s3: cannot use bucket " + bucket.bucket());
    }
}
