package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tag freshness: within {@code tagTtl} a tag is answered without asking the upstream; after it, one
 * HEAD revalidates; when the upstream is down or failing the last known digest is served
 * (stale-if-error); digests are never revalidated. Repository {@code hub} goes through the counting
 * front; {@code direct} talks to distribution itself so "down" can mean connection refused.
 */
class FreshnessIT {
    private static final String TTL = "3s";
    private static final Duration TTL_PASSED = Duration.ofMillis(3600);
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static OciClient client;
    private static ImageGenerator images;
    private static Image first;
    private static Image second;

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(FreshnessIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        images = upstream.images();
        first = images.image("fresh-a", "amd64", 100_000);
        second = images.image("fresh-b", "amd64", 100_000);
        for (String name : new String[] {"library/fresh:1", "library/moving:1", "library/stale:1", "library/digest:1",
                "library/refused:1"}) {
            upstream.push(first.manifest(), name);
        }
        ProxyConfig config = ProxyConfig.hub(upstream.url().toString(), TTL)
                .remote("direct", upstream.registry().url().toString(), TTL, null);
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
        upstream.registry().start();
    }

    @Test
    void withinTheTtlTheUpstreamIsNotAsked() {
        String path = "/v2/library/fresh/manifests/";
        assertDigest(client.manifest("hub/library/fresh", "1"), first);
        long cachedAt = System.nanoTime();
        int upstreamRequests = upstream.front().any(path);
        assertThat(upstreamRequests).isPositive();
        PrometheusText before = proxy.metrics();
        for (int i = 0; i < 5; i++) {
            assertDigest(client.manifest("hub/library/fresh", "1"), first);
            OciClient.Response head = client.head("/v2/hub/library/fresh/manifests/1", ImageGenerator.ACCEPT_ALL_MANIFESTS);
            assertThat(head.header("Docker-Content-Digest")).isEqualTo(first.manifest().digest());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - cachedAt)).as("test ran within the TTL").isLessThan(Duration.ofSeconds(3));
        assertThat(upstream.front().any(path)).as("%s", upstream.front().snapshot()).isEqualTo(upstreamRequests);
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "kind", "manifest", "result", "hit"))
                .as("5 GETs and 5 HEADs, all hits").isBetween(5.0, 10.0);
    }

    @Test
    void afterTheTtlOneHeadRevalidates() {
        String path = "/v2/library/fresh/manifests/1";
        assertDigest(client.manifest("hub/library/fresh", "1"), first);
        Poll.sleep(TTL_PASSED);
        int heads = upstream.front().count("HEAD", path);
        int gets = upstream.front().gets(path);
        assertDigest(client.manifest("hub/library/fresh", "1"), first);
        assertThat(upstream.front().count("HEAD", path)).as("%s", upstream.front().snapshot()).isEqualTo(heads + 1);
        assertThat(upstream.front().gets(path)).as("unchanged digest: no GET").isEqualTo(gets);
        // fresh again for another TTL
        assertDigest(client.manifest("hub/library/fresh", "1"), first);
        assertThat(upstream.front().count("HEAD", path)).isEqualTo(heads + 1);
    }

    @Test
    void aMovedTagIsSeenAfterTheTtlAndNotBefore() {
        assertDigest(client.manifest("hub/library/moving", "1"), first);
        long cachedAt = System.nanoTime();
        upstream.push(second.manifest(), "library/moving:1");
        OciClient.Response stillOld = client.manifest("hub/library/moving", "1");
        if (Duration.ofNanos(System.nanoTime() - cachedAt).compareTo(Duration.ofMillis(2500)) < 0) {
            assertDigest(stillOld, first);
        }
        Poll.sleep(TTL_PASSED);
        assertDigest(client.manifest("hub/library/moving", "1"), second);
        assertDigest(client.manifest("hub/library/moving", first.manifest().digest()), first);
        assertDigest(client.manifest("hub/library/moving", second.manifest().digest()), second);
    }

    @Test
    void staleIfErrorWhenTheUpstreamAnswers503() {
        assertDigest(client.manifest("hub/library/stale", "1"), first);
        upstream.front().unavailable(true);
        Poll.sleep(TTL_PASSED);
        PrometheusText before = proxy.metrics();
        int asked = upstream.front().any("/v2/library/stale/manifests/1");
        assertDigest(client.manifest("hub/library/stale", "1"), first);
        assertThat(upstream.front().any("/v2/library/stale/manifests/1")).as("it did try").isGreaterThan(asked);
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "kind", "manifest", "result", "stale"))
                .as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, "entrepot_upstream_requests_total", "repository", "hub", "status", "503"))
                .isGreaterThanOrEqualTo(1);
        // blobs of the stale manifest still come from the cache
        String layer = first.layers().get(0).descriptor().digest();
        upstream.front().clearFaults();
        assertThat(client.blob("hub/library/stale", layer, Duration.ofSeconds(30)).complete(layer)).isTrue();
        upstream.front().unavailable(true);
        assertThat(client.blob("hub/library/stale", layer, Duration.ofSeconds(30)).complete(layer)).isTrue();
    }

    @Test
    void staleIfErrorWhenTheUpstreamRefusesConnections() {
        assertDigest(client.manifest("direct/library/refused", "1"), first);
        upstream.registry().stop();
        Poll.sleep(TTL_PASSED);
        long start = System.nanoTime();
        assertDigest(client.manifest("direct/library/refused", "1"), first);
        OciClient.Response head = client.head("/v2/direct/library/refused/manifests/1", ImageGenerator.ACCEPT_ALL_MANIFESTS);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(first.manifest().digest());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stale answers come quickly").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void digestsAreNeverRevalidated() {
        String digest = first.manifest().digest();
        assertDigest(client.manifest("hub/library/digest", digest), first);
        Poll.sleep(TTL_PASSED);
        int asked = upstream.front().any("/v2/library/digest/");
        assertDigest(client.manifest("hub/library/digest", digest), first);
        OciClient.Response head = client.head("/v2/hub/library/digest/manifests/" + digest, ImageGenerator.ACCEPT_ALL_MANIFESTS);
        assertThat(head.status()).isEqualTo(200);
        assertThat(upstream.front().any("/v2/library/digest/")).as("%s", upstream.front().snapshot()).isEqualTo(asked);
    }

    private static void assertDigest(OciClient.Response response, Image image) {
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        assertThat(response.header("Docker-Content-Digest")).isEqualTo(image.manifest().digest());
        assertThat(Digests.sha256(response.body())).isEqualTo(image.manifest().digest());
    }
}
