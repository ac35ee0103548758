package dev.entrepot.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.entrepot.operator.probe.ProxyListing.Counts;
import dev.entrepot.operator.probe.ProxyListing.Listing;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a local HTTP server answering as the proxy's ListingRouter does (README, "Listing images"). */
class HttpProxyListingTest {

    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> body = new AtomicReference<>("");
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private final AtomicReference<String> path = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            path.set(exchange.getRequestURI().getPath());
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
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

    private Listing list(ProxyEndpoint endpoint) {
        return new HttpProxyListing(Duration.ofSeconds(2), e -> URI.create("http://127.0.0.1:"
                + server.getAddress().getPort() + "/api/v1/repositories")).list(endpoint);
    }

    @Test
    void readsTheCountsOfEveryRepositoryAsTheOperatorUser() {
        body.set("{\"repositories\":[{\"name\":\"team\",\"mode\":\"standard\",\"images\":2,\"versions\":3,\"tags\":4,"
                + "\"bytes\":1329},{\"name\":\"hub\",\"mode\":\"remote\",\"images\":0,\"versions\":0,\"tags\":0,"
                + "\"bytes\":0}]}");

        Listing listing = list(new ProxyEndpoint("team-a", null, "entrepot-operator", "s3cret"));

        assertThat(listing.failure()).isNull();
        assertThat(listing.repositories()).containsOnly(
                Map.entry("team", new Counts(2, 3, 4, 1329)), Map.entry("hub", new Counts(0, 0, 0, 0)));
        assertThat(authorization.get()).isEqualTo("Basic ZW50cmVwb3Qtb3BlcmF0b3I6czNjcmV0");
        assertThat(path.get()).isEqualTo("/api/v1/repositories");
    }

    @Test
    void anOpenProxyIsAskedAnonymously() {
        body.set("{\"repositories\":[]}");

        assertThat(list(ProxyEndpoint.plain("team-a")).failure()).isNull();
        assertThat(authorization.get()).isNull();
    }

    @Test
    void aRefusalAndAnOlderProxySaySo() {
        status.set(401);
        assertThat(list(new ProxyEndpoint("team-a", null, "entrepot-operator", "wrong")).failure())
                .endsWith("refused the operator user entrepot-operator (HTTP 401)");
        status.set(404);
        assertThat(list(ProxyEndpoint.plain("team-a")).failure()).endsWith("answered HTTP 404");
        status.set(200);
        body.set("{}");
        assertThat(list(ProxyEndpoint.plain("team-a")).failure()).contains("without a repositories list");
    }

    @Test
    void theServiceEndpointIsTheListingOfTheProxyService() {
        assertThat(HttpProxyListing.serviceEndpoint(ProxyEndpoint.plain("team-a")))
                .hasToString("http://entrepot.team-a.svc:5000/api/v1/repositories");
    }
}
