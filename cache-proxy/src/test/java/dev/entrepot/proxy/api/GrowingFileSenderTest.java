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
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
            new GrowingFileSender(vertx, context, request.response(), download, sentBytes::complete, serveStored)
                    .start();
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
    void untilTheDigestVerifiesTheLastWrittenByteIsHeldBack() throws Exception {
        byte[] blob = content(250_000, 5);
        int firstPart = 100_000;
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/blob", blob, firstPart, rest.future());
        Download download = download(Digest.sha256(blob), "/blob");
        Await.result(progressed(download, firstPart));
        serving.set(download);

        Promise<Long> almostAll = Promise.promise();
        long[] received = new long[1];
        vertx.getOrCreateContext().runOnContext(v -> client.request(HttpMethod.GET, proxy.actualPort(), "127.0.0.1", "/")
                .compose(request -> request.send())
                .onSuccess(response -> response.handler(chunk -> {
                    received[0] += chunk.length();
                    if (received[0] >= firstPart - 1 && almostAll.tryComplete(received[0])) {
                        response.request().connection().close();
                    }
                })));

        assertThat(Await.result(almostAll.future())).isEqualTo(firstPart - 1);
        assertThat(Await.result(sentBytes)).isEqualTo(firstPart - 1);
        rest.complete();
        Await.result(download.done());
    }

    @Test
    void aClientArrivingWhileTheBlobIsRenamedIntoTheStoreWaitsForTheStoredFile() throws Exception {
        byte[] blob = content(120_000, 6);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/blob", blob);
        CommitHoldingStore holding = new CommitHoldingStore(store);
        InflightFetches slowCommits = new InflightFetches(vertx, holding, disk,
                new ProxyMetrics(new SimpleMeterRegistry()), d -> { });
        Download download = download(slowCommits, digest, "/blob");
        Await.result(holding.renamed);
        // The window: the temp file is gone, the download has not published its stored path yet.
        assertThat(download.done().isComplete()).isFalse();
        assertThat(download.path()).doesNotExist();
        serving.set(download);

        Future<Buffer> body = pull();
        assertThat(Await.result(startedWhileGrowing)).isTrue();
        // Give the sender time to find the temp file gone before the commit finishes.
        vertx.setTimer(200, id -> holding.release.complete(null));

        assertThat(Await.result(body).getBytes()).isEqualTo(blob);
        assertThat(Await.result(sentBytes)).isEqualTo(blob.length);
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

        Future<Buffer> body = pull();
        assertThat(Await.result(startedWhileGrowing)).isTrue();
        rest.complete();

        Await.failure(body);
        assertThat(Await.failure(download.done())).isNotNull();
        assertThat(Await.result(sentBytes)).as("the last byte is held back until the digest verifies")
                .isLessThan(blob.length);
    }

    /** Holds each commit after its rename, before the download learns the stored path. */
    private static final class CommitHoldingStore extends ForwardingBlobStore {
        final CompletableFuture<Void> renamed = new CompletableFuture<>();
        final CompletableFuture<Void> release = new CompletableFuture<>();

        CommitHoldingStore(BlobStore delegate) {
            super(delegate);
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
                    writer.write(bytes);
                }

                @Override
                public long written() {
                    return writer.written();
                }

                @Override
                public Path commit() throws IOException {
                    Path stored = writer.commit();
                    renamed.complete(null);
                    try {
                        release.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IOException("commit never released", e);
                    }
                    return stored;
                }

                @Override
                public void close() {
                    writer.close();
                }
            };
        }
    }
}
