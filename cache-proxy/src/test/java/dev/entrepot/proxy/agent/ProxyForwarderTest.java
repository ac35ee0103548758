package dev.entrepot.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.entrepot.proxy.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** The mirror address in every state of the proxy behind it; containerd only needs a quick answer. */
class ProxyForwarderTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Vertx vertx = Vertx.vertx();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final AtomicInteger proxyRequests = new AtomicInteger();
    private volatile long answerDelayMillis;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A registry that answers /v2/ at once and everything else after answerDelayMillis. */
    private int fakeProxy() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            proxyRequests.incrementAndGet();
            if (request.path().equals("/v2/")) {
                request.response().end("{}");
                return;
            }
            vertx.setTimer(Math.max(1, answerDelayMillis), id -> request.response()
                    .putHeader("Docker-Content-Digest", "sha256:abc")
                    .putHeader("Content-Type", "application/octet-stream")
                    .end(request.method().name().equals("HEAD") ? "" : "blob-bytes:" + request.uri()));
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server.actualPort();
    }

    /** A process that was SIGSTOPped: the kernel accepts connections, nobody ever reads or answers. */
    private int silentProxy() throws IOException {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> accepted = new ArrayList<>();
        closing.add(() -> {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
        });
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(socket.accept());
                }
            } catch (IOException closed) {
                // test over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return socket.getLocalPort();
    }

    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private AgentSettings.HostPort startAgent(int proxyPort, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("ENTREPOT_AGENT_PROXY_URL", "http://127.0.0.1:" + proxyPort,
                "ENTREPOT_AGENT_LISTEN", "127.0.0.1:0"));
        env.putAll(extra);
        ProxyForwarder forwarder = new ProxyForwarder(vertx, AgentSettings.from(env), new AgentMetrics());
        HttpServer server = forwarder.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new AgentSettings.HostPort("127.0.0.1", server.actualPort());
    }

    private static HttpResponse<String> get(AgentSettings.HostPort agent, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + agent + path)).timeout(Duration.ofSeconds(40))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long millis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Test
    void forwardsPullsWithHeadersBodyAndQuery() throws Exception {
        AgentSettings.HostPort agent = startAgent(fakeProxy(), Map.of());

        HttpResponse<String> response = get(agent, "/v2/library/alpine/blobs/sha256:abc?ns=docker.io");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("blob-bytes:/v2/library/alpine/blobs/sha256:abc?ns=docker.io");
        assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue("sha256:abc");
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + agent
                + "/v2/library/alpine/manifests/1?ns=docker.io")).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        HttpResponse<String> push = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + agent
                + "/v2/team/app/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(push.statusCode()).as("a mirror for pull and resolve only").isEqualTo(405);
    }

    @Test
    void aSlowButAliveProxyIsWaitedFor() throws Exception {
        answerDelayMillis = 2500; // a cold fetch from a slow upstream
        AgentSettings.HostPort agent = startAgent(fakeProxy(), Map.of());

        long start = System.nanoTime();
        HttpResponse<String> response = get(agent, "/v2/library/alpine/manifests/1?ns=docker.io");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(millis(start)).isGreaterThanOrEqualTo(2400);
    }

    @Test
    void aRefusedConnectionIsA503AtOnce() throws Exception {
        AgentSettings.HostPort agent = startAgent(refusedPort(), Map.of());

        HttpResponse<String> response = get(agent, "/v2/library/alpine/manifests/1?ns=docker.io");

        assertThat(response.statusCode()).isEqualTo(503);
        // at once: the refused connect answers, no timeout was waited for (the known-down answer says "is down")
        assertThat(response.body()).contains("UNAVAILABLE").contains("cannot connect to the proxy");
    }

    @Test
    void aProxyThatAcceptsButNeverAnswersIsA503WithinAboutASecondThenAtOnce() throws Exception {
        AgentSettings.HostPort agent = startAgent(silentProxy(), Map.of());

        long start = System.nanoTime();
        HttpResponse<String> first = get(agent, "/v2/library/alpine/manifests/1?ns=docker.io");
        long firstMillis = millis(start);
        HttpResponse<String> second = get(agent, "/v2/library/alpine/blobs/sha256:abc?ns=docker.io");

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.body()).contains("not answering");
        assertThat(firstMillis).as("500 ms answer timeout + 500 ms ping timeout").isGreaterThanOrEqualTo(900L);
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.body()).as("known down: answered without asking the proxy").contains("is down");
    }

    @Test
    void aProxyBackAfterBeingDownIsUsedAgainWithinSeconds() throws Exception {
        int port = refusedPort();
        AgentSettings.HostPort agent = startAgent(port, Map.of());
        assertThat(get(agent, "/v2/x/manifests/1").statusCode()).isEqualTo(503);

        HttpServer back = vertx.createHttpServer().requestHandler(r -> r.response().end("back"))
                .listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        closing.add(() -> back.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));

        // the agent rechecks a down proxy every second; the deadline leaves room for a loaded machine
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.TIMEOUT_SECONDS);
        int status = 0;
        while (System.nanoTime() < deadline && status != 200) {
            Thread.sleep(200);
            status = get(agent, "/v2/x/manifests/1").statusCode();
        }
        assertThat(status).isEqualTo(200);
    }

    @Test
    void moreRequestsThanAllowedAreTurnedAwayAtOnce() throws Exception {
        answerDelayMillis = 3000; // the second request must arrive while the first is held
        AgentSettings.HostPort agent = startAgent(fakeProxy(), Map.of("ENTREPOT_AGENT_MAX_IN_FLIGHT", "1"));

        var slow = HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://" + agent + "/v2/a/blobs/sha256:1")).build(),
                HttpResponse.BodyHandlers.ofString());
        Await.until(() -> proxyRequests.get() == 1); // forwarded: the agent counts it in flight until answered
        HttpResponse<String> turnedAway = get(agent, "/v2/b/blobs/sha256:2");

        assertThat(turnedAway.statusCode()).isEqualTo(503);
        assertThat(turnedAway.body()).contains("being forwarded already");
        assertThat(proxyRequests.get()).as("the second never reached the proxy").isEqualTo(1);
        assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
}
