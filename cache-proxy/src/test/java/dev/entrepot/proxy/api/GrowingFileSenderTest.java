package dev.entrepot.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.cache.Download;
import dev.entrepot.proxy.cache.InflightFetches;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.BlobServer;
import dev.entrepot.proxy.testing.ForwardingBlobStore;
import dev.entrepot.proxy.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client served from a download still in flight: it must get every byte once the digest verified, and a
 * broken transfer (never a complete-looking body) when it did not.
 */
class GrowingFileSenderTest {
    @TempDir
    Path root;

    private Vertx vertx;
    private ExecutorService disk;
    private BlobServer upstream;
    private FsBlobStore store;
    private InflightFetches fetches;
    private HttpServer proxy;
    private HttpClient client;
    private final AtomicReference<Download> serving = new AtomicReference<>();
    /** The senders' own pool: what they take from it and give back is theirs alone. */
    private final PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);
    private final CompletableFuture<Long> sentBytes = new CompletableFuture<>();
    /** Whether the download was still running when the proxy started sending. */
    private final CompletableFuture<Boolean> startedWhileGrowing = new CompletableFuture<>();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        disk = Executors.newFixedThreadPool(2);
        upstream = BlobServer.start(vertx);
        store = new FsBlobStore(root, new MutableClock(1_000), (digest, size) -> { });
        fetches = new InflightFetches(vertx, store, disk, new ProxyMetrics(new SimpleMeterRegistry()), d -> { });
        proxy = vertx.createHttpServer().requestHandler(request -> {
            Download download = serving.get();
            Context context = vertx.getOrCreateContext();
            if (download.size() >= 0) {
                request.response().putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(download.size()));
            } else {
                request.response().setChunked(true);
            }
            startedWhileGrowing.complete(!download.done().isComplete());
            // As BlobHandler does: a download already renamed into the store is served from the store, pinned.
            Runnable serveStored = () -> {
                BlobLease lease = store.open(download.digest()).orElseThrow();
                request.response().sendFile(lease.path().toString()).onComplete(ar -> {
                    lease.close();
                    sentBytes.complete(lease.size());
                });
            };
            new GrowingFileSender(vertx, context, request.response(), download, allocator, sentBytes::complete,
                    serveStored).start();
        });
        Await.result(proxy.listen(0, "127.0.0.1"));
        client = vertx.createHttpClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        Await.result(vertx.close());
        disk.shutdownNow();
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private Download download(Digest digest, String path) throws Exception {
        return download(fetches, digest, path);
    }

    private Download download(InflightFetches through, Digest digest, String path) throws Exception {
        BlobSource source = Await.result(through.fetch(digest, () -> upstream.open(path),
                new ProxyMetrics(new SimpleMeterRegistry()).repository("r")));
        assertThat(source).isInstanceOf(BlobSource.Growing.class);
        return (Download) ((BlobSource.Growing) source).blob();
    }

    /** GETs the blob through the sender; the body future fails when the transfer breaks. */
    private Future<Buffer> pull() {
        Promise<Buffer> body = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> client.request(HttpMethod.GET, proxy.actualPort(), "127.0.0.1", "/")
                .compose(request -> request.send())
                .compose(response -> response.body())
                .onComplete(body));
        return body.future();
    }

    /** Completes once {@code download} has at least {@code bytes} on disk. */
    private Future<Void> progressed(Download download, long bytes) {
        Promise<Void> reached = Promise.promise();
        Context context = vertx.getOrCreateContext();
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            long seen = download.written();
            if (seen >= bytes || download.done().isComplete()) {
                reached.tryComplete();
            } else {
                download.whenProgressed(seen, context, check[0]);
            }
        };
        check[0].run();
        return reached.future();
    }

    @Test
    void aClientJoiningMidDownloadGetsTheWholeBlob() throws Exception {
        byte[] blob = content(700_000, 1);
        Digest digest = Digest.sha256(blob);
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/blob", blob, 200_000, rest.future());
        Download download = download(digest, "/blob");
        Await.result(progressed(download, 200_000));
        serving.set(download);

        Future<Buffer> body = pull();
        assertThat(Await.result(startedWhileGrowing)).isTrue();
        rest.complete();

        assertThat(Await.result(body).getBytes()).isEqualTo(blob);
        assertThat(Await.result(sentBytes)).isEqualTo(blob.length);
        Await.result(download.done()); // the last byte went out once verified; the store may finish just after
        assertThat(download.succeeded()).isTrue();
    }

    @Test
    void aClientArrivingAfterTheEndIsServedFromTheStoredFile() throws Exception {
        byte[] blob = content(150_000, 2);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/blob", blob);
        Download download = download(digest, "/blob");
        Await.result(download.done());
        serving.set(download);

        assertThat(Await.result(pull()).getBytes()).isEqualTo(blob);
    }

    @Test
    void aStreamWithoutLengthIsSentChunked() throws Exception {
        byte[] blob = content(90_000, 3);
        Digest digest = Digest.sha256(blob);
        upstream.serveChunked("/blob", blob, 10_000);
        Download download = download(digest, "/blob");
        serving.set(download);

        assertThat(Await.result(pull()).getBytes()).isEqualTo(blob);
    }

    @Test
    void aClientGetsEveryByteTheDownloadHasExceptTheBlobsLast() throws Exception {
        byte[] blob = content(250_000, 5);
        int firstPart = 100_000;
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/blob", blob, firstPart, rest.future());
        Download download = download(Digest.sha256(blob), "/blob");
        Await.result(progressed(download, firstPart));
        serving.set(download);

        Receiver receiver = receive();
        assertThat(Await.result(receiver.reached(firstPart))).isEqualTo(firstPart);
        rest.complete();

        assertThat(Await.result(receiver.body())).isEqualTo(blob);
        assertThat(Await.result(sentBytes)).isEqualTo(blob.length);
    }

    @Test
    void untilTheDigestVerifiesTheBlobsLastByteIsHeldBack() throws Exception {
        byte[] blob = content(250_000, 5);
        upstream.serve("/blob", blob);
        HoldingStore holding = new HoldingStore(store);
        holding.verifyGate = new CompletableFuture<>();
        Download download = download(through(holding), Digest.sha256(blob), "/blob");
        Await.result(holding.verifying);
        serving.set(download);

        Receiver receiver = receive();
        assertThat(Await.result(receiver.reached(blob.length - 1))).isEqualTo(blob.length - 1);
        Await.result(pause(200));
        assertThat(receiver.received()).as("nothing more before the digest check").isEqualTo(blob.length - 1);
        assertThat(receiver.body().isComplete()).isFalse();
        holding.verifyGate.complete(null);

        assertThat(Await.result(receiver.body())).isEqualTo(blob);
        assertThat(Await.result(sentBytes)).isEqualTo(blob.length);
    }

    @Test
    void theLastByteGoesOutOnceVerifiedWithoutWaitingForFsyncAndRename() throws Exception {
        byte[] blob = content(300_000, 8);
        upstream.serve("/blob", blob);
        HoldingStore holding = new HoldingStore(store);
        holding.commitGate = new CompletableFuture<>();
        Download download = download(through(holding), Digest.sha256(blob), "/blob");
        serving.set(download);

        assertThat(Await.result(pull()).getBytes()).isEqualTo(blob);
        assertThat(download.done().isComplete()).as("still being made durable").isFalse();
        assertThat(store.open(download.digest())).isEmpty();
        holding.commitGate.complete(null);
        Await.result(download.done());
        assertThat(store.open(download.digest())).isPresent();
    }

    @Test
    void aClientCaughtUpWithTheDownloadGetsTheBytesFromMemoryBeforeTheDiskHasThem() throws Exception {
        byte[] blob = content(1 << 20, 9);
        upstream.serve("/blob", blob);
        HoldingStore holding = new HoldingStore(store);
        holding.writeGate = new CompletableFuture<>();
        Download download = download(through(holding), Digest.sha256(blob), "/blob");
        serving.set(download);

        Receiver receiver = receive();
        assertThat(Await.result(receiver.reached(blob.length - 1))).isEqualTo(blob.length - 1);
        assertThat(download.written()).as("nothing on disk yet").isZero();
        holding.writeGate.complete(null);

        assertThat(Await.result(receiver.body())).isEqualTo(blob);
        assertThat(Await.result(sentBytes)).isEqualTo(blob.length);
        Await.result(download.done());
    }

    @Test
    void aFollowingClientHoldsTheLastByteFromMemoryUntilTheDigestVerifies() throws Exception {
        byte[] blob = content(1 << 20, 11);
        upstream.serve("/blob", blob);
        HoldingStore holding = new HoldingStore(store);
        holding.writeGate = new CompletableFuture<>();
        holding.verifyGate = new CompletableFuture<>();
        Download download = download(through(holding), Digest.sha256(blob), "/blob");
        serving.set(download);

        Receiver receiver = receive();
        assertThat(Await.result(receiver.reached(blob.length - 1))).isEqualTo(blob.length - 1);
        holding.writeGate.complete(null);
        Await.result(holding.verifying);
        Await.result(pause(200));
        assertThat(receiver.received()).as("nothing more before the digest check").isEqualTo(blob.length - 1);
        assertThat(receiver.body().isComplete()).isFalse();
        holding.verifyGate.complete(null);

        assertThat(Await.result(receiver.body())).isEqualTo(blob);
    }

    @Test
    void aFollowingClientOfWrongBytesNeverGetsTheLastByte() throws Exception {
        byte[] blob = content(1 << 20, 12);
        byte[] corrupt = blob.clone();
        corrupt[1000] ^= 1;
        upstream.serve("/blob", corrupt);
        HoldingStore holding = new HoldingStore(store);
        holding.writeGate = new CompletableFuture<>();
        Download download = download(through(holding), Digest.sha256(blob), "/blob");
        serving.set(download);

        Receiver receiver = receive();
        assertThat(Await.result(receiver.reached(blob.length - 1))).isEqualTo(blob.length - 1);
        holding.writeGate.complete(null);

        Await.failure(receiver.body());
        Await.failure(download.done());
        assertThat(Await.result(sentBytes)).isEqualTo(blob.length - 1);
        assertThat(receiver.received()).isEqualTo(blob.length - 1);
    }

    @Test
    void aClientSlowerThanTheUpstreamFallsBackToTheFileAndGetsEveryByteOnce() throws Exception {
        byte[] blob = content(24 << 20, 10);
        int firstPart = 1 << 20;
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/blob", blob, firstPart, rest.future());
        Download download = download(Digest.sha256(blob), "/blob");
        Await.result(progressed(download, firstPart));
        serving.set(download);

        // caught up with the first part, the sender follows in memory; the rest comes faster than the client reads
        Receiver receiver = receiveSlowly(30);
        Await.result(receiver.reached(firstPart));
        rest.complete();

        byte[] body = Await.result(receiver.body());
        assertThat(body).hasSize(blob.length);
        assertThat(Digest.sha256(body)).isEqualTo(download.digest());
        assertThat(Await.result(sentBytes)).isEqualTo(blob.length);
        Await.result(download.done());
    }

    @Test
    void aClientArrivingWhileTheBlobIsRenamedIntoTheStoreWaitsForTheStoredFile() throws Exception {
        byte[] blob = content(120_000, 6);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/blob", blob);
        HoldingStore holding = new HoldingStore(store);
        holding.releaseAfterRename = new CompletableFuture<>();
        Download download = download(through(holding), digest, "/blob");
        Await.result(holding.renamed);
        // The window: the temp file is gone, the download has not published its stored path yet.
        assertThat(download.done().isComplete()).isFalse();
        assertThat(download.path()).doesNotExist();
        serving.set(download);

        Future<Buffer> body = pull();
        assertThat(Await.result(startedWhileGrowing)).isTrue();
        // Give the sender time to find the temp file gone before the commit finishes.
        vertx.setTimer(200, id -> holding.releaseAfterRename.complete(null));

        assertThat(Await.result(body).getBytes()).isEqualTo(blob);
        assertThat(Await.result(sentBytes)).isEqualTo(blob.length);
    }

    @Test
    void aSenderReadsTheFileIntoTwoBuffersAndGivesThemBackWhenItsClientLeaves() throws Exception {
        byte[] blob = content(3 << 20, 13);
        int firstPart = 2 << 20;
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/blob", blob, firstPart, rest.future());
        Download download = download(Digest.sha256(blob), "/blob");
        Await.result(progressed(download, firstPart));
        serving.set(download);

        // behind the file (it has 2 MiB): reads it, then leaves after 1 MiB
        Promise<Void> left = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> client.request(HttpMethod.GET, proxy.actualPort(), "127.0.0.1", "/")
                .compose(request -> request.send())
                .onSuccess(response -> {
                    long[] got = new long[1];
                    response.handler(chunk -> {
                        got[0] += chunk.length();
                        if (got[0] >= 1 << 20 && left.tryComplete()) {
                            response.request().connection().close();
                        }
                    });
                }));
        Await.result(left.future());
        Await.result(sentBytes);
        rest.complete();
        Await.result(download.done());

        long allocations = 0;
        for (PoolArenaMetric arena : allocator.metric().directArenas()) {
            allocations += arena.numAllocations();
        }
        assertThat(allocations).as("two buffers for a MiB read in pieces").isBetween(1L, 2L);
        assertThat(activeAllocations()).as("given back").isZero();
    }

    /** Buffers of the senders' pool in use, once a write still in flight at the end had time to fail. */
    private long activeAllocations() throws Exception {
        long active = 0;
        for (int attempt = 0; attempt < 100; attempt++) {
            active = 0;
            for (PoolArenaMetric arena : allocator.metric().directArenas()) {
                active += arena.numActiveAllocations();
            }
            if (active == 0) {
                break;
            }
            Thread.sleep(10);
        }
        return active;
    }

    @Test
    void aDigestMismatchBreaksTheTransferInsteadOfEndingIt() throws Exception {
        byte[] blob = content(300_000, 4);
        byte[] corrupt = blob.clone();
        corrupt[299_999] ^= 1;
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/blob", corrupt, 100_000, rest.future());
        Download download = download(Digest.sha256(blob), "/blob");
        Await.result(progressed(download, 100_000));
        serving.set(download);

        Receiver receiver = receive();
        assertThat(Await.result(startedWhileGrowing)).isTrue();
        Await.result(receiver.reached(1)); // the body has begun: a failure now can only break it
        rest.complete();

        Await.failure(receiver.body());
        assertThat(Await.failure(download.done())).isNotNull();
        assertThat(Await.result(sentBytes)).as("the last byte is held back until the digest verifies")
                .isLessThan(blob.length);
    }

    /** Holds its writers where a test says: before writing, before the digest check, before or after the commit. */
    private static final class HoldingStore extends ForwardingBlobStore {
        final CompletableFuture<Void> verifying = new CompletableFuture<>();
        final CompletableFuture<Void> renamed = new CompletableFuture<>();
        CompletableFuture<Void> writeGate = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> verifyGate = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> commitGate = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> releaseAfterRename = CompletableFuture.completedFuture(null);

        HoldingStore(BlobStore delegate) {
            super(delegate);
        }

        private static void await(CompletableFuture<Void> gate) throws IOException {
            try {
                gate.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("never released", e);
            }
        }

        @Override
        public BlobWriter newWriter(Digest expected) throws IOException {
            BlobWriter writer = delegate.newWriter(expected);
            return new BlobWriter() {
                @Override
                public Path path() {
                    return writer.path();
                }

                @Override
                public void write(ByteBuffer bytes) throws IOException {
                    await(writeGate);
                    writer.write(bytes);
                }

                @Override
                public long written() {
                    return writer.written();
                }

                @Override
                public void verify() throws IOException {
                    verifying.complete(null);
                    await(verifyGate);
                    writer.verify();
                }

                @Override
                public Path commit() throws IOException {
                    await(commitGate);
                    Path stored = writer.commit();
                    renamed.complete(null);
                    await(releaseAfterRename);
                    return stored;
                }

                @Override
                public void close() {
                    writer.close();
                }
            };
        }
    }

    /** A client's GET through the sender: what arrived so far, and the whole body once it ended. */
    private final class Receiver {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final AtomicLong count = new AtomicLong();
        private final Promise<byte[]> ended = Promise.promise();

        long received() {
            return count.get();
        }

        Future<byte[]> body() {
            return ended.future();
        }

        /** Completes once at least {@code bytes} arrived (with the count then); fails if the body fails first. */
        Future<Long> reached(long bytes) {
            Promise<Long> goal = Promise.promise();
            vertx.setPeriodic(5, id -> {
                if (count.get() >= bytes) {
                    vertx.cancelTimer(id);
                    goal.tryComplete(count.get());
                } else if (ended.future().failed()) {
                    vertx.cancelTimer(id);
                    goal.tryFail(ended.future().cause());
                }
            });
            return goal.future();
        }
    }

    private Receiver receive() {
        return receiveSlowly(0);
    }

    /** A client that stops reading for {@code pauseMillis} after each MiB (0: reads as fast as it can). */
    private Receiver receiveSlowly(int pauseMillis) {
        Receiver receiver = new Receiver();
        long[] sincePause = new long[1];
        vertx.getOrCreateContext().runOnContext(v -> client.request(HttpMethod.GET, proxy.actualPort(), "127.0.0.1", "/")
                .compose(request -> request.send())
                .onFailure(receiver.ended::tryFail)
                .onSuccess(response -> {
                    response.handler(chunk -> {
                        receiver.bytes.writeBytes(chunk.getBytes());
                        receiver.count.addAndGet(chunk.length());
                        sincePause[0] += chunk.length();
                        if (pauseMillis > 0 && sincePause[0] >= 1 << 20) {
                            sincePause[0] = 0;
                            response.pause();
                            vertx.setTimer(pauseMillis, id -> response.resume());
                        }
                    });
                    response.exceptionHandler(receiver.ended::tryFail);
                    response.endHandler(x -> receiver.ended.tryComplete(receiver.bytes.toByteArray()));
                }));
        return receiver;
    }

    private Future<Void> pause(long millis) {
        Promise<Void> over = Promise.promise();
        vertx.setTimer(millis, id -> over.complete());
        return over.future();
    }

    private InflightFetches through(BlobStore holding) {
        return new InflightFetches(vertx, holding, disk, new ProxyMetrics(new SimpleMeterRegistry()), d -> { });
    }
}
