package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.BlobStoreContractTest;
import dev.entrepot.proxy.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The blob store contract against a real S3 API server, through the local tier. */
class S3BlobStoreTest extends BlobStoreContractTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();

    private final MutableClock clock = new MutableClock(System.currentTimeMillis());
    private final ExecutorService parts = Executors.newFixedThreadPool(2);
    private Bucket bucket;

    @Override
    protected BlobStore newStore(Path root) throws IOException {
        bucket = SERVER.connect(SERVER.newBucket());
        return new S3BlobStore(bucket, "hosted/", root.resolve("local"), 64L << 20, clock, parts);
    }

    @AfterEach
    void closeClient() {
        parts.shutdownNow();
        bucket.close();
    }
}
