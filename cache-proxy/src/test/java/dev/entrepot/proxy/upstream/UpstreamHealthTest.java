package dev.entrepot.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The upstream status is what the exchanges saw: answers (404 and 401 too) are reachable, no answer or a 5xx not. */
class UpstreamHealthTest {
    private final Vertx vertx = Vertx.vertx();
    private final MutableClock clock = new MutableClock(1_800_000_000_000L);
    private final AtomicInteger status = new AtomicInteger(404);

    @AfterEach
    void close() throws Exception {
        Await.result(vertx.close());
    }

    private HttpUpstreamClient client(URI url, UpstreamHealth health) {
        HttpClient http = vertx.createHttpClient();
        return new HttpUpstreamClient(vertx, http, url, new BearerChallengeAuthenticator(http, null, null,
                Duration.ofSeconds(2)), new ProxyMetrics(new SimpleMeterRegistry()).repository("hub"), health,
                new HttpUpstreamClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), 0,
                        Duration.ofMillis(10)));
    }

    private URI registry() throws Exception {
        HttpServer server = Await.result(vertx.createHttpServer()
                .requestHandler(req -> req.response().setStatusCode(status.get()).end("{}")).listen(0, "127.0.0.1"));
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    private <T> Future<T> onLoop(Supplier<Future<T>> call) {
        Promise<T> result = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> call.get().onComplete(result));
        return result.future();
    }

    private static int deadPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void nothingAskedIsUnknown() {
        UpstreamHealth health = new UpstreamHealth(URI.create("https://registry-1.docker.io"), clock);

        assertThat(health.report().state()).isEqualTo(UpstreamHealth.State.UNKNOWN);
        assertThat(health.report().lastSuccess()).isNull();
        assertThat(health.report().lastFailureCause()).isNull();
    }

    @Test
    void anUnknownImageStillMeansTheUpstreamAnswered() throws Exception {
        URI url = registry();
        UpstreamHealth health = new UpstreamHealth(url, clock);
        HttpUpstreamClient client = client(url, health);

        Await.failure(onLoop(() -> client.getManifest(new ImageName("library/nope"), "1")));
        status.set(401);
        Await.failure(onLoop(() -> client.headManifest(new ImageName("private/app"), "1")));

        UpstreamHealth.Report report = health.report();
        assertThat(report.state()).isEqualTo(UpstreamHealth.State.REACHABLE);
        assertThat(report.lastSuccess()).isEqualTo(clock.instant());
        assertThat(report.lastFailure()).isNull();
    }

    @Test
    void aRefusedConnectionIsUnreachableWithTheCauseInWords() throws Exception {
        URI url = URI.create("http://127.0.0.1:" + deadPort());
        UpstreamHealth health = new UpstreamHealth(url, clock);

        Await.failure(onLoop(() -> client(url, health).getManifest(new ImageName("library/alpine"), "3")));

        UpstreamHealth.Report report = health.report();
        assertThat(report.state()).isEqualTo(UpstreamHealth.State.UNREACHABLE);
        assertThat(report.lastFailure()).isEqualTo(clock.instant());
        assertThat(report.lastFailureCause()).isEqualTo("cannot reach upstream " + url.getAuthority()
                + ": connection refused");
    }

    @Test
    void aServerErrorCountsAgainstItAndTheNextAnswerClearsIt() throws Exception {
        URI url = registry();
        UpstreamHealth health = new UpstreamHealth(url, clock);
        HttpUpstreamClient client = client(url, health);
        status.set(503);

        Await.failure(onLoop(() -> client.getManifest(new ImageName("library/alpine"), "3")));
        Instant failedAt = clock.instant();
        assertThat(health.report().state()).isEqualTo(UpstreamHealth.State.UNREACHABLE);
        assertThat(health.report().lastFailureCause()).isEqualTo("upstream answered 503 for " + url
                + "/v2/library/alpine/manifests/3");

        clock.advance(Duration.ofSeconds(5));
        status.set(200);
        Await.result(onLoop(client::probe));

        UpstreamHealth.Report report = health.report();
        assertThat(report.state()).isEqualTo(UpstreamHealth.State.REACHABLE);
        assertThat(report.lastSuccess()).isEqualTo(clock.instant());
        assertThat(report.lastFailure()).isEqualTo(failedAt);
        assertThat(report.lastFailureCause()).contains("503");
    }

    @Test
    void aProbeOfADeadUpstreamSaysWhy() throws Exception {
        URI url = URI.create("http://127.0.0.1:" + deadPort());
        UpstreamHealth health = new UpstreamHealth(url, clock);

        UpstreamHealth.Report report = Await.result(onLoop(() -> client(url, health).probe()));

        assertThat(report.state()).isEqualTo(UpstreamHealth.State.UNREACHABLE);
        assertThat(report.lastFailureCause()).isEqualTo("cannot reach upstream " + url.getAuthority()
                + ": connection refused");
    }
}
