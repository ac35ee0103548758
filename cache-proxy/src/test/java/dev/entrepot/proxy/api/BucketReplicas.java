package dev.entrepot.proxy.api;

import dev.entrepot.proxy.cache.TierFills;
import dev.entrepot.proxy.config.EntrepotConfig.EqualPriority;
import dev.entrepot.proxy.hosted.HostedRepository;
import dev.entrepot.proxy.hosted.HostedStores;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.repository.TagChanges;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.store.TieredBlobStore;
import dev.entrepot.proxy.store.fs.FsUploadStore;
import dev.entrepot.proxy.store.s3.Bucket;
import dev.entrepot.proxy.store.s3.S3BlobStore;
import dev.entrepot.proxy.store.s3.S3MetadataStore;
import dev.entrepot.proxy.store.s3.S3Settings;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.BufferStream;
import dev.entrepot.proxy.testing.HttpReceiver;
import dev.entrepot.proxy.testing.MutableClock;
import dev.entrepot.proxy.testing.ObjectReads;
import dev.entrepot.proxy.virtual.VirtualRepository;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Replicas of a hosted repository {@code team} on one bucket of an embedded S3 server, each with its own local tier
 * and an HTTP front that serves {@code GET|HEAD /blobs/<digest>} of {@code team/app} through {@link BlobHandler}, as
 * the proxy does. Each replica's object reads are seen (and can be held back) through its {@link ObjectReads}.
 */
final class BucketReplicas implements AutoCloseable {
    static final ImageName APP = new ImageName("app");

    final Vertx vertx = Vertx.vertx();
    /** Enough connections that concurrent requests of a test are all in flight at once. */
    final HttpClient client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(16));
    private final MutableClock clock = new MutableClock(System.currentTimeMillis());
    private final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final List<Bucket> clients = new ArrayList<>();
    private final S3TestServer server;
    private final S3Settings settings;
    private final Path root;

    /** One replica: its repository, blob store (and local tier), fills, object reads and HTTP port. */
    record Replica(HostedRepository team, S3BlobStore blobs, TierFills fills, ObjectReads reads, Path localTier,
                   int port) {
    }

    BucketReplicas(S3TestServer server, Path root) throws IOException {
        this.server = server;
        this.settings = server.newBucket();
        this.root = root;
    }

    Replica replica(String name) throws Exception {
        return replica(name, null);
    }

    /** @param redirectTtl how long the replica's redirects are valid; null: it redirects nothing */
    Replica replica(String name, Duration redirectTtl) throws Exception {
        Bucket bucket = connect();
        Path local = root.resolve(name);
        S3BlobStore blobs = new S3BlobStore(bucket, "hosted/", local.resolve("hosted-s3"), 64L << 20, clock, threads,
                redirectTtl);
        ObjectReads reads = new ObjectReads();
        TierFills fills = new TierFills(vertx, observed(blobs, reads), threads);
        HostedStores stores = new HostedStores(blobs, new S3MetadataStore(bucket, "hosted/", blobs, clock),
                new FsUploadStore(local.resolve("uploads"), blobs, clock), new ManifestCache(1 << 20, metrics), threads,
                vertx, clock, new TagChanges(), event -> { }, fills);
        HostedRepository team = new HostedRepository("team", false, stores, metrics.repository("team"));
        Repository all = VirtualRepository.over("all", List.of(new VirtualRepository.Member(team, 100)), null,
                Duration.ofSeconds(5), EqualPriority.FASTEST, new TagChanges(), metrics.virtual("all"));
        BlobHandler handler = new BlobHandler(vertx, metrics);
        HttpServer front = vertx.createHttpServer().requestHandler(request -> {
            String path = request.path();
            Repository through = path.startsWith("/all/") ? all : team;
            handler.get(request, through, APP, Digest.parse(path.substring(path.indexOf("/blobs/") + 7)));
        });
        Await.result(front.listen(0, "127.0.0.1"));
        return new Replica(team, blobs, fills, reads, local.resolve("hosted-s3"), front.actualPort());
    }

    /** A client of the replicas' bucket of its own, to look or write behind their back. */
    Bucket connect() throws IOException {
        Bucket bucket = server.connect(settings);
        clients.add(bucket);
        return bucket;
    }

    /** Pushes a blob through {@code through} in one upload. */
    Digest push(Replica through, byte[] bytes) throws Exception {
        Digest digest = Digest.sha256(bytes);
        BlobUploads uploads = through.team().uploads();
        BlobUploads.Session session = Await.result(uploads.start(APP));
        Await.result(uploads.commit(APP, session.id(), digest, new BlobUploads.Chunk(
                BufferStream.of(vertx.getOrCreateContext(), bytes), null, bytes.length)));
        return digest;
    }

    /** GET (with {@code range}, unless null) of the blob through the replica's HTTP front. */
    HttpReceiver get(Replica replica, Digest digest, String range) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (range != null) {
            headers.add("Range", range);
        }
        return HttpReceiver.send(vertx, client, HttpMethod.GET, replica.port(), "/blobs/" + digest, headers);
    }

    /** HEAD of the blob, of {@code team} or (with {@code prefix} {@code /all}) of a virtual repository over it. */
    HttpReceiver head(Replica replica, String prefix, Digest digest) {
        return HttpReceiver.send(vertx, client, HttpMethod.HEAD, replica.port(), prefix + "/blobs/" + digest,
                MultiMap.caseInsensitiveMultiMap());
    }

    /** GET of the whole blob through the virtual repository {@code all} over {@code team}. */
    HttpReceiver getThroughVirtual(Replica replica, Digest digest) {
        return HttpReceiver.send(vertx, client, HttpMethod.GET, replica.port(), "/all/blobs/" + digest,
                MultiMap.caseInsensitiveMultiMap());
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** The store as the replica's fills see it: every object read recorded by {@code reads}. */
    private static TieredBlobStore observed(S3BlobStore blobs, ObjectReads reads) {
        return new TieredBlobStore() {
            @Override
            public Optional<Long> objectSize(Digest digest) throws IOException {
                return blobs.objectSize(digest);
            }

            @Override
            public Optional<ObjectBody> readObject(Digest digest, long offset, long length) throws IOException {
                return reads.record(offset, length, blobs.readObject(digest, offset, length));
            }

            @Override
            public boolean redirects() {
                return blobs.redirects();
            }

            @Override
            public Optional<URI> redirectUrl(Digest digest) {
                return blobs.redirectUrl(digest);
            }

            @Override
            public Optional<BlobLease> openLocal(Digest digest) {
                return blobs.openLocal(digest);
            }

            @Override
            public BlobWriter newLocalWriter(Digest digest) throws IOException {
                return blobs.newLocalWriter(digest);
            }
        };
    }

    @Override
    public void close() throws Exception {
        Await.result(vertx.close());
        threads.shutdownNow();
        clients.forEach(Bucket::close);
    }
}
