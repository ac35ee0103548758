package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.store.ForwardingBlobWriter;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.BlobServer;
import dev.entrepot.proxy.testing.ForwardingBlobStore;
import dev.entrepot.proxy.testing.MutableClock;
import dev.entrepot.proxy.upstream.UpstreamException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InflightFetchesTest {
    @TempDir
    Path root;

    private Vertx vertx;
    private ExecutorService disk;
    private BlobServer upstream;
    private FsBlobStore store;
    private SimpleMeterRegistry registry;
    private RepositoryMetrics repo;
    private final List<Digest> stored = new CopyOnWriteArrayList<>();
    /** onStored runs just after the download completes: wait for it rather than race it. */
    private final CompletableFuture<Digest> firstStored = new CompletableFuture<>();
    private InflightFetches fetches;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        disk = Executors.newFixedThreadPool(2);
        upstream = BlobServer.start(vertx);
        store = new FsBlobStore(root, new MutableClock(1_000), (digest, size) -> { });
        registry = new SimpleMeterRegistry();
        ProxyMetrics metrics = new ProxyMetrics(registry);
        repo = metrics.repository("dockerhub");
        fetches = new InflightFetches(vertx, store, disk, metrics, this::onStored);
    }

    private void onStored(Digest digest) {
        stored.add(digest);
        firstStored.complete(digest);
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

    /** Opens {@code path} on the test upstream and counts how often it is asked to. */
    private static final class CountingOpener implements Supplier<Future<HttpClientResponse>> {
        private final AtomicInteger calls = new AtomicInteger();
        private final Supplier<Future<HttpClientResponse>> open;

        CountingOpener(Supplier<Future<HttpClientResponse>> open) {
            this.open = open;
        }

        @Override
        public Future<HttpClientResponse> get() {
            calls.incrementAndGet();
            return open.get();
        }

        int calls() {
            return calls.get();
        }
    }

    private CountingOpener opener(String path) {
        return new CountingOpener(() -> upstream.open(path));
    }

    /**
     * Fetches from the client's event loop, as the proxy does: the upstream response is then handled in the tick
     * it arrives in. From the test thread, a response could fail (connection closed) before its handlers are set.
     */
    private Future<BlobSource> fetchOnLoop(Digest digest, Supplier<Future<HttpClientResponse>> open, RepositoryMetrics metrics) {
        Promise<BlobSource> result = Promise.promise();
        upstream.clientContext().runOnContext(v -> fetches.fetch(digest, open, metrics).onComplete(result));
        return result.future();
    }

    private Download growing(Future<BlobSource> fetched) throws Exception {
        BlobSource source = Await.result(fetched);
        assertThat(source).isInstanceOf(BlobSource.Growing.class);
        return (Download) ((BlobSource.Growing) source).blob();
    }

    private byte[] storedBytes(Digest digest) throws IOException {
        try (BlobLease lease = store.open(digest).orElseThrow(() -> new AssertionError(digest + " not stored"))) {
            return Files.readAllBytes(lease.path());
        }
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
            return files.toList();
        }
    }

    private double coalesced() {
        return registry.get(ProxyMetrics.COALESCED_REQUESTS).counter().count();
    }

    /** Completes once {@code download} has at least {@code bytes} on disk (or finished). */
    private Future<Long> progressed(Download download, long bytes) {
        Promise<Long> reached = Promise.promise();
        watch(download, bytes, vertx.getOrCreateContext(), reached);
        return reached.future();
    }

    private void watch(Download download, long bytes, Context context, Promise<Long> reached) {
        long seen = download.written();
        if (seen >= bytes || download.done().isComplete()) {
            reached.tryComplete(seen);
            return;
        }
        download.whenProgressed(seen, context, () -> watch(download, bytes, context, reached));
    }

    // ---- one download ----

    @Test
    void aMissDownloadsVerifiesAndStores() throws Exception {
        byte[] blob = content(200_000, 1);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/blob", blob);
        CountingOpener open = opener("/blob");

        Download download = growing(fetches.fetch(digest, open, repo));
        Await.result(download.done());

        assertThat(open.calls()).isEqualTo(1);
        assertThat(download.succeeded()).isTrue();
        assertThat(download.size()).isEqualTo(blob.length);
        assertThat(download.written()).isEqualTo(blob.length);
        assertThat(storedBytes(digest)).isEqualTo(blob);
        assertThat(download.path()).isEqualTo(store.open(digest).orElseThrow().path());
        assertThat(Await.result(firstStored)).isEqualTo(digest);
        assertThat(stored).containsExactly(digest);
        assertThat(tempFiles()).isEmpty();
        assertThat(fetches.inflight()).isZero();
        assertThat(registry.get(ProxyMetrics.UPSTREAM_FETCHED_BYTES).counter().count()).isEqualTo(blob.length);
    }

    @Test
    void afterCompletionAFetchIsServedFromTheStore() throws Exception {
        byte[] blob = content(10_000, 2);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/blob", blob);
        CountingOpener open = opener("/blob");
        Await.result(growing(fetches.fetch(digest, open, repo)).done());

        BlobSource again = Await.result(fetches.fetch(digest, open, repo));

        assertThat(again).isInstanceOf(BlobSource.Stored.class);
        try (BlobLease lease = ((BlobSource.Stored) again).lease()) {
            assertThat(lease.size()).isEqualTo(blob.length);
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(blob);
        }
        assertThat(open.calls()).isEqualTo(1);
        assertThat(upstream.hits("/blob")).isEqualTo(1);
        assertThat(coalesced()).isZero();
    }

    @Test
    void aStreamWithoutContentLengthIsStored() throws Exception {
        byte[] blob = content(100_000, 3);
        Digest digest = Digest.sha256(blob);
        upstream.serveChunked("/blob", blob, 7_000);

        Download download = growing(fetches.fetch(digest, opener("/blob"), repo));
        Await.result(download.done());

        assertThat(download.size()).isEqualTo(-1);
        assertThat(storedBytes(digest)).isEqualTo(blob);
    }

    @Test
    void aBlobLargerThanTheWriteBacklogIsStoredWhole() throws Exception {
        byte[] blob = content(12 << 20, 4); // above the 4 MiB backlog that pauses the upstream
        Digest digest = Digest.sha256(blob);
        upstream.serve("/big", blob);

        Download download = growing(fetches.fetch(digest, opener("/big"), repo));
        Await.result(download.done());

        assertThat(storedBytes(digest)).isEqualTo(blob);
    }

    @Test
    void aSlowDiskPausesTheUpstreamAndEachPauseIsResumedOnce() throws Exception {
        byte[] blob = content(16 << 20, 14);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/big", blob);
        ForwardingBlobStore slowDisk = new ForwardingBlobStore(store) {
            @Override
            public BlobWriter newWriter(Digest expected) throws IOException {
                BlobWriter writer = delegate.newWriter(expected);
                return new SlowWriter(writer);
            }
        };
        InflightFetches slow = new InflightFetches(vertx, slowDisk, disk, new ProxyMetrics(registry), d -> { });
        AtomicInteger pauses = new AtomicInteger();
        AtomicInteger resumes = new AtomicInteger();

        Download download = growing(slow.fetch(digest, () -> upstream.open("/big")
                .map(response -> counting(response, pauses, resumes)), repo));
        Await.result(download.done());

        assertThat(storedBytes(digest)).isEqualTo(blob);
        assertThat(pauses.get()).as("the disk fell behind").isPositive();
        assertThat(resumes.get()).as("the first resume, then one per pause").isEqualTo(pauses.get() + 1);
    }

    /** The response, with its pause and resume calls counted. */
    private static HttpClientResponse counting(HttpClientResponse response, AtomicInteger pauses, AtomicInteger resumes) {
        return (HttpClientResponse) Proxy.newProxyInstance(HttpClientResponse.class.getClassLoader(),
                new Class<?>[] {HttpClientResponse.class}, (proxy, method, args) -> {
                    if (method.getName().equals("pause") && method.getParameterCount() == 0) {
                        pauses.incrementAndGet();
                    } else if (method.getName().equals("resume") && method.getParameterCount() == 0) {
                        resumes.incrementAndGet();
                    }
                    try {
                        Object result = method.invoke(response, args);
                        return result == response ? proxy : result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Writes as a slow disk would: a little wait before each chunk. */
    private static class SlowWriter extends ForwardingBlobWriter {
        SlowWriter(BlobWriter writer) {
            super(writer);
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.write(bytes);
        }
    }

    /** Fetches through a store whose commits (fsync + rename) wait for {@code commit}. */
    private InflightFetches commitGated(CountDownLatch commit) {
        ForwardingBlobStore slowCommit = new ForwardingBlobStore(store) {
            @Override
            public BlobWriter newWriter(Digest expected) throws IOException {
                return new SlowWriter(delegate.newWriter(expected)) {
                    @Override
                    public Path commit() throws IOException {
                        try {
                            commit.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return super.commit();
                    }
                };
            }
        };
        return new InflightFetches(vertx, slowCommit, disk, new ProxyMetrics(registry), d -> { });
    }

    private static void awaitVerified(Download download) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!download.verified() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(download.verified()).as("download verified").isTrue();
    }

    /** A request arriving once the bytes verified, while they are made durable, is served the stored blob. */
    @Test
    void aRequestAfterVerificationWaitsForTheCommitAndGetsTheStoredBlob() throws Exception {
        byte[] blob = content(300_000, 23);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/late", blob);
        CountDownLatch commit = new CountDownLatch(1);
        InflightFetches gated = commitGated(commit);
        CountingOpener opener = opener("/late");

        Download download = growing(gated.fetch(digest, opener, repo));
        awaitVerified(download);
        double coalescedBefore = coalesced();
        Future<BlobSource> late = gated.fetch(digest, opener, repo);
        Thread.sleep(100);
        assertThat(late.isComplete()).as("waits for the commit").isFalse();

        commit.countDown();
        BlobSource source = Await.result(late);
        assertThat(source).isInstanceOf(BlobSource.Stored.class);
        try (BlobLease lease = ((BlobSource.Stored) source).lease()) {
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(blob);
        }
        assertThat(coalesced()).as("not a coalesced miss").isEqualTo(coalescedBefore);
        assertThat(opener.calls()).isEqualTo(1);
    }

    /**
     * A download verified but still making its blob durable has sent its readers the last byte: asking for the
     * stored blob then (a mount, right after a pull) waits for the commit instead of answering "not here".
     */
    @Test
    void theStoredBlobOfAVerifiedDownloadIsWaitedForUntilCommitted() throws Exception {
        byte[] blob = content(300_000, 21);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/committing", blob);
        CountDownLatch commit = new CountDownLatch(1);
        InflightFetches gated = commitGated(commit);
        assertThat(Await.result(gated.stored(digest))).as("nothing in flight, nothing stored").isEmpty();

        Download download = growing(gated.fetch(digest, opener("/committing"), repo));
        awaitVerified(download);
        Future<Optional<BlobLease>> held = gated.stored(digest);
        Thread.sleep(100);
        assertThat(held.isComplete()).as("waits for the commit").isFalse();

        commit.countDown();
        try (BlobLease lease = Await.result(held).orElseThrow(() -> new AssertionError("not stored after commit"))) {
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(blob);
        }
    }

    @Test
    void theStoredBlobOfADownloadNotYetVerifiedIsNotWaitedFor() throws Exception {
        byte[] blob = content(400_000, 22);
        Digest digest = Digest.sha256(blob);
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/half", blob, 100_000, rest.future());

        Download download = growing(fetchOnLoop(digest, opener("/half"), repo));
        Future<Optional<BlobLease>> held = fetches.stored(digest);
        assertThat(download.verified()).as("still downloading").isFalse();
        assertThat(held.isComplete()).as("answered at once").isTrue();
        assertThat(Await.result(held)).isEmpty();
        rest.complete();
        Await.result(download.done());
        assertThat(Await.result(fetches.stored(digest))).isPresent();
    }

    @Test
    void anEmptyBlobIsStored() throws Exception {
        byte[] blob = new byte[0];
        Digest digest = Digest.sha256(blob);
        upstream.serve("/empty", blob);

        Download download = growing(fetches.fetch(digest, opener("/empty"), repo));
        Await.result(download.done());

        assertThat(storedBytes(digest)).isEmpty();
        assertThat(download.size()).isZero();
    }

    // ---- coalescing ----

    @Test
    void concurrentFetchesOfOneDigestShareOneUpstreamGet() throws Exception {
        int clients = 8;
        byte[] blob = content(300_000, 5);
        Digest digest = Digest.sha256(blob);
        Promise<Void> release = Promise.promise();
        upstream.serveAfter("/blob", blob, release.future());
        CountingOpener open = opener("/blob");

        ExecutorService callers = Executors.newFixedThreadPool(clients);
        List<Future<BlobSource>> results;
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Callable<Future<BlobSource>>> calls = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                calls.add(() -> {
                    go.await();
                    return fetches.fetch(digest, open, repo);
                });
            }
            List<java.util.concurrent.Future<Future<BlobSource>>> submitted = new ArrayList<>();
            for (Callable<Future<BlobSource>> call : calls) {
                submitted.add(callers.submit(call));
            }
            go.countDown();
            results = new ArrayList<>();
            for (java.util.concurrent.Future<Future<BlobSource>> f : submitted) {
                results.add(f.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(fetches.inflight()).isEqualTo(1);
        release.complete();

        List<Download> downloads = new ArrayList<>();
        for (Future<BlobSource> result : results) {
            downloads.add(growing(result));
        }
        assertThat(downloads).allSatisfy(d -> assertThat(d).isSameAs(downloads.get(0)));
        Await.result(downloads.get(0).done());
        assertThat(open.calls()).isEqualTo(1);
        assertThat(upstream.hits("/blob")).isEqualTo(1);
        assertThat(coalesced()).isEqualTo(clients - 1);
        assertThat(storedBytes(digest)).isEqualTo(blob);
        assertThat(Await.result(firstStored)).isEqualTo(digest);
        assertThat(stored).containsExactly(digest);
        assertThat(fetches.inflight()).isZero();
    }

    @Test
    void aLateRequestJoinsTheDownloadMidwayAndReadsTheGrowingFile() throws Exception {
        byte[] blob = content(512 * 1024, 6);
        int firstPart = 128 * 1024;
        Digest digest = Digest.sha256(blob);
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/blob", blob, firstPart, rest.future());
        CountingOpener open = opener("/blob");
        Download leader = growing(fetches.fetch(digest, open, repo));
        Await.result(progressed(leader, firstPart));

        Download follower = growing(fetches.fetch(digest, open, repo));

        assertThat(follower).isSameAs(leader);
        assertThat(follower.done().isComplete()).isFalse();
        assertThat(follower.size()).isEqualTo(blob.length);
        long written = follower.written();
        assertThat(written).isEqualTo(firstPart);
        byte[] soFar = Files.readAllBytes(follower.path());
        assertThat(Arrays.copyOf(soFar, (int) written)).isEqualTo(Arrays.copyOf(blob, firstPart));
        assertThat(store.open(digest)).isEmpty();

        rest.complete();
        Await.result(follower.done());

        assertThat(open.calls()).isEqualTo(1);
        assertThat(coalesced()).isEqualTo(1);
        assertThat(follower.written()).isEqualTo(blob.length);
        assertThat(Files.readAllBytes(follower.path())).isEqualTo(blob);
        assertThat(storedBytes(digest)).isEqualTo(blob);
    }

    @Test
    void aWaitingReaderIsWokenByProgressAndByTheEnd() throws Exception {
        byte[] blob = content(64 * 1024, 7);
        int firstPart = 16 * 1024;
        Digest digest = Digest.sha256(blob);
        Promise<Void> rest = Promise.promise();
        upstream.serveInTwoParts("/blob", blob, firstPart, rest.future());
        Download download = growing(fetches.fetch(digest, opener("/blob"), repo));
        Await.result(progressed(download, firstPart));

        Promise<Long> woken = Promise.promise();
        download.whenProgressed(firstPart, vertx.getOrCreateContext(), () -> woken.complete(download.written()));
        assertThat(woken.future().isComplete()).isFalse();
        rest.complete();

        assertThat(Await.result(woken.future())).isGreaterThan(firstPart);
        Await.result(download.done());
        Promise<Void> afterEnd = Promise.promise();
        download.whenProgressed(blob.length, vertx.getOrCreateContext(), afterEnd::complete);
        Await.result(afterEnd.future());
    }

    // ---- failures are never cached ----

    @Test
    void wrongBytesFailTheDownloadStoreNothingAndTheNextFetchOpensAgain() throws Exception {
        byte[] blob = content(50_000, 8);
        byte[] corrupt = blob.clone();
        corrupt[25_000] ^= 1;
        Digest digest = Digest.sha256(blob);
        upstream.serve("/corrupt", corrupt);
        upstream.serve("/good", blob);
        AtomicInteger attempt = new AtomicInteger();
        CountingOpener open = new CountingOpener(() ->
                upstream.open(attempt.getAndIncrement() == 0 ? "/corrupt" : "/good"));

        Download bad = growing(fetches.fetch(digest, open, repo));
        Throwable failure = Await.failure(bad.done());

        assertThat(failure).isInstanceOfSatisfying(OciException.class, e -> {
            assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
            assertThat(e.status()).isEqualTo(502);
        });
        assertThat(bad.failed()).isTrue();
        assertThat(store.open(digest)).isEmpty();
        assertThat(tempFiles()).isEmpty();
        assertThat(stored).isEmpty();
        assertThat(fetches.inflight()).isZero();

        Download good = growing(fetches.fetch(digest, open, repo));
        Await.result(good.done());

        assertThat(good).isNotSameAs(bad);
        assertThat(open.calls()).isEqualTo(2);
        assertThat(storedBytes(digest)).isEqualTo(blob);
    }

    @Test
    void aTransferCutShortStoresNothing() throws Exception {
        byte[] blob = content(100_000, 9);
        Digest digest = Digest.sha256(blob);
        upstream.serveTruncated("/blob", blob, 30_000);

        // The connection closes right after the first part: fetch on the loop, so handlers are set in time.
        Download download = growing(fetchOnLoop(digest, opener("/blob"), repo));
        Throwable failure = Await.failure(download.done());

        assertThat(failure).isInstanceOfSatisfying(OciException.class, e -> {
            assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
            assertThat(e.status()).isEqualTo(502);
        });
        assertThat(store.open(digest)).isEmpty();
        assertThat(tempFiles()).isEmpty();
        assertThat(fetches.inflight()).isZero();
    }

    @Test
    void anUpstreamFailureReachesEveryJoinerAndIsNotCached() throws Exception {
        byte[] blob = content(1_000, 10);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/blob", blob);
        Promise<HttpClientResponse> unavailable = Promise.promise();
        AtomicInteger attempt = new AtomicInteger();
        CountingOpener open = new CountingOpener(() ->
                attempt.getAndIncrement() == 0 ? unavailable.future() : upstream.open("/blob"));

        List<Future<BlobSource>> joined = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            joined.add(fetches.fetch(digest, open, repo));
        }
        UpstreamException down = new UpstreamException(503, "upstream answered 503");
        unavailable.fail(down);

        for (Future<BlobSource> f : joined) {
            assertThat(Await.failure(f)).isSameAs(down);
        }
        assertThat(open.calls()).isEqualTo(1);
        assertThat(fetches.inflight()).isZero();
        assertThat(stored).isEmpty();

        Download retry = growing(fetches.fetch(digest, open, repo));
        Await.result(retry.done());

        assertThat(open.calls()).isEqualTo(2);
        assertThat(storedBytes(digest)).isEqualTo(blob);
    }

    @Test
    void aStoreThatCannotWriteFailsTheFetchWithoutCachingTheFailure() throws Exception {
        byte[] blob = content(40_000, 13);
        Digest digest = Digest.sha256(blob);
        upstream.serve("/blob", blob);
        AtomicInteger writers = new AtomicInteger();
        ForwardingBlobStore fullDisk = new ForwardingBlobStore(store) {
            @Override
            public BlobWriter newWriter(Digest expected) throws IOException {
                if (writers.getAndIncrement() == 0) {
                    throw new IOException("No space left on device");
                }
                return super.newWriter(expected);
            }
        };
        InflightFetches onFullDisk = new InflightFetches(vertx, fullDisk, disk, new ProxyMetrics(registry), this::onStored);
        CountingOpener open = opener("/blob");

        Throwable failure = Await.failure(onFullDisk.fetch(digest, open, repo));

        assertThat(failure).isInstanceOfSatisfying(OciException.class, e -> {
            assertThat(e.status()).isEqualTo(502);
            assertThat(e.getMessage()).contains("No space left on device");
        });
        assertThat(onFullDisk.inflight()).isZero();
        assertThat(store.open(digest)).isEmpty();

        Download retry = growing(onFullDisk.fetch(digest, open, repo));
        Await.result(retry.done());
        assertThat(open.calls()).isEqualTo(2);
        assertThat(storedBytes(digest)).isEqualTo(blob);
    }

    @Test
    void differentDigestsDownloadIndependently() throws Exception {
        byte[] a = content(20_000, 11);
        byte[] b = content(30_000, 12);
        upstream.serve("/a", a);
        upstream.serve("/b", b);
        CountingOpener openA = opener("/a");
        CountingOpener openB = opener("/b");

        Download da = growing(fetches.fetch(Digest.sha256(a), openA, repo));
        Download db = growing(fetches.fetch(Digest.sha256(b), openB, repo));
        Await.result(da.done());
        Await.result(db.done());

        assertThat(da).isNotSameAs(db);
        assertThat(openA.calls()).isEqualTo(1);
        assertThat(openB.calls()).isEqualTo(1);
        assertThat(coalesced()).isZero();
        assertThat(storedBytes(Digest.sha256(a))).isEqualTo(a);
        assertThat(storedBytes(Digest.sha256(b))).isEqualTo(b);
    }
}
