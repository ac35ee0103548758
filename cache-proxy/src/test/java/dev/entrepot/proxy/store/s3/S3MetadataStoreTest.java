package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.HostedMetadataStoreContractTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hosted metadata contract against a real S3 API server; reopening is a new store (and client) on the bucket. */
class S3MetadataStoreTest extends HostedMetadataStoreContractTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();

    private final ExecutorService parts = Executors.newFixedThreadPool(2);
    private final List<Bucket> clients = new ArrayList<>();
    private S3Settings settings;

    @Override
    protected HostedMetadataStore open(Path root) throws IOException {
        if (settings == null) {
            settings = SERVER.newBucket();
        }
        Bucket bucket = SERVER.connect(settings);
        clients.add(bucket);
        Path local = root.resolve("local-" + clients.size());
        S3BlobStore blobs = new S3BlobStore(bucket, "hosted/", local, 1L << 20, clock, parts);
        return new S3MetadataStore(bucket, "hosted/", blobs, clock);
    }

    @AfterEach
    void closeClients() {
        parts.shutdownNow();
        clients.forEach(Bucket::close);
    }
}
