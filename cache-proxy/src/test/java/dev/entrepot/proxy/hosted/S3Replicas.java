package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.cache.TierFills;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.TagChanges;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.HostedBlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.fs.FsUploadStore;
import dev.entrepot.proxy.store.s3.Bucket;
import dev.entrepot.proxy.store.s3.S3BlobStore;
import dev.entrepot.proxy.store.s3.S3MetadataStore;
import dev.entrepot.proxy.store.s3.S3Settings;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.BufferStream;
import dev.entrepot.proxy.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * Replicas of the proxy's hosted stores on one bucket of an embedded S3 server, as separate processes would have
 * them: each its own client, local tier, upload directory, locks and collection guard; one clock for all (near the
 * real time, since S3 stamps objects with it).
 */
final class S3Replicas implements AutoCloseable {
    final MutableClock clock = new MutableClock(System.currentTimeMillis());
    final Vertx vertx = Vertx.vertx();
    final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final List<Bucket> clients = new ArrayList<>();
    private final S3TestServer server;
    private final S3Settings settings;
    private final Path root;

    /** One replica: a standard repository {@code team} over its stores. */
    record Replica(HostedRepository team, HostedStores stores, S3BlobStore blobs) {
        GarbageCollector collector() {
            return new GarbageCollector(stores);
        }
    }

    S3Replicas(S3TestServer server, Path root) throws Exception {
        this.server = server;
        this.settings = server.newBucket();
        this.root = root;
    }

    Replica replica(String name, boolean immutableTags) throws Exception {
        return replica(name, immutableTags, UnaryOperator.identity(), UnaryOperator.identity());
    }

    /** A replica whose repository sees its stores through the views (tests disturb calls there). */
    Replica replica(String name, boolean immutableTags, UnaryOperator<HostedBlobStore> blobsView,
                    UnaryOperator<HostedMetadataStore> metadataView) throws Exception {
        Bucket bucket = connect();
        Path local = root.resolve(name);
        S3BlobStore blobs = new S3BlobStore(bucket, "hosted/", local.resolve("hosted-s3"), 1L << 20, clock, threads);
        HostedStores stores = new HostedStores(blobsView.apply(blobs),
                metadataView.apply(new S3MetadataStore(bucket, "hosted/", blobs, clock)),
                new FsUploadStore(local.resolve("uploads"), blobs, clock), new ManifestCache(1 << 20, metrics), threads,
                vertx, clock, new TagChanges(), event -> { }, new TierFills(vertx, blobs, threads));
        return new Replica(new HostedRepository("team", immutableTags, stores, metrics.repository("team")), stores,
                blobs);
    }

    /** A client of the replicas' bucket of its own, to look behind their back. */
    Bucket connect() throws Exception {
        Bucket bucket = server.connect(settings);
        clients.add(bucket);
        return bucket;
    }

    /** Pushes a blob in one upload: start, then commit with the whole body. */
    Digest pushBlob(HostedRepository through, ImageName image, byte[] bytes) throws Exception {
        Digest digest = Digest.sha256(bytes);
        BlobUploads.Session session = Await.result(through.uploads().start(image));
        Await.result(through.uploads().commit(image, session.id(), digest, new BlobUploads.Chunk(
                BufferStream.of(vertx.getOrCreateContext(), bytes), null, bytes.length)));
        return digest;
    }

    /** The blob's bytes as a client pulls them through {@code through} (streamed from the bucket if not local). */
    static byte[] pull(HostedRepository through, ImageName image, Digest digest) throws Exception {
        BlobSource source = Await.result(through.blob(image, digest).compose(BlobSource::whole));
        if (source instanceof BlobSource.Growing growing) {
            Await.result(growing.blob().done());
            return Files.readAllBytes(growing.blob().path());
        }
        try (BlobLease lease = ((BlobSource.Stored) source).lease()) {
            return Files.readAllBytes(lease.path());
        }
    }

    @Override
    public void close() throws Exception {
        Await.result(vertx.close());
        threads.shutdownNow();
        clients.forEach(Bucket::close);
    }
}
