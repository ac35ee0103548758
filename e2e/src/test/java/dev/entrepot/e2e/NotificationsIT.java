package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Index;
import dev.entrepot.e2e.support.ImageListing;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.SkopeoPush;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WebhookReceiver;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.entrepot.e2e.support.ImageListing.size;
import static dev.entrepot.e2e.support.WebhookReceiver.subjects;
import static dev.entrepot.e2e.support.WebhookReceiver.summary;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What image change notifications (issue 19) say, received by webhooks in this JVM: CloudEvents 1.0 carrying
 * Container Registry's fields for pushes by tag and by digest, tag moves and deletes; the headers of a headersFile;
 * the host the client used when none is configured; filters by event and by repository; CACHED as the opt-in of a
 * remote repository; delivery counted per endpoint. How delivery copes with endpoints that refuse, are down or hang:
 * {@link NotificationDeliveryIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotificationsIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    /** Both clocks are this machine's; the slack only absorbs rounding. */
    private static final Duration SLACK = Duration.ofMillis(5);
    private static final String SECRET = "s3cret-4f1d";

    private static Path work;
    private static ImageGenerator images;
    private static SkopeoPush skopeo;
    private static Image app;
    private static Image app2;
    private static Index multi;
    private static Image base;

    private static WebhookReceiver all;
    private static WebhookReceiver deletes;
    private static WebhookReceiver teamOnly;
    private static WebhookReceiver cached;
    /** team, other (standard) and hub (remote over docker-registry); four endpoints; no notifications.host. */
    private static EntrepotProxy proxy;

    @BeforeAll
    static void setUp() throws IOException {
        work = WorkDirs.forClass(NotificationsIT.class);
        Upstream upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        base = upstream.images().image("base", "amd64", 30_000, 60_000);
        upstream.push(base.manifest(), "library/base:1");
        upstream.push(upstream.images().image("fence", "amd64", 10_000).manifest(), "library/fence:1");

        images = ImageGenerator.create(work.resolve("layout"));
        skopeo = new SkopeoPush(work.resolve("digests"));
        app = tag("app", images.image("app", "amd64", 30_000, 50_000));
        app2 = tag("app2", images.image("app2", "amd64", 40_000));
        tag("other", images.image("other", "amd64", 20_000));
        multi = images.index(images.image("multi", "amd64", 20_000), images.image("multi", "arm64", 25_000));
        images.tag("multi", multi.descriptor());

        all = TEARDOWN.add(WebhookReceiver.start());
        deletes = TEARDOWN.add(WebhookReceiver.start());
        teamOnly = TEARDOWN.add(WebhookReceiver.start());
        cached = TEARDOWN.add(WebhookReceiver.start());
        Path headers = Files.writeString(work.resolve("all.headers"),
                "# shared with the receiver\nX-Hook-Secret: " + SECRET + "\nX-Hook-Name: all\n");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), new ProxyConfig()
                .standard("team", false, null).standard("other", false, null)
                .remote("hub", upstream.url().toString(), "1h", "docker.io")
                .notifications("notifications:\n  endpoints:\n"
                        + "    - {name: all, url: " + all.url() + ", headersFile: " + headers + "}\n"
                        + "    - {name: deletes, url: " + deletes.url() + ", events: [delete]}\n"
                        + "    - {name: team-only, url: " + teamOnly.url() + ", repositories: [team]}\n"
                        + "    - {name: cached, url: " + cached.url() + ", events: [cached], repositories: [hub]}\n")));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    // ---------------------------------------------------------------------------------------------- payloads

    @Test
    @Order(1)
    void aPushByTagIsAnInsertWithContainerRegistrysFields() {
        Instant before = Instant.now();
        String digest = push("app", "team/app:v1");
        Instant after = Instant.now();
        assertThat(digest).isEqualTo(app.manifest().digest());

        WebhookReceiver.Request request = all.awaitRequests(1, DELIVERY).get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/hook");
        assertThat(request.header("Content-Type")).isEqualTo("application/cloudevents+json; charset=utf-8");
        assertThat(request.header("X-Hook-Secret")).as("from the headersFile").isEqualTo(SECRET);
        assertThat(request.header("X-Hook-Name")).isEqualTo("all");
        JsonNode event = request.json();
        String host = proxy.hostPort();
        assertThat(fieldNames(event)).containsExactlyInAnyOrder("specversion", "id", "source", "type", "time", "subject",
                "datacontenttype", "data");
        assertThat(event.path("specversion").asText()).isEqualTo("1.0");
        assertThat(event.path("id").asText()).isNotBlank();
        assertThat(event.path("source").asText()).isEqualTo("//" + host + "/entrepot");
        assertThat(event.path("type").asText()).isEqualTo("dev.entrepot.image.inserted");
        assertThat(Instant.parse(event.path("time").asText())).isBetween(before.minus(SLACK), after.plus(SLACK));
        assertThat(event.path("subject").asText()).isEqualTo("team/app:v1");
        assertThat(event.path("datacontenttype").asText()).isEqualTo("application/json");
        JsonNode data = event.path("data");
        assertThat(fieldNames(data)).containsExactlyInAnyOrder("action", "digest", "tag", "repository", "image",
                "mediaType", "size");
        assertThat(data.path("action").asText()).isEqualTo("INSERT");
        assertThat(data.path("digest").asText()).isEqualTo(host + "/team/app@" + digest);
        assertThat(data.path("tag").asText()).isEqualTo(host + "/team/app:v1");
        assertThat(data.path("repository").asText()).isEqualTo("team");
        assertThat(data.path("image").asText()).isEqualTo("app");
        assertThat(data.path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_MANIFEST);
        assertThat(data.path("size").asLong()).as("config and layers").isEqualTo(size(app));

        assertThat(teamOnly.awaitEvents(1, DELIVERY).get(0)).as("the same event to every endpoint that wants it")
                .isEqualTo(event);
    }

    @Test
    @Order(2)
    void anIndexPushedWithItsImagesIsAnInsertPerManifestChildrenFirst() {
        int seen = all.events().size();
        assertThat(push("multi", "team/multi:v1", "--all")).isEqualTo(multi.descriptor().digest());
        List<JsonNode> events = all.awaitEvents(seen + 3, DELIVERY).subList(seen, seen + 3);
        Set<String> children = new HashSet<>();
        for (JsonNode child : events.subList(0, 2)) {
            JsonNode data = child.path("data");
            String digest = data.path("digest").asText().substring((proxy.hostPort() + "/team/multi@").length());
            children.add(digest);
            assertThat(child.path("subject").asText()).as("pushed by digest").isEqualTo("team/multi@" + digest);
            assertThat(data.has("tag")).as("no tag in %s", child).isFalse();
            assertThat(data.path("action").asText()).isEqualTo("INSERT");
            assertThat(data.path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_MANIFEST);
            Image image = multi.images().stream().filter(i -> i.manifest().digest().equals(digest)).findFirst()
                    .orElseThrow(() -> new AssertionError("not a child of the index: " + child));
            assertThat(data.path("size").asLong()).isEqualTo(size(image));
        }
        assertThat(children).containsExactlyInAnyOrder(multi.images().get(0).manifest().digest(),
                multi.images().get(1).manifest().digest());
        JsonNode index = events.get(2);
        assertThat(index.path("subject").asText()).isEqualTo("team/multi:v1");
        assertThat(index.path("data").path("digest").asText()).isEqualTo(proxy.hostPort() + "/team/multi@"
                + multi.descriptor().digest());
        assertThat(index.path("data").path("tag").asText()).isEqualTo(proxy.hostPort() + "/team/multi:v1");
        assertThat(index.path("data").path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_INDEX);
    }

    @Test
    @Order(3)
    void anIndexEventCarriesTheSizeTheListingShows() {
        JsonNode index = all.events().stream().filter(e -> e.path("subject").asText().equals("team/multi:v1"))
                .findFirst().orElseThrow();
        long listed = ImageListing.row(ImageListing.anonymous(proxy).images("team", "image=multi"),
                multi.descriptor().digest()).path("size").asLong();
        assertThat(listed).as("the listing: the configs and layers of the index's images")
                .isEqualTo(multi.images().stream().mapToLong(ImageListing::size).sum());
        assertThat(index.path("data").path("size").asLong()).as("size of the index's INSERT event (the listing says %d)",
                listed).isEqualTo(listed);
    }

    @Test
    @Order(4)
    void aTagMoveIsAnInsertAndDeletesAreDeletes() {
        int seen = all.events().size();
        String host = proxy.hostPort();
        assertThat(push("app2", "team/app:v1")).isEqualTo(app2.manifest().digest());      // v1 moves
        SkopeoPush.delete(proxy.ref("team/app:v1"));                                      // the manifest and v1
        push("app", "team/app:v2");
        OciClient.Response untag = PushClient.of(proxy).deleteManifest("team/app", "v2");
        assertThat(untag.status()).as("%s", untag).isEqualTo(202);

        List<JsonNode> events = all.awaitEvents(seen + 5, DELIVERY).subList(seen, seen + 5);
        assertThat(events).extracting(WebhookReceiver::summary)
                .containsExactly(
                        "INSERT team/app:v1",
                        "DELETE team/app@" + app2.manifest().digest(),
                        "DELETE team/app:v1",
                        "INSERT team/app:v2",
                        "DELETE team/app:v2");
        assertThat(events.get(0).path("data").path("digest").asText()).isEqualTo(host + "/team/app@" + app2.manifest().digest());
        for (JsonNode delete : List.of(events.get(1), events.get(2), events.get(4))) {
            assertThat(delete.path("type").asText()).isEqualTo("dev.entrepot.image.deleted");
            assertThat(delete.path("specversion").asText()).isEqualTo("1.0");
            assertThat(delete.path("source").asText()).isEqualTo("//" + host + "/entrepot");
            JsonNode data = delete.path("data");
            assertThat(data.path("action").asText()).isEqualTo("DELETE");
            assertThat(data.path("repository").asText()).isEqualTo("team");
            assertThat(data.path("image").asText()).isEqualTo("app");
        }
        assertThat(events.get(1).path("data").has("tag")).as("the manifest itself: %s", events.get(1)).isFalse();
        assertThat(events.get(1).path("data").path("digest").asText()).isEqualTo(host + "/team/app@" + app2.manifest().digest());
        assertThat(events.get(2).path("data").path("tag").asText()).isEqualTo(host + "/team/app:v1");
        assertThat(events.get(2).path("data").path("digest").asText()).as("the tag's digest")
                .isEqualTo(host + "/team/app@" + app2.manifest().digest());
        assertThat(events.get(4).path("data").path("tag").asText()).isEqualTo(host + "/team/app:v2");
        assertThat(events.get(4).path("data").path("digest").asText()).isEqualTo(host + "/team/app@" + app.manifest().digest());

        List<JsonNode> onlyDeletes = deletes.awaitEvents(3, DELIVERY);
        assertThat(onlyDeletes).as("events: [delete]").isEqualTo(List.of(events.get(1), events.get(2), events.get(4)));
    }

    @Test
    @Order(5)
    void deleteEventsCarryTheMediaTypeAndSizeOfWhatWasDeleted() {
        JsonNode deleted = deletes.events().get(0);
        JsonNode data = deleted.path("data");
        assertThat(Map.of("mediaType", data.path("mediaType").asText("(none)"), "size", data.path("size").asLong(-1)))
                .as("the DELETE of team/app@%s: %s", app2.manifest().digest(), deleted)
                .isEqualTo(Map.of("mediaType", ImageGenerator.OCI_MANIFEST, "size", size(app2)));
    }

    @Test
    @Order(6)
    void withoutAConfiguredHostEventsNameTheHostTheClientUsed() throws IOException {
        push("app", "team/app:alias");
        int seen = all.events().size();
        String alias = "registry.alias.test:5000";
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("DELETE /v2/team/app/manifests/alias HTTP/1.1\r\nHost: " + alias
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).as("DELETE with Host: %s", alias).startsWith("HTTP/1.1 202");
        }
        List<JsonNode> events = all.awaitEvents(seen + 1, DELIVERY);
        JsonNode delete = events.get(events.size() - 1);
        assertThat(delete.path("subject").asText()).isEqualTo("team/app:alias");
        assertThat(delete.path("source").asText()).isEqualTo("//" + alias + "/entrepot");
        assertThat(delete.path("data").path("tag").asText()).isEqualTo(alias + "/team/app:alias");
        assertThat(delete.path("data").path("digest").asText()).isEqualTo(alias + "/team/app@" + app.manifest().digest());
        JsonNode insert = events.get(events.size() - 2);
        assertThat(insert.path("data").path("tag").asText()).as("skopeo's Host").isEqualTo(proxy.hostPort() + "/team/app:alias");
    }

    // ---------------------------------------------------------------------------------------------- filters

    @Test
    @Order(7)
    void endpointsGetOnlyTheEventsAndRepositoriesTheyAskFor() {
        int seen = all.events().size();
        push("other", "other/app:v1");
        push("app", "team/app:fence");                       // delivery is in order: a fence for team-only
        assertThat(PushClient.of(proxy).deleteManifest("team/app", "fence").status()).isEqualTo(202);

        List<JsonNode> toAll = all.awaitEvents(seen + 3, DELIVERY).subList(seen, seen + 3);
        assertThat(subjects(toAll)).containsExactly("other/app:v1", "team/app:fence", "team/app:fence");
        Poll.until(DELIVERY, () -> subjects(teamOnly.events()).contains("team/app:fence")
                        && deletes.events().stream().anyMatch(e -> e.path("subject").asText().equals("team/app:fence")),
                () -> "the fences at team-only and deletes");
        assertThat(teamOnly.events()).as("repositories: [team]")
                .allSatisfy(e -> assertThat(e.path("data").path("repository").asText()).isEqualTo("team"));
        assertThat(deletes.events()).as("events: [delete]")
                .allSatisfy(e -> assertThat(e.path("data").path("action").asText()).isEqualTo("DELETE"));
        assertThat(cached.events()).as("events: [cached], repositories: [hub]").isEmpty();
    }

    @Test
    @Order(8)
    void cachedIsAnOptInOfRemoteRepositories() {
        int seen = all.events().size();
        Instant before = Instant.now();
        Skopeo.copyOk(proxy.ref("hub/library/base:1"), "dir:" + work.resolve("pulled-1"));
        Instant after = Instant.now();
        Skopeo.copyOk(proxy.ref("hub/library/base:1"), "dir:" + work.resolve("pulled-2"));   // from the cache
        Skopeo.copyOk(proxy.ref("hub/library/fence:1"), "dir:" + work.resolve("pulled-fence"));
        push("app", "team/app:fence2");

        List<JsonNode> events = cached.awaitEvents(2, DELIVERY);
        assertThat(subjects(events)).as("one event per manifest first cached").containsExactly("hub/library/base:1",
                "hub/library/fence:1");
        JsonNode event = events.get(0);
        assertThat(event.path("type").asText()).isEqualTo("dev.entrepot.image.cached");
        assertThat(event.path("specversion").asText()).isEqualTo("1.0");
        assertThat(Instant.parse(event.path("time").asText())).isBetween(before.minus(SLACK), after.plus(SLACK));
        JsonNode data = event.path("data");
        assertThat(data.path("action").asText()).isEqualTo("CACHED");
        assertThat(data.path("repository").asText()).isEqualTo("hub");
        assertThat(data.path("image").asText()).isEqualTo("library/base");
        assertThat(data.path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_MANIFEST);
        assertThat(data.path("digest").asText()).endsWith("/hub/library/base@" + base.manifest().digest());
        assertThat(data.path("tag").asText()).endsWith("/hub/library/base:1");

        List<JsonNode> toAll = all.awaitEvents(seen + 1, DELIVERY);
        assertThat(subjects(toAll.subList(seen, toAll.size()))).as("all: insert and delete only")
                .containsExactly("team/app:fence2");
    }

    @Test
    @Order(9)
    void aCachedEventNamesTheHostTheClientUsedAndTheSize() {
        JsonNode event = cached.events().get(0);
        JsonNode data = event.path("data");
        assertThat(Map.of("source", event.path("source").asText(), "digest", data.path("digest").asText(),
                "size", data.path("size").asLong(-1)))
                .as("the CACHED event of a pull by skopeo at %s: %s", proxy.hostPort(), event)
                .isEqualTo(Map.of("source", "//" + proxy.hostPort() + "/entrepot",
                        "digest", proxy.hostPort() + "/hub/library/base@" + base.manifest().digest(),
                        "size", size(base)));
    }

    @Test
    @Order(10)
    void metricsCountEveryDeliveryPerEndpoint() {
        Map<String, WebhookReceiver> endpoints = Map.of("all", all, "deletes", deletes, "team-only", teamOnly,
                "cached", cached);
        endpoints.forEach((name, receiver) -> {
            Poll.until(DELIVERY, () -> proxy.metrics().sum("entrepot_notifications_pending", "endpoint", name) == 0,
                    () -> "pending 0 at " + name);
            PrometheusText metrics = proxy.metrics();
            assertThat(receiver.events()).as("events at %s", name).isNotEmpty();
            assertThat(metrics.sum("entrepot_notifications_total", "endpoint", name, "result", "delivered"))
                    .as("delivered to %s", name).isEqualTo(receiver.events().size());
            assertThat(metrics.sum("entrepot_notifications_total", "endpoint", name, "result", "failed"))
                    .as("failed at %s", name).isZero();
            assertThat(metrics.sum("entrepot_notifications_total", "endpoint", name, "result", "dropped"))
                    .as("dropped at %s", name).isZero();
        });
    }

    @Test
    @Order(11)
    void aRewrittenHeadersFileReachesTheDeliveriesWithoutAConfigChange() throws IOException {
        Files.writeString(work.resolve("all.headers"), "X-Hook-Secret: rotated-" + SECRET + "\nX-Hook-Name: all\n");
        int[] round = {0};
        Poll.until(DELIVERY, () -> {
            push("app", "team/app:rotated-" + ++round[0]); // until the watcher has seen the file, the old header
            return all.accepted().stream()
                    .filter(r -> r.json().path("data").path("tag").asText().contains("/team/app:rotated-"))
                    .anyMatch(r -> ("rotated-" + SECRET).equals(r.header("X-Hook-Secret")));
        }, () -> "an event with the rotated header; got " + all.describe());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static Image tag(String tag, Image image) {
        images.tag(tag, image.manifest());
        return image;
    }

    /** skopeo copy of a layout tag into the proxy; returns the digest skopeo pushed. */
    private static String push(String layoutTag, String destination, String... extra) {
        return skopeo.push(images.ociRef(layoutTag), proxy.ref(destination), extra);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
