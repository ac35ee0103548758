package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.SharedBlobs;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.store.fs.FsMetadataStore;
import dev.entrepot.proxy.store.s3.Bucket;
import dev.entrepot.proxy.store.s3.S3Settings;
import dev.entrepot.proxy.store.s3.S3SharedBlobs;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.BlobServer;
import dev.entrepot.proxy.testing.ObjectReads;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Replicas of the cache (each its own disk, bucket client and download table) on one bucket of an embedded S3
 * server, in front of one counting upstream that serves blobs over real HTTP.
 */
final class CacheReplicas implements AutoCloseable {
    static final ImageName NGINX = new ImageName("library/nginx");
    static final Duration LEASE = Duration.ofSeconds(1);

    final FakeUpstream upstream = new FakeUpstream();
    final Vertx vertx = Vertx.vertx();
    final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final S3TestServer s3;
    private final S3Settings settings;
    private final Path root;
    private final BlobServer server;

    record Replica(PullThroughRepository repository, FsBlobStore blobs, InflightFetches fetches) {
    }

    CacheReplicas(S3TestServer s3, Path root) throws Exception {
        this.s3 = s3;
        this.root = root;
        this.settings = s3.newBucket();
        this.server = BlobServer.start(vertx);
    }

    /** A client of the replicas' bucket of its own. */
    Bucket bucket() throws IOException {
        Bucket bucket = s3.connect(settings);
        closing.add(bucket);
        return bucket;
    }

    S3SharedBlobs shared() throws IOException {
        return shared(null);
    }

    /** @param redirectTtl how long redirects are valid; null: no redirects */
    S3SharedBlobs shared(Duration redirectTtl) throws IOException {
        S3SharedBlobs shared = new S3SharedBlobs(bucket(), threads, Clock.systemUTC(), LEASE, redirectTtl);
        closing.add(0, shared);
        return shared;
    }

    Replica replica(String name) throws IOException {
        return replica(name, shared());
    }

    Replica replica(String name, SharedBlobs shared) throws IOException {
        Path disk = Files.createDirectories(root.resolve(name));
        ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
        FsBlobStore blobs = new FsBlobStore(disk, Clock.systemUTC(), (digest, size) -> { });
        InflightFetches fetches = new InflightFetches(vertx, blobs, threads, metrics, digest -> { }, shared,
                Duration.ofSeconds(20));
        CacheStores stores = new CacheStores(blobs, new FsMetadataStore(disk, blobs, Clock.systemUTC()), fetches,
                new ManifestCache(1 << 20, metrics), vertx, Clock.systemUTC(), event -> { });
        PullThroughRepository repository = new PullThroughRepository(new Upstream("dockerhub", true, upstream,
                new FreshnessPolicy(Duration.ofMinutes(5), Duration.ofSeconds(10)), metrics.repository("dockerhub")),
                stores);
        return new Replica(repository, blobs, fetches);
    }

    /** The upstream serves {@code layer} once {@code gate} completes. */
    Digest upstreamHas(byte[] layer, Future<Void> gate) {
        Digest digest = Digest.sha256(layer);
        server.serveAfter("/" + digest.hex(), layer, gate);
        upstream.putBlob(digest, layer.length, () -> server.open("/" + digest.hex()));
        return digest;
    }

    /** Upstream GETs of the blob's bytes. */
    int upstreamHits(Digest digest) {
        return server.hits("/" + digest.hex());
    }

    /** Pulls the blob through {@code through} and waits until it is shared in the bucket. */
    Digest sharedThrough(Replica through, byte[] layer) throws Exception {
        Digest digest = upstreamHas(layer, Future.succeededFuture());
        assertThat(pull(through, digest)).isEqualTo(layer);
        Bucket raw = bucket();
        Await.until(() -> {
            try {
                return raw.size("cache/blobs/sha256/" + digest.hex()).isPresent();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return digest;
    }

    static byte[] layer(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** The blob as a client of {@code replica} receives it once complete. */
    static byte[] pull(Replica replica, Digest digest) throws Exception {
        return read(Await.result(wholeBlob(replica, digest)));
    }

    /** What a GET of the whole blob is served from (a blob in the bucket: streamed from it). */
    static Future<BlobSource> wholeBlob(Replica replica, Digest digest) {
        return replica.repository().blob(NGINX, digest).compose(BlobSource::whole);
    }

    static byte[] read(BlobSource source) throws Exception {
        if (source instanceof BlobSource.Growing growing) {
            Await.result(growing.blob().done());
            return Files.readAllBytes(growing.blob().path());
        }
        try (BlobLease lease = ((BlobSource.Stored) source).lease()) {
            return Files.readAllBytes(lease.path());
        }
    }

    /** {@code shared} as a replica sees it: its object reads recorded (and held back) by {@code reads}. */
    static SharedBlobs observed(SharedBlobs shared, ObjectReads reads) {
        return new SharedBlobs() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public Optional<Long> objectSize(Digest digest) throws IOException {
                return shared.objectSize(digest);
            }

            @Override
            public Optional<ObjectBody> readObject(Digest digest, long offset, long length) throws IOException {
                return reads.record(offset, length, shared.readObject(digest, offset, length));
            }

            @Override
            public boolean redirects() {
                return shared.redirects();
            }

            @Override
            public Optional<URI> redirectUrl(Digest digest) {
                return shared.redirectUrl(digest);
            }

            @Override
            public void distrust(Digest digest) {
                shared.distrust(digest);
            }

            @Override
            public void publish(Digest digest, Path verified, long size) throws IOException {
                shared.publish(digest, verified, size);
            }

            @Override
            public Optional<FetchLease> claim(Digest digest) throws IOException {
                return shared.claim(digest);
            }
        };
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        Await.result(vertx.close());
        threads.shutdownNow();
    }
}
