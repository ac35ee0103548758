package dev.entrepot.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** Runs against a local HTTP server: no network needed. */
class HttpUpstreamProbeTest {

    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
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
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void okAndTokenChallengeBothMeanReachable() {
        HttpUpstreamProbe probe = new HttpUpstreamProbe(Duration.ofSeconds(2));

        status.set(200);
        assertThat(probe.probe(url()).reachability()).isEqualTo(UpstreamProbe.Reachability.REACHABLE);
        assertThat(path.get()).isEqualTo("/v2/");

        status.set(401);
        UpstreamProbe.Result result = probe.probe(url() + "/");
        assertThat(result.reachability()).isEqualTo(UpstreamProbe.Reachability.REACHABLE);
        assertThat(result.detail()).contains("401");
    }

    @Test
    void serverErrorIsUnreachable() {
        status.set(503);
        UpstreamProbe.Result result = new HttpUpstreamProbe(Duration.ofSeconds(2)).probe(url());
        assertThat(result.reachability()).isEqualTo(UpstreamProbe.Reachability.UNREACHABLE);
        assertThat(result.detail()).contains("503");
    }

    @Test
    void slowUpstreamTimesOut() {
        delayMillis.set(1500);
        UpstreamProbe.Result result = new HttpUpstreamProbe(Duration.ofMillis(200)).probe(url());
        assertThat(result.reachability()).isEqualTo(UpstreamProbe.Reachability.UNREACHABLE);
        assertThat(result.detail()).contains("did not answer");
    }

    @Test
    void closedPortIsUnreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        UpstreamProbe.Result result = new HttpUpstreamProbe(Duration.ofSeconds(1)).probe("http://127.0.0.1:" + port);
        assertThat(result.reachability()).isEqualTo(UpstreamProbe.Reachability.UNREACHABLE);
        assertThat(result.detail()).contains("cannot reach");
    }
}
