package dev.entrepot.proxy.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.config.EntrepotConfig.EventKind;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.repository.ImageEvent;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events recorded durably and delivered at least once to a real HTTP receiver. */
class NotifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Digest DIGEST = Digest.sha256("m".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(System.currentTimeMillis());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Vertx vertx;
    private HttpClient http;
    private HttpServer receiver;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> headers = new CopyOnWriteArrayList<>();
    private final AtomicInteger refuse = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        http = vertx.createHttpClient();
        startReceiver();
    }

    private void startReceiver() throws Exception {
        receiver = Await.result(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            if (refuse.get() > 0) {
                refuse.decrementAndGet();
                request.response().setStatusCode(503).end();
                return;
            }
            try {
                // headers first: a test that saw the event arrive may read its headers at once
                headers.add(Map.of("content-type", request.getHeader("Content-Type"),
                        "secret", String.valueOf(request.getHeader("X-Secret"))));
                received.add(JSON.readTree(body.getBytes()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            request.response().setStatusCode(202).end();
        })).listen(0, "127.0.0.1"));
    }

    @AfterEach
    void tearDown() throws Exception {
        Await.result(vertx.close());
    }

    private Notifier notifier(List<EventKind> kinds, List<String> repositories, Path headersFile) {
        Notifier notifier = new Notifier(root, vertx, http, new ProxyMetrics(registry), clock);
        notifier.configure(new EntrepotConfig.Notifications("registry.example:5000", Duration.ofHours(1), List.of(
                new EntrepotConfig.Endpoint("hook", URI.create("http://127.0.0.1:" + receiver.actualPort() + "/e"),
                        headersFile, kinds, repositories))));
        return notifier;
    }

    private static ImageEvent event(ImageEvent.Kind kind, String repository, String tag) {
        return new ImageEvent(kind, repository, new ImageName("app"), DIGEST, tag, "application/vnd.oci.image.manifest.v1+json",
                1234, "ignored:1", Instant.parse("2026-12-02T10:00:00Z"));
    }

    private List<Path> outbox(String endpoint) {
        try (var files = Files.list(root.resolve("events").resolve(endpoint))) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReceived(int count) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.size() < count && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(received).as("events received").hasSize(count);
    }

    @Test
    void anInsertArrivesAsACloudEventWithContainerRegistrysFields() throws Exception {
        Path secret = Files.writeString(root.resolve("headers"), "X-Secret: s3cret\n");
        notifier(List.of(EventKind.INSERT, EventKind.DELETE), List.of(), secret)
                .emit(event(ImageEvent.Kind.INSERT, "team", "v1"));

        awaitReceived(1);
        JsonNode e = received.get(0);
        assertThat(e.path("specversion").asText()).isEqualTo("1.0");
        assertThat(e.path("type").asText()).isEqualTo("dev.entrepot.image.inserted");
        assertThat(e.path("id").asText()).isNotBlank();
        assertThat(e.path("time").asText()).isEqualTo("2026-12-02T10:00:00Z");
        assertThat(e.path("subject").asText()).isEqualTo("team/app:v1");
        assertThat(e.path("data").path("action").asText()).isEqualTo("INSERT");
        assertThat(e.path("data").path("digest").asText()).isEqualTo("registry.example:5000/team/app@" + DIGEST);
        assertThat(e.path("data").path("tag").asText()).isEqualTo("registry.example:5000/team/app:v1");
        assertThat(e.path("data").path("size").asLong()).isEqualTo(1234);
        assertThat(headers.get(0)).containsEntry("secret", "s3cret")
                .containsEntry("content-type", CloudEvents.CONTENT_TYPE);
    }

    @Test
    void kindsAndRepositoriesFilter() throws Exception {
        Notifier notifier = notifier(List.of(EventKind.DELETE), List.of("team"), null);
        notifier.emit(event(ImageEvent.Kind.INSERT, "team", "v1"));
        notifier.emit(event(ImageEvent.Kind.DELETE, "other", "v1"));
        notifier.emit(event(ImageEvent.Kind.DELETE, "team", null));

        awaitReceived(1);
        Thread.sleep(300);
        assertThat(received).singleElement().satisfies(e -> {
            assertThat(e.path("data").path("action").asText()).isEqualTo("DELETE");
            assertThat(e.path("data").has("tag")).isFalse();
        });
    }

    @Test
    void aReceiverThatRefusesGetsEveryEventLaterInOrder() throws Exception {
        refuse.set(2);
        Notifier notifier = notifier(List.of(EventKind.INSERT), List.of(), null);
        for (int i = 0; i < 3; i++) {
            notifier.emit(event(ImageEvent.Kind.INSERT, "team", "t" + i));
        }

        awaitReceived(3);
        assertThat(received).extracting(e -> e.path("subject").asText())
                .containsExactly("team/app:t0", "team/app:t1", "team/app:t2");
        assertThat(registry.get("entrepot.notifications").tags("endpoint", "hook", "result", "failed").counter().count())
                .isEqualTo(2);
        // the receiver has each event before the notifier reads its answer and removes the file
        Await.until(() -> outbox("hook").isEmpty());
    }

    @Test
    void whatWasNotDeliveredBeforeARestartIsDeliveredAfter() throws Exception {
        Await.result(receiver.close());
        Notifier before = new Notifier(root, vertx, http, new ProxyMetrics(new SimpleMeterRegistry()), clock);
        before.configure(new EntrepotConfig.Notifications("h", Duration.ofHours(1), List.of(new EntrepotConfig.Endpoint(
                "hook", URI.create("http://127.0.0.1:1/dead"), null, List.of(EventKind.INSERT), List.of()))));
        before.emit(event(ImageEvent.Kind.INSERT, "team", "kept"));
        before.configure(new EntrepotConfig.Notifications(null, Duration.ofHours(1), List.of())); // as a shutdown
        startReceiver(); // the receiver is back (on a new port: the next process is configured with it)

        notifier(List.of(EventKind.INSERT), List.of(), null);

        awaitReceived(1);
        assertThat(received.get(0).path("subject").asText()).isEqualTo("team/app:kept");
    }

    @Test
    void eventsOlderThanMaxAgeAreDroppedAndCounted() throws Exception {
        refuse.set(1);
        Notifier notifier = notifier(List.of(EventKind.INSERT), List.of(), null);
        notifier.emit(event(ImageEvent.Kind.INSERT, "team", "old"));
        clock.advance(Duration.ofHours(2));

        // dropped at the retry after the refusal (or at once, had the first try not begun before the clock moved)
        Await.until(() -> counted("dropped") >= 1);
        assertThat(counted("dropped")).isEqualTo(1);
        assertThat(received).isEmpty();
    }

    private double counted(String result) {
        var counter = registry.find("entrepot.notifications").tags("endpoint", "hook", "result", result).counter();
        return counter == null ? 0 : counter.count();
    }
}
