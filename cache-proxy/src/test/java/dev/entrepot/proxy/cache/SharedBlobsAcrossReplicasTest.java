package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.io.InputStreamBody;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.GrowingBlob;
import dev.entrepot.proxy.repository.RemoteBlob;
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
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of the cache (each its own disk, bucket client and download table) on one bucket of an embedded S3
 * server, in front of one counting upstream: what one fetched, the other copies; a digest both miss costs one upstream
 * GET; a claim whose holder died is taken over; a corrupt shared object is never served.
 */
class SharedBlobsAcrossReplicasTest {
    private static final ImageName NGINX = new ImageName("library/nginx");
    private static final Duration LEASE = Duration.ofSeconds(1);

    @RegisterExtension
    static final S3TestServer S3 = new S3TestServer();

    @TempDir
    Path root;

    private final FakeUpstream upstream = new FakeUpstream();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Vertx vertx;
    private ExecutorService threads;
    private BlobServer server;
    private S3Settings settings;

    private record Replica(PullThroughRepository repository, FsBlobStore blobs, InflightFetches fetches) {
    }

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        threads = Executors.newFixedThreadPool(4);
        server = BlobServer.start(vertx);
        settings = S3.newBucket();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        Await.result(vertx.close());
        threads.shutdownNow();
    }

    private Bucket bucket() throws IOException {
        Bucket bucket = S3.connect(settings);
        closing.add(bucket);
        return bucket;
    }

    private S3SharedBlobs shared() throws IOException {
        S3SharedBlobs shared = new S3SharedBlobs(bucket(), threads, Clock.systemUTC(), LEASE);
        closing.add(0, shared);
        return shared;
    }

    private Replica replica(String name) throws IOException {
        return replica(name, shared());
    }

    private Replica replica(String name, SharedBlobs shared) throws IOException {
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

    private Digest upstreamHas(byte[] layer, Future<Void> gate) {
        Digest digest = Digest.sha256(layer);
        server.serveAfter("/" + digest.hex(), layer, gate);
        upstream.putBlob(digest, layer.length, () -> server.open("/" + digest.hex()));
        return digest;
    }

    private static byte[] layer(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** The blob as a client of {@code replica} receives it once complete. */
    private static byte[] pull(Replica replica, Digest digest) throws Exception {
        return read(Await.result(wholeBlob(replica, digest)));
    }

    /** What a GET of the whole blob is served from (a blob in the bucket: streamed from it). */
    private static Future<BlobSource> wholeBlob(Replica replica, Digest digest) {
        return replica.repository().blob(NGINX, digest).compose(BlobSource::whole);
    }

    private static byte[] read(BlobSource source) throws Exception {
        if (source instanceof BlobSource.Growing growing) {
            Await.result(growing.blob().done());
            return Files.readAllBytes(growing.blob().path());
        }
        try (BlobLease lease = ((BlobSource.Stored) source).lease()) {
            return Files.readAllBytes(lease.path());
        }
    }

    private static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(Await.TIMEOUT_SECONDS).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aBlobFetchedThroughOneReplicaIsServedByAnotherWithoutAnUpstreamGet() throws Exception {
        Replica a = replica("a");
        Replica b = replica("b");
        byte[] layer = layer(6 << 20, 1); // more than one 5 MiB part: shared as a multipart upload
        Digest digest = upstreamHas(layer, Future.succeededFuture());

        assertThat(pull(a, digest)).isEqualTo(layer);
        // b's miss waits for a's lease (held until a's copy is shared), then copies it
        assertThat(pull(b, digest)).isEqualTo(layer);

        assertThat(upstream.blobOpens).hasValue(1);
        assertThat(b.blobs().open(digest)).hasValueSatisfying(lease -> {
            assertThat(lease.size()).isEqualTo(layer.length);
            lease.close();
        });
    }

    @Test
    void concurrentColdRequestsThroughThreeReplicasCostOneUpstreamGet() throws Exception {
        List<Replica> replicas = List.of(replica("a"), replica("b"), replica("c"));
        byte[] layer = layer(300_000, 2);
        Promise<Void> gate = Promise.promise();
        Digest digest = upstreamHas(layer, gate.future());

        List<Future<BlobSource>> pulls = new ArrayList<>();
        for (int client = 0; client < 7; client++) {
            for (Replica replica : replicas) {
                pulls.add(wholeBlob(replica, digest));
            }
        }
        until(() -> upstream.blobOpens.get() == 1);
        Thread.sleep(500); // the other replicas are now polling the bucket, not the upstream
        gate.complete();

        for (Future<BlobSource> pull : pulls) {
            assertThat(read(Await.result(pull))).isEqualTo(layer);
        }
        assertThat(pulls).hasSize(21);
        assertThat(upstream.blobOpens).hasValue(1);
        assertThat(server.hits("/" + digest.hex())).isEqualTo(1);
    }

    @Test
    void aLeaseWhoseHolderDiedIsTakenOverOnceItLapses() throws Exception {
        byte[] layer = layer(100_000, 3);
        Digest digest = upstreamHas(layer, Future.succeededFuture());
        S3SharedBlobs dead = new S3SharedBlobs(bucket(), threads, Clock.systemUTC(), LEASE);
        assertThat(dead.claim(digest)).isPresent();
        dead.close(); // the holder is gone: nobody renews or releases its claim
        Replica b = replica("b");

        long started = System.nanoTime();
        assertThat(pull(b, digest)).isEqualTo(layer);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(LEASE.dividedBy(2));
        assertThat(upstream.blobOpens).hasValue(1);
        Bucket raw = bucket();
        until(() -> claims(raw, digest).isEmpty()); // the dead claim removed by the taker, its own released
    }

    private static List<Bucket.Listed> claims(Bucket bucket, Digest digest) {
        try {
            return bucket.list("cache/fetching/" + digest.algorithm() + "/" + digest.hex() + "/");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCorruptSharedObjectBreaksItsTransferIsNotStoredAndIsReplacedFromTheUpstream() throws Exception {
        byte[] layer = layer(100_000, 4);
        Digest digest = upstreamHas(layer, Future.succeededFuture());
        Bucket raw = bucket();
        byte[] corrupt = layer.clone();
        corrupt[500] ^= 1;
        raw.write("cache/blobs/sha256/" + digest.hex(), corrupt);
        Replica b = replica("b");

        // Streamed from the bucket as it is read: the mismatch is known at the end, and breaks the transfer.
        BlobSource streamed = Await.result(wholeBlob(b, digest));
        assertThat(streamed).isInstanceOf(BlobSource.Growing.class);
        assertThat(Await.failure(((BlobSource.Growing) streamed).blob().done())).isNotNull();
        assertThat(b.blobs().open(digest)).as("nothing stored").isEmpty();
        assertThat(upstream.blobOpens).hasValue(0);
        try (var temps = Files.list(root.resolve("b/tmp"))) {
            assertThat(temps).as("no temp file left").isEmpty();
        }

        // The next request does not trust the object again: it fetches from the upstream, and shares what verified.
        assertThat(pull(b, digest)).isEqualTo(layer);
        assertThat(upstream.blobOpens).hasValue(1);
        until(() -> {
            try {
                Optional<byte[]> shared = raw.read("cache/blobs/sha256/" + digest.hex(), 1 << 20);
                return shared.isPresent() && Arrays.equals(shared.get(), layer);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Replica c = replica("c");
        assertThat(pull(c, digest)).isEqualTo(layer);
        assertThat(upstream.blobOpens).hasValue(1);
    }

    /** {@code shared} as a replica sees it: its object reads recorded (and held back) by {@code reads}. */
    private static SharedBlobs observed(SharedBlobs shared, ObjectReads reads) {
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

    /** Pulls the blob through {@code a} and waits until a has shared it. */
    private Digest sharedThrough(Replica a, byte[] layer) throws Exception {
        Digest digest = upstreamHas(layer, Future.succeededFuture());
        assertThat(pull(a, digest)).isEqualTo(layer);
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

    @Test
    void aSharedBlobIsServedWhileItIsStillReadFromTheBucketAndReadersShareOneGet() throws Exception {
        byte[] layer = layer(2 << 20, 6);
        Digest digest = sharedThrough(replica("a"), layer);
        ObjectReads reads = new ObjectReads().holdAfter(512 << 10);
        Replica b = replica("b", observed(shared(), reads));

        List<Future<BlobSource>> pulls = new ArrayList<>();
        for (int client = 0; client < 5; client++) {
            pulls.add(wholeBlob(b, digest));
        }
        GrowingBlob growing = ((BlobSource.Growing) Await.result(pulls.get(0))).blob();
        Await.until(() -> growing.written() >= 512 << 10);
        assertThat(growing.verified()).isFalse();
        assertThat(reads.finished()).as("the bucket GET is not over").isZero();
        for (Future<BlobSource> pull : pulls) {
            assertThat(((BlobSource.Growing) Await.result(pull)).blob()).as("one download for all").isSameAs(growing);
        }
        reads.release();

        assertThat(read(Await.result(pulls.get(0)))).isEqualTo(layer);
        assertThat(reads.reads()).hasSize(1);
        assertThat(upstream.blobOpens).as("only a's").hasValue(1);
    }

    @Test
    void aRangeOfASharedBlobIsReadFromTheBucketWithoutFetchingOrStoringIt() throws Exception {
        byte[] layer = layer(300_000, 7);
        Digest digest = sharedThrough(replica("a"), layer);
        ObjectReads reads = new ObjectReads();
        Replica b = replica("b", observed(shared(), reads));

        BlobSource source = Await.result(b.repository().blob(NGINX, digest));
        assertThat(source).isInstanceOf(BlobSource.Remote.class);
        RemoteBlob remote = ((BlobSource.Remote) source).blob();
        assertThat(Await.result(remote.size())).hasValue((long) layer.length);
        Context context = vertx.getOrCreateContext();
        InputStreamBody body = Await.result(remote.range(1_000, 50_000, context));
        Promise<Buffer> bytes = Promise.promise();
        context.runOnContext(v -> {
            Buffer all = Buffer.buffer();
            body.handler(all::appendBuffer).exceptionHandler(bytes::fail).endHandler(x -> bytes.complete(all));
            body.resume();
        });

        assertThat(Await.result(bytes.future()).getBytes()).isEqualTo(Arrays.copyOfRange(layer, 1_000, 51_000));
        assertThat(reads.reads()).containsExactly(new ObjectReads.Read(1_000, 50_000));
        assertThat(b.blobs().open(digest)).isEmpty();
        assertThat(upstream.blobOpens).hasValue(1);
    }

    @Test
    void withoutSharingEachReplicaFetchesForItself() throws Exception {
        Replica a = replica("a", SharedBlobs.NONE);
        Replica b = replica("b", SharedBlobs.NONE);
        byte[] layer = layer(10_000, 5);
        Digest digest = upstreamHas(layer, Future.succeededFuture());

        assertThat(pull(a, digest)).isEqualTo(layer);
        assertThat(pull(b, digest)).isEqualTo(layer);

        assertThat(upstream.blobOpens).hasValue(2);
    }
}
