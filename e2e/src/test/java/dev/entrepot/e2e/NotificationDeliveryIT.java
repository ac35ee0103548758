package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.SkopeoPush;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WebhookReceiver;
import dev.entrepot.e2e.support.WebhookReceiver.Mode;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.entrepot.e2e.support.WebhookReceiver.subjects;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How image change notifications (issue 19) reach endpoints that are not always there, with webhooks in this JVM:
 * one that refuses (503) gets every event, in order, once it accepts; events wait in the outbox on disk while an
 * endpoint is down, across a proxy restart and a kill -9, and arrive in order when it is back (named by the configured host); an
 * event older than {@code maxAge} is dropped and counted; an endpoint that never answers does not slow pushes
 * (measured, both latencies printed) and gets its events once it answers. Metrics per endpoint throughout. What the
 * events say: {@link NotificationsIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotificationDeliveryIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private static Path work;
    private static ImageGenerator images;
    private static SkopeoPush skopeo;
    private static WebhookReceiver flaky;
    private static WebhookReceiver hanging;
    private static WebhookReceiver durable;
    private static WebhookReceiver brief;
    /** seq and fast (standard); endpoints flaky (seq) and hanging (fast). */
    private static EntrepotProxy proxy;
    /** team; notifications.host set; endpoint durable, not listening at first. */
    private static EntrepotProxy named;
    /** team; notifications.maxAge 2s; endpoint brief, not listening at first. */
    private static EntrepotProxy shortLived;
    /** Subjects of the pushes measured while the endpoint hung. */
    private static final List<String> HANG_PHASE = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(NotificationDeliveryIT.class);
        images = ImageGenerator.create(work.resolve("layout"));
        skopeo = new SkopeoPush(work.resolve("digests"));
        flaky = TEARDOWN.add(WebhookReceiver.start());
        hanging = TEARDOWN.add(WebhookReceiver.start());
        durable = TEARDOWN.add(WebhookReceiver.notListening());
        brief = TEARDOWN.add(WebhookReceiver.notListening());
        // one after the other: three JVMs starting at once on two cores take longer than in turn
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), new ProxyConfig()
                .standard("seq", false, null).standard("fast", false, null)
                .notifications("notifications:\n  endpoints:\n"
                        + "    - {name: flaky, url: " + flaky.url() + ", events: [insert, delete], repositories: [seq]}\n"
                        + "    - {name: hanging, url: " + hanging.url() + ", repositories: [fast]}\n")));
        named = TEARDOWN.add(EntrepotProxy.start(work.resolve("named"), new ProxyConfig().standard("team", false, null)
                .notifications("notifications:\n  host: registry.example.com\n  endpoints:\n"
                        + "    - {name: durable, url: " + durable.url() + "}\n")));
        shortLived = TEARDOWN.add(EntrepotProxy.start(work.resolve("short-lived"), new ProxyConfig()
                .standard("team", false, null)
                .notifications("notifications:\n  maxAge: 2s\n  endpoints:\n"
                        + "    - {name: brief, url: " + brief.url() + "}\n")));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    @Order(1)
    void aRefusingEndpointGetsEveryEventInOrderOnceItAccepts() {
        flaky.mode(Mode.REFUSE);
        PushClient client = PushClient.of(proxy);
        HostedImage one = HostedImage.random("seq-1", 2_000).push(client, "seq/app", "v1");
        HostedImage two = HostedImage.random("seq-2", 2_000).push(client, "seq/app", "v2");
        HostedImage three = HostedImage.random("seq-3", 2_000).push(client, "seq/app", null);
        assertThat(client.deleteManifest("seq/app", "v1").status()).isEqualTo(202);
        List<String> expected = List.of("INSERT seq/app:v1", "INSERT seq/app:v2", "INSERT seq/app@" + three.digest(),
                "DELETE seq/app:v1");

        Poll.until(DELIVERY, () -> flaky.refused() >= 2, () -> "two refused tries, got " + flaky.describe());
        PrometheusText metrics = proxy.metrics();
        assertThat(metrics.sum("entrepot_notifications_pending", "endpoint", "flaky")).as("%s", metrics).isEqualTo(4);
        assertThat(outbox(proxy, "flaky")).hasSize(4);
        assertThat(flaky.requests()).as("every try is the oldest event").allSatisfy(r -> assertThat(
                r.json().path("subject").asText()).isEqualTo("seq/app:v1"));
        flaky.mode(Mode.ACCEPT);

        List<JsonNode> events = flaky.awaitEvents(4, DELIVERY);
        Poll.sleep(Duration.ofMillis(300));
        events = flaky.events();
        assertThat(events).extracting(WebhookReceiver::summary).containsExactlyElementsOf(expected);
        assertThat(events.stream().map(e -> e.path("id").asText()).distinct()).hasSize(4);
        assertThat(events.get(0).path("data").path("digest").asText()).endsWith("@" + one.digest());
        assertThat(events.get(1).path("data").path("digest").asText()).endsWith("@" + two.digest());
        Poll.until(DELIVERY, () -> proxy.metrics().sum("entrepot_notifications_pending", "endpoint", "flaky") == 0,
                () -> "pending 0 at flaky");
        metrics = proxy.metrics();
        assertThat(metrics.sum("entrepot_notifications_total", "endpoint", "flaky", "result", "delivered")).isEqualTo(4);
        assertThat(metrics.sum("entrepot_notifications_total", "endpoint", "flaky", "result", "failed"))
                .as("one failed try per 503").isEqualTo(flaky.refused());
        assertThat(metrics.sum("entrepot_notifications_total", "endpoint", "flaky", "result", "dropped")).isZero();
        assertThat(outbox(proxy, "flaky")).isEmpty();
    }

    @Test
    @Order(2)
    void aHangingEndpointDoesNotSlowPushes() {
        PushClient client = PushClient.of(proxy);
        for (int i = 0; i < 3; i++) {
            HostedImage.random("warm-" + i, 4_000).push(client, "fast/app", "warm-" + i);
        }
        Timings base = pushes(client, "base", 8);
        String baseSkopeo = skopeoPushes("base", 2);
        hanging.awaitEvents(3 + 8 + 2, DELIVERY);

        hanging.mode(Mode.HANG);
        HostedImage.random("hang-0", 4_000).push(client, "fast/app", "hang-0");
        Poll.until(DELIVERY, () -> hanging.hanging() == 1, () -> "a request held at the hanging endpoint");
        Timings held = pushes(client, "hang", 8);
        String heldSkopeo = skopeoPushes("hang", 2);
        assertThat(hanging.hanging()).as("still holding the first event").isEqualTo(1);

        System.out.printf("[NotificationDeliveryIT] push latency, receiver answering: whole push median %d ms (max %d), "
                        + "manifest PUT median %d ms (max %d); skopeo %s%n", base.pushMedian(), base.pushMax(),
                base.putMedian(), base.putMax(), baseSkopeo);
        System.out.printf("[NotificationDeliveryIT] push latency, receiver hanging:   whole push median %d ms (max %d), "
                        + "manifest PUT median %d ms (max %d); skopeo %s%n", held.pushMedian(), held.pushMax(),
                held.putMedian(), held.putMax(), heldSkopeo);
        // A push that waited for the receiver would take its 10 s delivery timeout.
        assertThat(held.putMax()).as("slowest manifest PUT with the receiver hanging (ms)").isLessThan(1_000);
        assertThat(held.putMedian()).as("median manifest PUT, hanging vs answering %d ms", base.putMedian())
                .isLessThanOrEqualTo(3 * base.putMedian() + 100);
        assertThat(held.pushMedian()).as("median push, hanging vs answering %d ms", base.pushMedian())
                .isLessThanOrEqualTo(3 * base.pushMedian() + 200);
        HANG_PHASE.addAll(held.subjects());
    }

    @Test
    @Order(3)
    void eventsWaitOnDiskAcrossARestartWhileTheEndpointIsDown() {
        PushClient client = PushClient.of(named);
        HostedImage one = HostedImage.random("durable-1", 2_000).push(client, "team/app", "v1");
        HostedImage two = HostedImage.random("durable-2", 2_000).push(client, "team/app", "v2");
        Poll.until(DELIVERY, () -> named.metrics().sum("entrepot_notifications_total", "endpoint", "durable",
                "result", "failed") >= 1, () -> "a failed try at durable");
        assertThat(named.metrics().sum("entrepot_notifications_pending", "endpoint", "durable")).isEqualTo(2);
        assertThat(outbox(named, "durable")).hasSize(2);

        named.stop();
        assertThat(outbox(named, "durable")).as("the outbox, proxy stopped").hasSize(2);
        named.start();
        assertThat(named.metrics().sum("entrepot_notifications_pending", "endpoint", "durable")).as("after the restart")
                .isEqualTo(2);
        // written before the 202: a kill -9 right after it loses nothing
        assertThat(PushClient.of(named).deleteManifest("team/app", "v1").status()).isEqualTo(202);
        named.kill9();
        assertThat(outbox(named, "durable")).as("the outbox after kill -9").hasSize(3);
        named.start();
        durable.up();

        List<JsonNode> events = durable.awaitEvents(3, DELIVERY);
        Poll.sleep(Duration.ofMillis(300));
        events = durable.events();
        assertThat(events).extracting(WebhookReceiver::summary)
                .containsExactly("INSERT team/app:v1", "INSERT team/app:v2", "DELETE team/app:v1");
        assertThat(events.stream().map(e -> e.path("id").asText()).distinct()).hasSize(3);
        String host = "registry.example.com";
        for (JsonNode event : events) {
            assertThat(event.path("source").asText()).isEqualTo("//" + host + "/entrepot");
        }
        assertThat(events.get(0).path("data").path("digest").asText()).isEqualTo(host + "/team/app@" + one.digest());
        assertThat(events.get(0).path("data").path("tag").asText()).isEqualTo(host + "/team/app:v1");
        assertThat(events.get(1).path("data").path("digest").asText()).isEqualTo(host + "/team/app@" + two.digest());
        assertThat(events.get(2).path("data").path("digest").asText()).isEqualTo(host + "/team/app@" + one.digest());
        Poll.until(DELIVERY, () -> named.metrics().sum("entrepot_notifications_pending", "endpoint", "durable") == 0,
                () -> "pending 0 at durable");
        assertThat(named.metrics().sum("entrepot_notifications_total", "endpoint", "durable", "result", "delivered"))
                .as("delivered since the last start").isEqualTo(3);
        assertThat(outbox(named, "durable")).isEmpty();
    }

    @Test
    @Order(4)
    void anEventOlderThanMaxAgeIsDroppedAndCounted() {
        PushClient client = PushClient.of(shortLived);
        HostedImage.random("brief-1", 2_000).push(client, "team/app", "v1");
        Poll.until(Duration.ofSeconds(15), () -> shortLived.metrics().sum("entrepot_notifications_total", "endpoint",
                "brief", "result", "dropped") == 1, () -> "a dropped event at brief: " + shortLived.metrics());
        assertThat(shortLived.metrics().sum("entrepot_notifications_pending", "endpoint", "brief")).isZero();
        assertThat(outbox(shortLived, "brief")).isEmpty();
        assertThat(shortLived.logTail(200)).contains("dropping an event to brief older than");

        brief.up();
        HostedImage.random("brief-2", 2_000).push(client, "team/app", "v2");
        brief.awaitEvents(1, DELIVERY);
        Poll.sleep(Duration.ofMillis(300));
        assertThat(subjects(brief.events())).as("only what is younger than maxAge").containsExactly("team/app:v2");
        // The receiver records the event before the notifier has read its answer and counted the delivery; the
        // notifier counts it before it removes the event from the outbox.
        Poll.until(DELIVERY, () -> shortLived.metrics().sum("entrepot_notifications_pending", "endpoint", "brief") == 0,
                () -> "pending 0 at brief");
        PrometheusText metrics = shortLived.metrics();
        assertThat(metrics.sum("entrepot_notifications_total", "endpoint", "brief", "result", "delivered")).isEqualTo(1);
        assertThat(metrics.sum("entrepot_notifications_total", "endpoint", "brief", "result", "failed")).isPositive();
    }

    @Test
    @Order(5)
    void theHangingEndpointGetsItsEventsOnceItAnswers() {
        Poll.until(Duration.ofSeconds(20), () -> proxy.metrics().sum("entrepot_notifications_total", "endpoint",
                "hanging", "result", "failed") >= 1, () -> "the held try given up (10 s), counted as failed");
        Poll.until(DELIVERY, () -> hanging.hanging() >= 1, () -> "the event tried again, held again");
        hanging.mode(Mode.ACCEPT);
        Set<String> wanted = new LinkedHashSet<>(HANG_PHASE);
        assertThat(wanted).hasSize(8);
        Poll.until(Duration.ofSeconds(40), () -> subjects(hanging.events()).containsAll(wanted),
                () -> "the events pushed while hanging: " + hanging.describe());
        List<String> delivered = subjects(hanging.events()).stream().distinct().toList();
        List<String> inOrder = delivered.stream().filter(wanted::contains).toList();
        assertThat(inOrder).as("in order (a held request answered after the proxy gave up may come twice)")
                .containsExactlyElementsOf(wanted);
        Poll.until(DELIVERY, () -> proxy.metrics().sum("entrepot_notifications_pending", "endpoint", "hanging") == 0,
                () -> "pending 0 at hanging");
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Milliseconds of whole pushes and of their manifest PUTs, and the subjects of the events they make. */
    private record Timings(List<Long> pushMillis, List<Long> putMillis, List<String> subjects) {
        long pushMedian() {
            return median(pushMillis);
        }

        long pushMax() {
            return pushMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
        }

        long putMedian() {
            return median(putMillis);
        }

        long putMax() {
            return putMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
        }

        private static long median(List<Long> values) {
            return values.stream().sorted().toList().get(values.size() / 2);
        }
    }

    /** {@code count} fresh images pushed to fast/app: the whole push (2 blobs, manifest) and the manifest PUT alone. */
    private static Timings pushes(PushClient client, String label, int count) {
        List<Long> push = new ArrayList<>();
        List<Long> put = new ArrayList<>();
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HostedImage image = HostedImage.random(label + "-" + i, 4_000);
            long start = System.nanoTime();
            for (HostedImage.Blob blob : image.blobs()) {
                client.pushBlob("fast/app", blob.bytes());
            }
            long manifest = System.nanoTime();
            image.pushManifest(client, "fast/app", label + "-" + i);
            long end = System.nanoTime();
            push.add((end - start) / 1_000_000);
            put.add((end - manifest) / 1_000_000);
            subjects.add("fast/app:" + label + "-" + i);
        }
        return new Timings(push, put, subjects);
    }

    /** {@code count} fresh images pushed to fast/app by skopeo; their milliseconds. */
    private static String skopeoPushes(String label, int count) {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = label + "-skopeo-" + i;
            images.tag(name, images.image(name, "amd64", 8_000).manifest());
            long start = System.nanoTime();
            skopeo.push(images.ociRef(name), proxy.ref("fast/app:" + name));
            millis.add((System.nanoTime() - start) / 1_000_000);
        }
        return millis + " ms";
    }

    /** The events waiting in an endpoint's outbox on disk. */
    private static List<Path> outbox(EntrepotProxy target, String endpoint) {
        Path dir = target.storage().resolve("events").resolve(endpoint);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
