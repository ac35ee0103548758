package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.TieredUpstreams;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Virtual repositories resolving by priority over real members: remotes {@code main} (100), {@code s1} and
 * {@code s2} (80) before three docker-registry upstreams, and the hosted {@code test} (20). {@code library/app}
 * exists in several of them with a different digest each, so the digest served says which member answered.
 * Upstreams are stopped for real (refused connections for {@code main}); the proxy connects with a 1 s timeout
 * and no retries. Clients, listings and pushes through a virtual repository: {@link VirtualClientsIT}.
 */
class VirtualIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final String APP = "library/app";
    private static final String MEMBERS_TTL = "2s";
    private static final Duration RESOLUTION_TTL = Duration.ofSeconds(2);
    private static final String[] MEMBERS = {"main:100", "s1:80", "s2:80", "test:20"};

    private static TieredUpstreams up;
    private static EntrepotProxy proxy;
    private static OciClient client;
    private static Image topMain;
    private static Image topS1;
    private static Image midS1;
    private static Image midS2;
    private static Image hotS1;
    private static Image foMain;
    private static Image foS1;
    private static Image staleMain;
    private static Image dhImage;
    private static Image tierS2;
    private static Image shared;
    private static HostedImage belowTest;
    private static HostedImage limitedTest;
    private static HostedImage lowTest;
    private static HostedImage solo;

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(VirtualIT.class);
        up = TEARDOWN.add(TieredUpstreams.start(work));
        topMain = TieredUpstreams.push(up.main(), APP + ":top");
        topS1 = TieredUpstreams.push(up.s1(), APP + ":top");
        TieredUpstreams.push(up.s2(), APP + ":top");
        midS1 = TieredUpstreams.push(up.s1(), APP + ":mid");
        midS2 = TieredUpstreams.push(up.s2(), APP + ":mid");
        hotS1 = TieredUpstreams.push(up.s1(), APP + ":hot");
        foMain = TieredUpstreams.push(up.main(), APP + ":fo");
        foS1 = TieredUpstreams.push(up.s1(), APP + ":fo");
        staleMain = TieredUpstreams.push(up.main(), APP + ":stale");
        TieredUpstreams.push(up.s1(), APP + ":stale");
        dhImage = TieredUpstreams.push(up.s2(), "library/dhimg:1");
        TieredUpstreams.push(up.s1(), APP + ":tier");
        tierS2 = TieredUpstreams.push(up.s2(), APP + ":tier");
        TieredUpstreams.push(up.s1(), APP + ":below");
        TieredUpstreams.push(up.s2(), APP + ":limited");
        TieredUpstreams.push(up.s2(), APP + ":limited-only");
        // the very same image (one digest) in main and s1
        shared = TieredUpstreams.push(up.main(), APP + ":shared");
        up.main().images().tag("shared", shared.manifest());
        up.s1().registry().push(up.main().images(), "shared", APP + ":shared");

        ProxyConfig config = up.remotes(new ProxyConfig(), "1s")
                .remote("dh", up.s2().url().toString(), "1h", "docker.io") // a Docker Hub remote: library/ rewrites
                .standard("test", false, null)
                .virtual("all", null, null, "fastest", MEMBERS_TTL, MEMBERS)
                .virtual("ordered", null, null, "ordered", MEMBERS_TTL, MEMBERS)
                .virtual("hot", null, null, null, "30s", MEMBERS)
                .virtual("mixed", null, null, null, null, "dh:100", "test:50");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config,
                List.of("-Dentrepot.upstream.connect-timeout=1s", "-Dentrepot.upstream.connect-retries=0")));
        client = proxy.client();
        PushClient push = PushClient.of(proxy);
        HostedImage.random("test-top", 20_000).push(push, "test/" + APP, "top");
        HostedImage.random("test-mid", 20_000).push(push, "test/" + APP, "mid");
        lowTest = HostedImage.random("test-low", 20_000).push(push, "test/" + APP, "low");
        solo = HostedImage.random("solo", 10_000).push(push, "test/solo", "1");
        belowTest = HostedImage.random("test-below", 10_000).push(push, "test/" + APP, "below");
        limitedTest = HostedImage.random("test-limited", 10_000).push(push, "test/" + APP, "limited");
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    // ---- resolution by priority ---------------------------------------------------------------------------------

    @Test
    void theTopPriorityMemberServesWhenItHasTheTag() {
        PrometheusText before = proxy.metrics();
        assertThat(digest("all", "top")).isEqualTo(topMain.manifest().digest());
        assertThat(digest("ordered", "top")).isEqualTo(topMain.manifest().digest());
        assertThat(delta(before, proxy.metrics(), "entrepot_virtual_requests_total",
                "repository", "all", "member", "main", "kind", "manifest")).isEqualTo(1);
    }

    @Test
    void withoutTheTopTheNextTierServes() {
        // fastest: both members of the 80 tier are asked at once, either may win
        assertThat(digest("all", "mid")).isIn(midS1.manifest().digest(), midS2.manifest().digest());
        // ordered: the one listed first
        assertThat(digest("ordered", "mid")).isEqualTo(midS1.manifest().digest());
    }

    @Test
    void onlyTheLowestHasItThenTheLowestServes() {
        assertThat(digest("all", "low")).isEqualTo(lowTest.digest());
        assertThat(digest("ordered", "low")).isEqualTo(lowTest.digest());
        lowTest.assertPullable(client, "all/" + APP, "low");
    }

    @Test
    void aTagInNoMemberIs404() {
        OciErrors.assertError(client.manifest("all/" + APP, "nowhere"), 404, "MANIFEST_UNKNOWN");
        OciErrors.assertError(client.manifest("all/library/nosuchimage", "1"), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void aDigestIsServedByWhicheverMemberHoldsItLocalCopiesFirst() {
        // s1's 'top' is hidden by main's for the tag, but reachable by its digest
        String hidden = topS1.manifest().digest();
        OciClient.Response first = client.manifest("all/" + APP, hidden);
        assertThat(first.status()).as("%s", first).isEqualTo(200);
        assertThat(Digests.sha256(first.body())).isEqualTo(hidden);
        int mainAsked = up.mainLog().count("/manifests/" + hidden);
        assertThat(up.s1().front().gets("/manifests/" + hidden)).isEqualTo(1);
        int s1Asked = up.s1().front().any("/manifests/" + hidden);

        OciClient.Response again = client.manifest("all/" + APP, hidden);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(up.mainLog().count("/manifests/" + hidden)).as("s1's local copy answers before main is asked")
                .isEqualTo(mainAsked);
        assertThat(up.s1().front().any("/manifests/" + hidden)).isEqualTo(s1Asked);
        // a hosted digest, by digest
        assertThat(Digests.sha256(client.manifest("ordered/" + APP, lowTest.digest()).body())).isEqualTo(lowTest.digest());
    }

    @Test
    void blobsComeOnceFromTheMemberThatServedTheManifest() throws Exception {
        String served = digest("all", "mid");
        boolean s1Served = served.equals(midS1.manifest().digest());
        Image image = s1Served ? midS1 : midS2;
        var servingFront = (s1Served ? up.s1() : up.s2()).front();
        var otherFront = (s1Served ? up.s2() : up.s1()).front();
        String layer = image.layers().get(0).descriptor().digest();

        List<OciClient.Download> downloads = concurrently(8,
                () -> client.blob("all/" + APP, layer, Duration.ofSeconds(30)));
        for (OciClient.Download download : downloads) {
            assertThat(download.complete(layer)).as("%s", download).isTrue();
            assertThat(download.bytes()).isEqualTo(image.layers().get(0).descriptor().size());
        }
        assertThat(servingFront.gets("/blobs/" + layer)).as("one upstream GET per digest").isEqualTo(1);
        assertThat(otherFront.any("/blobs/" + layer)).as("the other member of the tier").isZero();
        assertThat(up.mainLog().count("/blobs/" + layer)).as("main, higher but not the serving member").isZero();
    }

    @Test
    void aDockerHubMemberRewritesSingleSegmentNamesOthersTakeThemAsWritten() {
        assertThat(digest("mixed", "dhimg", "1")).isEqualTo(dhImage.manifest().digest());
        assertThat(up.s2().front().any("/v2/dhimg/")).as("the Docker Hub member asked for library/dhimg").isZero();
        assertThat(up.s2().front().any("/v2/library/dhimg/manifests/1")).isGreaterThanOrEqualTo(1);
        // dh asks its upstream for library/solo (absent), the hosted member has 'solo' as written
        assertThat(digest("mixed", "solo", "1")).isEqualTo(solo.digest());
        assertThat(up.s2().front().any("/v2/library/solo/manifests/1")).isEqualTo(1);
    }

    // ---- the resolution cache -----------------------------------------------------------------------------------

    @Test
    void aHotTagIsResolvedOnceWithinTheResolutionTtl() throws Exception {
        PrometheusText before = proxy.metrics();
        long started = System.nanoTime();
        List<String> digests = concurrently(100, () -> digest("hot", "hot"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).as("100 requests within the 30 s resolutionTtl").isLessThan(Duration.ofSeconds(30));
        assertThat(digests).containsOnly(hotS1.manifest().digest());
        assertThat(up.mainLog().count("/v2/" + APP + "/manifests/hot"))
                .as("main lacks 'hot' (its upstream answers 404): asked once, not per request, %s", up.mainLog().entries())
                .isEqualTo(1);
        assertThat(up.s2().front().any("/v2/" + APP + "/manifests/hot")).as("s2 lacks it too").isEqualTo(1);
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_virtual_resolution_seconds_count", "repository", "hot")).isEqualTo(1);
        assertThat(delta(before, after, "entrepot_virtual_requests_total",
                "repository", "hot", "member", "s1", "kind", "manifest")).isEqualTo(100);
    }

    // ---- failover -----------------------------------------------------------------------------------------------

    @Test
    void aStoppedTopUpstreamIsSkippedAndServesAgainAfterTheResolutionTtl() {
        assertThat(digest("all", "stale")).isEqualTo(staleMain.manifest().digest());
        Poll.sleep(RESOLUTION_TTL.plusMillis(300)); // past main's tagTtl (1 s) and the resolution of 'stale'
        PrometheusText before = proxy.metrics();
        long failedOverAt;
        up.main().registry().stop();
        try {
            long started = System.nanoTime();
            assertThat(digest("all", "fo")).isEqualTo(foS1.manifest().digest());
            failedOverAt = System.nanoTime();
            assertThat(Duration.ofNanos(failedOverAt - started)).as("refused at once, well within the connect timeout")
                    .isLessThan(Duration.ofSeconds(3));
            PrometheusText after = proxy.metrics();
            assertThat(delta(before, after, "entrepot_virtual_failovers_total", "repository", "all", "member", "main"))
                    .as("%s", after).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "entrepot_virtual_requests_total",
                    "repository", "all", "member", "s1", "kind", "manifest")).isEqualTo(1);

            // remembered within the resolution TTL: main is not tried again
            assertThat(digest("all", "fo")).isEqualTo(foS1.manifest().digest());
            assertThat(delta(after, proxy.metrics(), "entrepot_virtual_failovers_total", "repository", "all"))
                    .isZero();
            // stale-if-error: main has 'stale' cached and still serves it; s1's 'stale' stays hidden
            assertThat(digest("all", "stale")).isEqualTo(staleMain.manifest().digest());
        } finally {
            up.main().registry().start();
        }
        Poll.until(Duration.ofSeconds(10), () -> digest("all", "fo").equals(foMain.manifest().digest()),
                () -> "main serving 'fo' again after its restart");
        assertThat(Duration.ofNanos(System.nanoTime() - failedOverAt)).as("not before the resolution TTL")
                .isGreaterThanOrEqualTo(RESOLUTION_TTL.minusMillis(200));
    }

    @Test
    void aStoppedMemberOfATierLeavesItToItsPeerOrToALowerTier() {
        PrometheusText before = proxy.metrics();
        up.s1().registry().stop(); // its front now answers 502
        try {
            assertThat(digest("all", "tier")).isEqualTo(tierS2.manifest().digest());
            assertThat(digest("ordered", "tier")).isEqualTo(tierS2.manifest().digest());
            // 'below' is in s1 (unreachable) and test: skipped, not taken for "absent", so the lower tier serves
            assertThat(digest("ordered", "below")).isEqualTo(belowTest.digest());
            PrometheusText after = proxy.metrics();
            assertThat(delta(before, after, "entrepot_virtual_failovers_total", "repository", "all", "member", "s1"))
                    .as("%s", after).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "entrepot_virtual_failovers_total", "repository", "ordered", "member", "s1"))
                    .isGreaterThanOrEqualTo(2);
        } finally {
            up.s1().registry().start();
        }
    }

    @Test
    void aRateLimitedMemberIsSkippedAndCounted() {
        PrometheusText before = proxy.metrics();
        up.s2().front().failWith(429, "1");
        try {
            assertThat(digest("ordered", "limited")).as("s2 has it but answers 429: test serves")
                    .isEqualTo(limitedTest.digest());
            OciClient.Response onlyThere = client.manifest("ordered/" + APP, "limited-only");
            OciErrors.assertError(onlyThere, 503, "UNAVAILABLE");
            assertThat(onlyThere.text()).contains("s2");
            assertThat(up.s2().front().any("/manifests/limited-only")).as("within Retry-After s2 is not called").isZero();
            assertThat(delta(before, proxy.metrics(), "entrepot_virtual_failovers_total",
                    "repository", "ordered", "member", "s2")).isGreaterThanOrEqualTo(2);
        } finally {
            up.s2().front().clearFaults();
            Poll.sleep(Duration.ofMillis(1100)); // s2's remote keeps away for the Retry-After second
        }
    }

    @Test
    void aBlobFailsOverWhenTheMemberThatServedTheManifestStops() {
        assertThat(digest("all", "shared")).isEqualTo(shared.manifest().digest());
        Layer layer = shared.layers().get(0);
        PrometheusText before = proxy.metrics();
        up.main().registry().stop();
        try {
            OciClient.Download download = client.blob("all/" + APP, layer.descriptor().digest(), Duration.ofSeconds(30));
            assertThat(download.complete(layer.descriptor().digest())).as("%s", download).isTrue();
            assertThat(up.s1().front().gets("/blobs/" + layer.descriptor().digest())).isEqualTo(1);
            PrometheusText after = proxy.metrics();
            assertThat(delta(before, after, "entrepot_virtual_failovers_total", "repository", "all", "member", "main"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "entrepot_virtual_requests_total",
                    "repository", "all", "member", "s1", "kind", "blob")).isEqualTo(1);
        } finally {
            up.main().registry().start();
        }
    }

    @Test
    void everyUpstreamDownAndNothingCachedIs503WithinSeconds() {
        up.stopAll();
        try {
            long started = System.nanoTime();
            OciClient.Response response = client.manifest("all/" + APP, "never-pulled");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            OciErrors.assertError(response, 503, "UNAVAILABLE");
            assertThat(took).as("503 in %s", took).isLessThan(Duration.ofSeconds(10));
            assertThat(response.text()).contains("main").contains("s1").contains("s2");

            String unknown = "sha256:" + "0".repeat(64);
            OciErrors.assertError(client.manifest("ordered/" + APP, unknown), 503, "UNAVAILABLE");
            OciErrors.assertError(client.get("/v2/all/" + APP + "/blobs/" + unknown, null), 503, "UNAVAILABLE");
            // the hosted member still answers for what it has
            assertThat(digest("all", "low")).isEqualTo(lowTest.digest());
        } finally {
            up.startAll();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static String digest(String virtual, String tag) {
        return digest(virtual, "library/app", tag);
    }

    /** The digest of what {@code virtual/name:tag} serves: the header, checked against the bytes. */
    private static String digest(String virtual, String name, String tag) {
        OciClient.Response response = client.manifest(virtual + "/" + name, tag);
        assertThat(response.status()).as("%s/%s:%s -> %s", virtual, name, tag, response).isEqualTo(200);
        String digest = Digests.sha256(response.body());
        assertThat(response.header("Docker-Content-Digest")).isEqualTo(digest);
        return digest;
    }

    /** {@code count} calls started together on 8 threads; their results in order. */
    static <T> List<T> concurrently(int count, Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
