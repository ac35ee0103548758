package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.SilentServer;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What clients see when the upstream misbehaves and nothing usable is cached: corrupted bytes
 * (an error, nothing stored, the next request fetches again), 503s, refused connections, an
 * upstream that never answers, and 429. Always an OCI error, quickly, never a hang.
 */
class FailureModesIT {
    private static final Duration QUICK = Duration.ofSeconds(10);
    private static final Teardown TEARDOWN = new Teardown();
    private static Path work;
    private static Upstream upstream;
    private static SilentServer silent;
    private static EntrepotProxy proxy;
    private static OciClient client;
    private static Image corrupt;
    private static Image manifestCorrupt;
    private static Image down;
    private static Image limited;
    private static Image counted;

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(FailureModesIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        silent = TEARDOWN.add(SilentServer.start());
        ImageGenerator images = upstream.images();
        corrupt = images.image("corrupt", "amd64", 2_000_000);
        upstream.push(corrupt.manifest(), "library/corrupt:1");
        manifestCorrupt = images.image("manifest-corrupt", "amd64", 50_000);
        upstream.push(manifestCorrupt.manifest(), "library/mcorrupt:1");
        counted = images.image("counted", "amd64", 1_000_000);
        upstream.push(counted.manifest(), "library/counted:1");
        down = images.image("down", "amd64", 100_000);
        upstream.push(down.manifest(), "library/down:1");
        limited = images.image("limited", "amd64", 100_000);
        upstream.push(limited.manifest(), "library/limited:1");
        ProxyConfig config = ProxyConfig.hub(upstream.url().toString(), "1h")
                .remote("dead", "http://127.0.0.1:1", "1h", null)
                .remote("silent", silent.url(), "1h", null);
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config));
        client = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @AfterEach
    void healUpstream() {
        upstream.front().clearFaults();
    }

    @Test
    void aCorruptBlobIsAClientErrorAndIsNotStored() {
        Layer layer = corrupt.layers().get(0);
        String digest = layer.descriptor().digest();
        upstream.front().corrupt(layer.descriptor().hex());

        OciClient.Download bad = client.blob("hub/library/corrupt", digest, Duration.ofSeconds(60));
        assertThat(bad.status() != 200 || bad.failure() != null)
                .as("a corrupt download must not end as a clean 200: %s", bad).isTrue();
        assertThat(bad.complete(digest)).isFalse();
        assertNothingStored(digest);

        // the failure is not remembered as content: the next request asks again, and fails again
        OciClient.Download again = client.blob("hub/library/corrupt", digest, Duration.ofSeconds(60));
        assertThat(again.complete(digest)).isFalse();
        assertThat(upstream.front().gets("/blobs/" + digest)).isEqualTo(2);
        assertNothingStored(digest);
        assertThat(Skopeo.copy(proxy.ref("hub/library/corrupt:1"), "dir:" + work.resolve("corrupt-pull")).ok())
                .as("skopeo pull of the corrupt image").isFalse();
        assertNothingStored(digest);

        upstream.front().clearFaults();
        OciClient.Download good = client.blob("hub/library/corrupt", digest, Duration.ofSeconds(60));
        assertThat(good.complete(digest)).as("%s", good).isTrue();
        Poll.until(QUICK, () -> Files.isRegularFile(proxy.blobFile(digest)), () -> "blob stored at " + proxy.blobFile(digest));
        assertThat(Digests.sha256(proxy.blobFile(digest))).isEqualTo(digest);
        Skopeo.copyOk(proxy.ref("hub/library/corrupt:1"), "dir:" + work.resolve("corrupt-pull-fixed"));
    }

    @Test
    void aCorruptDownloadIsCountedAsAnError() {
        Layer layer = counted.layers().get(0);
        String digest = layer.descriptor().digest();
        upstream.front().corrupt(layer.descriptor().hex());
        PrometheusText before = proxy.metrics();
        assertThat(client.blob("hub/library/counted", digest, Duration.ofSeconds(60)).complete(digest)).isFalse();
        Poll.until(QUICK, () -> delta(before, proxy.metrics(), "entrepot_requests_total", "repository", "hub",
                        "kind", "blob", "result", "error") >= 1,
                () -> "a blob error counted: " + proxy.metrics());
    }

    @Test
    void aCorruptManifestByDigestIsRejected() {
        String digest = manifestCorrupt.manifest().digest();
        upstream.front().corrupt(manifestCorrupt.manifest().hex());
        OciClient.Response bad = client.manifest("hub/library/mcorrupt", digest);
        assertThat(bad.status()).as("%s", bad).isGreaterThanOrEqualTo(400);
        assertThat(OciErrors.codes(bad)).isNotEmpty();
        assertNothingStored(digest);

        upstream.front().clearFaults();
        OciClient.Response good = client.manifest("hub/library/mcorrupt", digest);
        assertThat(good.status()).as("%s", good).isEqualTo(200);
        assertThat(Digests.sha256(good.body())).isEqualTo(digest);
    }

    @Test
    void upstream503WithNothingCachedIsUnavailable() {
        upstream.front().unavailable(true);
        PrometheusText before = proxy.metrics();
        String layer = down.layers().get(0).descriptor().digest();
        assertQuickError(() -> client.manifest("hub/library/down", "1"), 503, "UNAVAILABLE");
        assertQuickError(() -> client.manifest("hub/library/down", down.manifest().digest()), 503, "UNAVAILABLE");
        assertQuickError(() -> client.get("/v2/hub/library/down/blobs/" + layer, null), 503, "UNAVAILABLE");
        OciClient.Response head = client.head("/v2/hub/library/down/blobs/" + layer, null);
        assertThat(head.status()).as("%s", head).isEqualTo(503);
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "result", "error"))
                .as("%s", after).isGreaterThanOrEqualTo(3);
        assertThat(delta(before, after, "entrepot_upstream_requests_total", "repository", "hub", "status", "503"))
                .isGreaterThanOrEqualTo(3);

        // nothing was cached as content: once the upstream is back the same requests succeed
        upstream.front().clearFaults();
        OciClient.Response manifest = client.manifest("hub/library/down", "1");
        assertThat(manifest.status()).as("%s", manifest).isEqualTo(200);
        assertThat(manifest.header("Docker-Content-Digest")).isEqualTo(down.manifest().digest());
        assertThat(client.blob("hub/library/down", layer, Duration.ofSeconds(30)).complete(layer)).isTrue();
    }

    @Test
    void refusedConnectionsWithNothingCachedAreUnavailable() {
        String digest = "sha256:" + "ab".repeat(32);
        assertQuickError(() -> client.manifest("dead/library/anything", "latest"), 503, "UNAVAILABLE");
        assertQuickError(() -> client.manifest("dead/library/anything", digest), 503, "UNAVAILABLE");
        assertQuickError(() -> client.get("/v2/dead/library/anything/blobs/" + digest, null), 503, "UNAVAILABLE");
        assertQuickError(() -> client.get("/v2/dead/library/anything/tags/list", null), 503, "UNAVAILABLE");
        assertThat(proxy.metrics().sum("entrepot_upstream_requests_total", "repository", "dead", "status", "0"))
                .as("no-answer exchanges are counted with status 0").isGreaterThanOrEqualTo(1);
    }

    @Test
    void anUpstreamThatNeverAnswersIsCutByATimeout() {
        long start = System.nanoTime();
        OciClient.Response response = client.send("GET", "/v2/silent/library/anything/manifests/latest",
                ImageGenerator.ACCEPT_ALL_MANIFESTS, Duration.ofSeconds(65));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(silent.connections()).as("the proxy did connect").isPositive();
        OciErrors.assertError(response, 503, "UNAVAILABLE");
        assertThat(took).as("time to the error").isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void rateLimitingWithNothingCachedIsTooManyRequests() {
        upstream.front().failWith(429, "2");
        OciClient.Response limitedManifest = client.manifest("hub/library/limited", "1");
        OciErrors.assertError(limitedManifest, 429, "TOOMANYREQUESTS");
        assertThat(limitedManifest.header("Retry-After")).as("Retry-After passed on").isNotNull();
        String layer = limited.layers().get(0).descriptor().digest();
        assertQuickError(() -> client.get("/v2/hub/library/limited/blobs/" + layer, null), 429, "TOOMANYREQUESTS");
        assertThat(upstream.front().any("/v2/library/limited/")).isPositive();

        upstream.front().clearFaults();
        // Retry-After is honoured, so success comes back once it has passed, and not much later
        Poll.until(Duration.ofSeconds(8), () -> client.manifest("hub/library/limited", "1").status() == 200,
                () -> "manifest served again after Retry-After");
    }

    private static void assertQuickError(Supplier<OciClient.Response> request, int status, String code) {
        long start = System.nanoTime();
        OciClient.Response response = request.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        OciErrors.assertError(response, status, code);
        assertThat(took).as("time to the error for %s", response).isLessThan(QUICK);
    }

    private static void assertNothingStored(String digest) {
        Poll.until(QUICK, () -> proxy.tempFiles().isEmpty(), () -> "temp files removed: " + proxy.tempFiles());
        assertThat(proxy.blobFile(digest)).doesNotExist();
    }
}
