package dev.entrepot.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.entrepot.operator.probe.ProxyProbe.Outcome;
import dev.entrepot.operator.probe.ProxyProbe.Report;

/**
 * Against a local HTTP server answering what a real cache-proxy answered on /q/health/ready
 * (src/test/resources/proxy-readiness, recorded from a running proxy; only the config path was
 * changed to the pod's).
 */
class HttpProxyProbeTest {

    private static final Path RECORDED = Path.of("src/test/resources/proxy-readiness");

    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> body = new AtomicReference<>("");
    private final AtomicReference<String> path = new AtomicReference<>();
    private final AtomicInteger delayMillis = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            path.set(exchange.getRequestURI().getPath());
            try {
                Thread.sleep(delayMillis.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpProxyProbe probe(Duration timeout) {
        return new HttpProxyProbe(timeout, endpoint -> URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/" + endpoint.namespace() + "/q/health/ready"));
    }

    private void answer(int code, String json) {
        status.set(code);
        body.set(json);
    }

    private static String recorded(String name) throws IOException {
        return Files.readString(RECORDED.resolve(name + ".json"));
    }

    @Test
    void readsWhatTheProxyAppliedAndServes() throws IOException {
        answer(200, recorded("served"));

        Report report = probe(Duration.ofSeconds(2)).probe(ProxyEndpoint.plain("team-a"));

        assertThat(path.get()).isEqualTo("/team-a/q/health/ready");
        assertThat(report.outcome()).isEqualTo(Outcome.ANSWERED);
        assertThat(report.up()).isTrue();
        assertThat(report.configSha256()).isEqualTo("c28e61e0755b6d4d3c644d5cd6c7855767b4f8ff306f3ddc6bc2da306fc67b5f");
        assertThat(report.served()).containsExactlyInAnyOrder("all", "hub", "team");
        assertThat(report.unserved()).as("\"unserved\": \"\" is no repository").isEmpty();
        assertThat(report.rejected()).isNull();
    }

    @Test
    void readsARejectedFileAndTheUnservedOnes() throws IOException {
        answer(200, recorded("rejected").replace("\"unserved\": \"\"", "\"unserved\": \"all,other\""));

        Report report = probe(Duration.ofSeconds(2)).probe(ProxyEndpoint.plain("team-a"));

        assertThat(report.rejected()).startsWith("invalid configuration /etc/entrepot/config/entrepot.yaml:")
                .contains("deleteUntaggedOlderThan: required");
        assertThat(report.unserved()).containsExactlyInAnyOrder("all", "other");
    }

    @Test
    void aProxyThatIsNotReadyStillSaysWhy() throws IOException {
        answer(503, recorded("served").replace("\"UP\"", "\"DOWN\"")
                .replace("\"storeWritable\": true", "\"storeWritable\": false"));

        Report report = probe(Duration.ofSeconds(2)).probe(ProxyEndpoint.plain("team-a"));

        assertThat(report.outcome()).isEqualTo(Outcome.ANSWERED);
        assertThat(report.up()).isFalse();
        assertThat(report.detail()).endsWith("answered 503: its store is not writable");
    }

    @Test
    void aProxyWithoutConfigSha256IsOutdated() throws IOException {
        answer(200, recorded("served").replaceAll("\"configSha256\": \"[0-9a-f]+\",", ""));

        Report report = probe(Duration.ofSeconds(2)).probe(ProxyEndpoint.plain("team-a"));

        assertThat(report.outcome()).isEqualTo(Outcome.OUTDATED);
        assertThat(report.detail()).contains("older than the operator");
    }

    @Test
    void somethingElseAnsweringIsNoAnswer() {
        answer(404, "<html>not here</html>");
        Report notFound = probe(Duration.ofSeconds(2)).probe(ProxyEndpoint.plain("team-a"));
        assertThat(notFound.outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(notFound.detail()).endsWith("answered HTTP 404 without a health report");

        answer(200, "not json");
        assertThat(probe(Duration.ofSeconds(2)).probe(ProxyEndpoint.plain("team-a")).outcome()).isEqualTo(Outcome.UNREACHABLE);
    }

    @Test
    void silenceTimesOutWithAHint() {
        answer(200, "{}");
        delayMillis.set(1500);

        Report report = probe(Duration.ofMillis(200)).probe(ProxyEndpoint.plain("team-a"));

        assertThat(report.outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(report.detail()).contains("did not answer within 200ms").contains("NetworkPolicy");
    }

    @Test
    void aClosedPortIsUnreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Report report = new HttpProxyProbe(Duration.ofSeconds(1),
                ns -> URI.create("http://127.0.0.1:" + port + "/q/health/ready")).probe(ProxyEndpoint.plain("team-a"));

        assertThat(report.outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(report.detail()).startsWith("cannot reach http://127.0.0.1:" + port);
    }

    /** What an operator outside the cluster meets: the Service's DNS name does not resolve. */
    @Test
    void anUnresolvableServiceNameSaysTheOperatorIsOutsideTheCluster() {
        Report report = new HttpProxyProbe(Duration.ofSeconds(2),
                ns -> URI.create("http://entrepot." + ns.namespace() + ".invalid:5000/q/health/ready")).probe(ProxyEndpoint.plain("team-a"));

        assertThat(report.outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(report.detail()).isEqualTo("cannot resolve entrepot.team-a.invalid: the operator runs outside the"
                + " cluster, or without cluster DNS");
    }

    @Test
    void theServiceEndpointIsTheProxyServiceInTheNamespace() {
        assertThat(HttpProxyProbe.serviceEndpoint(ProxyEndpoint.plain("team-a")))
                .hasToString("http://entrepot.team-a.svc:5000/q/health/ready");
    }
}
