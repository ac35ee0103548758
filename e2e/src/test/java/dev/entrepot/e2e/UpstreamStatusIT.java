package dev.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Ports;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Readiness is about the proxy alone: with its Docker Hub stand-in (a real docker-registry) stopped, {@code
 * /q/health/ready} stays UP while {@code GET /api/v1/upstreams} and {@code /q/health/group/upstreams} say the
 * upstream is unreachable and why, as the fetches clients caused saw it; a probe only when asked.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamStatusIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static OciClient client;
    private static int deadPort;

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(UpstreamStatusIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        Image app = upstream.images().image("status-app", "amd64", 20_000);
        upstream.push(app.manifest(), "library/app:1");
        upstream.push(app.manifest(), "library/app:2");
        deadPort = Ports.free();
        // hub talks to the registry itself (no counting front), so stopping it refuses connections as a dead host does
        ProxyConfig config = ProxyConfig.hub(upstream.registry().url().toString(), "1h")
                .remote("ghcr", "http://127.0.0.1:" + deadPort, "1h", "ghcr.io")
                .standard("team", false, null);
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config));
        client = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    private static JsonNode json(OciClient.Response response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode upstreams(String query) {
        OciClient.Response response = client.get("/api/v1/upstreams" + query, null);
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        return json(response).get("upstreams");
    }

    private static JsonNode upstream(JsonNode upstreams, String repository) {
        return StreamSupport.stream(upstreams.spliterator(), false)
                .filter(u -> u.get("repository").asText().equals(repository)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + repository + " in " + upstreams));
    }

    @Test
    @Order(2)
    void aStoppedUpstreamIsReportedUnreachableWhileTheProxyStaysReady() {
        Instant before = Instant.now();
        assertThat(client.manifest("hub/library/app", "1").status()).isEqualTo(200);
        JsonNode hub = upstream(upstreams(""), "hub");
        assertThat(hub.get("state").asText()).isEqualTo("reachable");
        assertThat(hub.get("url").asText()).isEqualTo(upstream.registry().url().toString());
        assertThat(hub.get("host").asText()).isEqualTo(upstream.registry().hostPort());
        assertThat(Instant.parse(hub.get("lastSuccess").asText())).isAfterOrEqualTo(before.minusSeconds(1));

        upstream.registry().stop();
        try {
            OciErrors.assertError(client.manifest("hub/library/app", "2"), 503, "UNAVAILABLE");

            String cause = "cannot reach upstream " + upstream.registry().hostPort() + ": connection refused";
            hub = upstream(upstreams(""), "hub");
            assertThat(hub.get("state").asText()).isEqualTo("unreachable");
            assertThat(hub.get("lastFailureCause").asText()).isEqualTo(cause);
            assertThat(Instant.parse(hub.get("lastFailure").asText()))
                    .isAfterOrEqualTo(Instant.parse(hub.get("lastSuccess").asText()));

            OciClient.Response ready = client.get("/q/health/ready", null);
            assertThat(ready.status()).as("%s", ready).isEqualTo(200);
            assertThat(json(ready).get("status").asText()).isEqualTo("UP");
            assertThat(client.get("/q/health", null).status()).as("the upstreams group is not in /q/health")
                    .isEqualTo(200);
            assertThat(client.manifest("hub/library/app", "1").status()).as("what is cached is still served")
                    .isEqualTo(200);

            OciClient.Response group = client.get("/q/health/group/upstreams", null);
            assertThat(group.status()).as("%s", group).isEqualTo(503);
            JsonNode check = json(group).get("checks").get(0);
            assertThat(check.get("name").asText()).isEqualTo("upstreams");
            assertThat(check.get("status").asText()).isEqualTo("DOWN");
            assertThat(check.get("data").get("hub").asText()).startsWith("unreachable at ").endsWith(": " + cause
                    + " (last answer at " + hub.get("lastSuccess").asText() + ")");
        } finally {
            upstream.registry().start();
        }

        // the proxy does not ask by itself: the state stays until a fetch or a probe
        assertThat(upstream(upstreams(""), "hub").get("state").asText()).isEqualTo("unreachable");
        hub = upstream(upstreams("?probe=true"), "hub");
        assertThat(hub.get("state").asText()).isEqualTo("reachable");
        assertThat(json(client.get("/q/health/group/upstreams", null)).get("checks").get(0).get("data").get("hub")
                .asText()).isEqualTo("reachable: " + upstream.registry().hostPort() + " answered at "
                + hub.get("lastSuccess").asText());
    }

    @Test
    @Order(1) // before a probe of every upstream
    void anUpstreamNobodyAskedIsUnknownUntilProbed() {
        JsonNode all = upstreams("");
        List<String> repositories = StreamSupport.stream(all.spliterator(), false)
                .map(u -> u.get("repository").asText()).toList();
        assertThat(repositories).as("remote repositories only, in config order").containsExactly("hub", "ghcr");
        JsonNode ghcr = upstream(all, "ghcr");
        assertThat(ghcr.get("state").asText()).isEqualTo("unknown");
        assertThat(ghcr.get("lastSuccess").isNull()).isTrue();
        assertThat(ghcr.get("lastFailure").isNull()).isTrue();

        ghcr = upstream(upstreams("?probe=true"), "ghcr");

        assertThat(ghcr.get("state").asText()).isEqualTo("unreachable");
        assertThat(ghcr.get("lastFailureCause").asText())
                .isEqualTo("cannot reach upstream 127.0.0.1:" + deadPort + ": connection refused");
        assertThat(client.get("/q/health/ready", null).status()).isEqualTo(200);
    }
}
