package dev.entrepot.operator.startup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;

/** The one line a person sees when the operator starts without a usable Kubernetes API. */
class KubernetesApiCheckTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @Test
    void aRefusedConnectionIsOneLineNamingTheAddressAndTheCause() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        long start = System.nanoTime();

        Optional<String> problem = KubernetesApiCheck.problem(config("http://127.0.0.1:" + port), TIMEOUT);

        assertThat(problem).hasValueSatisfying(line -> {
            assertThat(line).startsWith("cannot reach the Kubernetes API at http://127.0.0.1:" + port + "/: connection refused (");
            assertThat(line).doesNotContain("\n").doesNotContain("Exception");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no retries").isLessThan(TIMEOUT);
    }

    @Test
    void aSilentServerIsReportedAfterTheTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Optional<String> problem = KubernetesApiCheck.problem(
                    config("http://127.0.0.1:" + silent.getLocalPort()), Duration.ofSeconds(1));

            assertThat(problem).hasValueSatisfying(line -> assertThat(line)
                    .startsWith("cannot reach the Kubernetes API at http://127.0.0.1:" + silent.getLocalPort()
                            + "/: no answer within 1s"));
        }
    }

    @Test
    void anyHttpAnswerButUnauthorizedIsReachable() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/version", exchange -> {
            byte[] body = "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/missing/version", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.createContext("/locked/version", exchange -> {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();

            assertThat(KubernetesApiCheck.problem(config(base), TIMEOUT)).isEmpty();
            assertThat(KubernetesApiCheck.problem(config(base + "/missing"), TIMEOUT)).isEmpty();
            assertThat(KubernetesApiCheck.problem(config(base + "/locked"), TIMEOUT)).hasValueSatisfying(line ->
                    assertThat(line).startsWith("cannot use the Kubernetes API at " + base
                            + "/locked/: it refused the operator's credentials (401 Unauthorized)"));
        } finally {
            server.stop(0);
        }
    }

    private static Config config(String masterUrl) {
        return new ConfigBuilder(Config.empty()).withMasterUrl(masterUrl).build();
    }
}
