package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One upstream fetch per digest: concurrent cold requests share one download, counted at the
 * counting front. The upstream body is throttled so the requests really overlap, and followers
 * must get bytes while the download is still running (they stream from the growing temp file).
 */
class CoalescingIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static Path work;
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static Image crowd;
    private static Image stream;
    private static Image layered;
    private static Image pressure;

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(CoalescingIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        ImageGenerator images = upstream.images();
        crowd = images.image("crowd", "amd64", 16L << 20);
        upstream.push(crowd.manifest(), "library/crowd:1");
        stream = images.image("stream", "amd64", 8L << 20);
        upstream.push(stream.manifest(), "library/stream:1");
        pressure = images.image("pressure", "amd64", 24L << 20);
        upstream.push(pressure.manifest(), "library/pressure:1");
        layered = images.image("layered", "amd64", 1_000_000, 2_000_000, 3_000_000);
        upstream.push(layered.manifest(), "library/layered:1");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), ProxyConfig.hub(upstream.url().toString(), "1h")));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void twentyConcurrentColdGetsMakeOneUpstreamGet() throws Exception {
        Layer layer = crowd.layers().get(0);
        String digest = layer.descriptor().digest();
        upstream.front().throttle(layer.descriptor().hex(), 6L << 20); // ~3 s: everyone arrives while it runs
        PrometheusText before = proxy.metrics();

        int clients = 20;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<OciClient.Download>> downloads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                OciClient client = proxy.client(); // one connection each
                downloads.add(pool.submit(() -> {
                    start.await();
                    return client.blob("hub/library/crowd", digest, TIMEOUT);
                }));
            }
            start.countDown();
            for (Future<OciClient.Download> download : downloads) {
                OciClient.Download result = download.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(result.complete(digest)).as("%s", result).isTrue();
                assertThat(result.contentLength()).isEqualTo(Long.toString(layer.descriptor().size()));
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(upstream.front().gets("/blobs/" + digest)).as("upstream GETs, %s", upstream.front().snapshot()).isEqualTo(1);
        // Served bytes are counted once a response has been written out, which can follow a client's last byte.
        double served = (double) clients * layer.descriptor().size();
        Poll.until(Duration.ofSeconds(30), () -> delta(before, proxy.metrics(), "entrepot_served_bytes_total",
                "repository", "hub") >= served, () -> "served bytes of " + clients + " responses counted: "
                + delta(before, proxy.metrics(), "entrepot_served_bytes_total", "repository", "hub"));
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_coalesced_requests_total")).as("%s", after).isEqualTo(clients - 1);
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "kind", "blob"))
                .as("every request counted once, %s", after).isEqualTo(clients);
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "kind", "blob", "result", "error"))
                .isZero();
        assertThat(delta(before, after, "entrepot_upstream_fetched_bytes_total", "repository", "hub"))
                .isEqualTo((double) layer.descriptor().size());
        assertThat(delta(before, after, "entrepot_served_bytes_total", "repository", "hub")).isEqualTo(served);

        // and now it is simply cached
        assertThat(proxy.client().blob("hub/library/crowd", digest, TIMEOUT).complete(digest)).isTrue();
        assertThat(upstream.front().gets("/blobs/" + digest)).isEqualTo(1);
    }

    @Test
    void followersStreamWhileTheDownloadIsStillRunning() throws Exception {
        Layer layer = stream.layers().get(0);
        String digest = layer.descriptor().digest();
        long size = layer.descriptor().size();
        upstream.front().throttle(layer.descriptor().hex(), 2L << 20); // ~4 s
        URI url = proxy.url().resolve("/v2/hub/library/stream/blobs/" + digest);

        long t0 = System.nanoTime();
        CompletableFuture<OciClient.Download> leader = CompletableFuture.supplyAsync(
                () -> proxy.client().blob("hub/library/stream", digest, TIMEOUT));
        Poll.until(Duration.ofSeconds(10), () -> !proxy.tempFiles().isEmpty(),
                () -> "a temp file for the download");
        Poll.sleep(Duration.ofMillis(500));

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> follower = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(follower.statusCode()).isEqualTo(200);
        long followerBytes;
        long firstBytesNanos;
        var sha = Digests.newSha256();
        try (InputStream in = follower.body()) {
            byte[] buffer = new byte[64 * 1024];
            int n = in.readNBytes(buffer, 0, buffer.length);
            firstBytesNanos = System.nanoTime() - t0;
            sha.update(buffer, 0, n);
            followerBytes = n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
                followerBytes += n;
            }
        }
        OciClient.Download first = leader.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long leaderDoneNanos = System.nanoTime() - t0; // an upper bound of when the leader finished

        assertThat(first.complete(digest)).as("%s", first).isTrue();
        assertThat(followerBytes).isEqualTo(size);
        assertThat(Digests.hex(sha)).isEqualTo(digest);
        assertThat(upstream.front().gets("/blobs/" + digest)).isEqualTo(1);
        double expectedSeconds = size / (double) (2L << 20);
        assertThat(firstBytesNanos / 1e9)
                .as("follower's first bytes (s) must come well before the ~%.1f s download ends (leader done by %.1f s)",
                        expectedSeconds, leaderDoneNanos / 1e9)
                .isLessThan(expectedSeconds - 1.5);
    }

    /**
     * Back-pressure while the blob is still arriving: readers that stall (full socket buffers) and
     * then read fast must still get exactly the upstream's bytes, as must a reader that never stalls.
     */
    @Test
    void slowAndFastReadersOfAGrowingBlobGetExactBytes() throws Exception {
        Layer layer = pressure.layers().get(0);
        String digest = layer.descriptor().digest();
        upstream.front().throttle(layer.descriptor().hex(), 12L << 20); // ~2 s
        URI url = proxy.url().resolve("/v2/hub/library/pressure/blobs/" + digest);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long pauseEveryBytes = i == 0 ? 0 : (1L << 20) * i;
                readers.add(pool.submit(() -> readWithPauses(url, pauseEveryBytes)));
            }
            for (Future<String> reader : readers) {
                assertThat(reader.get(2, TimeUnit.MINUTES)).isEqualTo(digest);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(upstream.front().gets("/blobs/" + digest)).isEqualTo(1);
    }

    /** sha256 of the whole body, read in 16 KiB steps with a 150 ms stall every {@code pauseEveryBytes}. */
    private static String readWithPauses(URI url, long pauseEveryBytes) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        var sha = Digests.newSha256();
        long total = 0;
        long sincePause = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
                total += n;
                sincePause += n;
                if (pauseEveryBytes > 0 && sincePause >= pauseEveryBytes) {
                    sincePause = 0;
                    Poll.sleep(Duration.ofMillis(150));
                }
            }
        }
        return Digests.hex(sha) + (total == 0 ? " (empty)" : "");
    }

    @Test
    void concurrentSkopeoPullsFetchEachBlobOnce() throws Exception {
        for (Layer layer : layered.layers()) {
            upstream.front().throttle(layer.descriptor().hex(), 2L << 20);
        }
        int pulls = 4;
        ExecutorService pool = Executors.newFixedThreadPool(pulls);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < pulls; i++) {
                Path out = work.resolve("skopeo-" + i);
                futures.add(pool.submit(() -> Skopeo.copyOk(proxy.ref("hub/library/layered:1"), "dir:" + out)));
            }
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Layer layer : layered.layers()) {
            assertThat(upstream.front().gets("/blobs/" + layer.descriptor().digest()))
                    .as("GETs of %s, %s", layer.descriptor().digest(), upstream.front().snapshot()).isEqualTo(1);
        }
        assertThat(upstream.front().gets("/blobs/" + layered.config().digest())).isEqualTo(1);
    }
}
