package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Index;
import dev.entrepot.e2e.support.ImageListing;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.SkopeoPush;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.entrepot.e2e.support.ImageListing.digests;
import static dev.entrepot.e2e.support.ImageListing.row;
import static dev.entrepot.e2e.support.ImageListing.size;
import static dev.entrepot.e2e.support.ImageListing.strings;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image listings of issue 19 against a running proxy: skopeo pushes (versions, tags, an index) and deletes in a
 * hosted repository, listed as JSON and as a table with digests, tags, sizes and times; times that a re-push and a
 * restart leave alone and a tag move updates; pagination by {@code n}/{@code last} and {@code Link}; a remote
 * repository's cached image with its last pull; and the permissions of pulls (a reader sees what it may pull).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ListingIT {
    private static final Teardown TEARDOWN = new Teardown();
    /** Both clocks are this machine's; the slack only absorbs rounding. */
    private static final Duration SLACK = Duration.ofMillis(5);

    private static Path work;
    private static Upstream upstream;
    private static ImageGenerator images;
    private static Image appV1;
    private static Image appV2;
    private static Image appOld;
    private static Image appGone;
    private static Index multi;
    private static Image base;
    /** team (standard) and hub (remote over the docker-registry upstream); no users. */
    private static EntrepotProxy proxy;
    /** team, other (readers: alice of team only) and public (anonymous pull); anonymous pull off elsewhere. */
    private static EntrepotProxy guarded;
    private static ImageListing listing;
    private static SkopeoPush skopeo;

    private static final Map<String, Instant> PUSHED_AT = new HashMap<>();
    private static Instant startedAt;
    private static Instant firstPushesDone;
    private static JsonNode hubBeforeRestart;

    @BeforeAll
    static void setUp() throws IOException {
        work = WorkDirs.forClass(ListingIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        base = upstream.images().image("base", "amd64", 40_000, 90_000);
        upstream.push(base.manifest(), "library/base:1");

        images = ImageGenerator.create(work.resolve("layout"));
        skopeo = new SkopeoPush(work.resolve("digests"));
        appV1 = tagged("app-v1", images.image("app-v1", "amd64", 30_000, 70_000));
        appV2 = tagged("app-v2", images.image("app-v2", "amd64", 50_000));
        appOld = tagged("app-old", images.image("app-old", "amd64", 20_000));
        appGone = tagged("app-gone", images.image("app-gone", "amd64", 10_000));
        multi = images.index(images.image("multi", "amd64", 25_000, 35_000), images.image("multi", "arm64", 45_000));
        images.tag("multi", multi.descriptor());

        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), new ProxyConfig()
                .standard("team", false, null)
                .remote("hub", upstream.url().toString(), "1h", "docker.io")));
        listing = ImageListing.anonymous(proxy);

        Path ci = Files.writeString(work.resolve("ci.password"), "ci-S3cret\n");
        Path alice = Files.writeString(work.resolve("alice.password"), "alice-S3cret\n");
        guarded = TEARDOWN.add(EntrepotProxy.start(work.resolve("guarded"), new ProxyConfig()
                .standard("team", false, null).standard("other", false, null).standard("public", false, null)
                .anonymousPull("public", true)
                .auth(false, "{name: ci, passwordFile: " + ci + ", role: writer}",
                        "{name: alice, passwordFile: " + alice + ", role: reader, repositories: [team]}")));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    // ---------------------------------------------------------------------------------------------- hosted

    @Test
    @Order(1)
    void everyPushedVersionIsListedWithItsDigestTagsSizeAndTimes() {
        startedAt = Instant.now();
        assertThat(push("app-v1", "team/app:v1")).isEqualTo(appV1.manifest().digest());
        assertThat(push("app-v1", "team/app:latest")).isEqualTo(appV1.manifest().digest());
        PUSHED_AT.put("v1", Instant.now());
        assertThat(push("app-v2", "team/app:v2")).isEqualTo(appV2.manifest().digest());
        PUSHED_AT.put("v2", Instant.now());
        assertThat(push("app-old", "team/app:old")).isEqualTo(appOld.manifest().digest());
        // an untag keeps the version; skopeo delete (by the tag's digest) removes it
        OciClient.Response untag = PushClient.of(proxy).deleteManifest("team/app", "old");
        assertThat(untag.status()).as("DELETE team/app:old: %s", untag).isEqualTo(202);
        PUSHED_AT.put("old", Instant.now());
        assertThat(push("app-gone", "team/app:gone")).isEqualTo(appGone.manifest().digest());
        SkopeoPush.delete(proxy.ref("team/app:gone"));
        assertThat(push("multi", "team/multi:v1", "--all")).isEqualTo(multi.descriptor().digest());
        firstPushesDone = Instant.now();

        JsonNode rows = listing.images("team", "includeTags=true");
        List<String> expected = new ArrayList<>(List.of(appOld.manifest().digest(), appV2.manifest().digest(),
                appV1.manifest().digest(), multi.descriptor().digest()));
        expected.addAll(childrenNewestFirst(rows));
        assertThat(digests(rows)).as("versions, by image then newest first: %s", rows).isEqualTo(expected);

        JsonNode v1 = row(rows, appV1.manifest().digest());
        assertVersion(v1, "app", appV1, List.of("latest", "v1"));
        assertTimes(v1, startedAt, PUSHED_AT.get("v1"));
        JsonNode v2 = row(rows, appV2.manifest().digest());
        assertVersion(v2, "app", appV2, List.of("v2"));
        assertTimes(v2, PUSHED_AT.get("v1"), PUSHED_AT.get("v2"));
        JsonNode old = row(rows, appOld.manifest().digest());
        assertVersion(old, "app", appOld, List.of());
        assertTimes(old, PUSHED_AT.get("v2"), PUSHED_AT.get("old"));

        JsonNode index = row(rows, multi.descriptor().digest());
        assertThat(index.path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_INDEX);
        assertThat(index.path("size").asLong()).as("an index: its images' configs and layers")
                .isEqualTo(multi.images().stream().mapToLong(ImageListing::size).sum());
        assertThat(strings(index.path("tags"))).containsExactly("v1");
        assertTimes(index, PUSHED_AT.get("old"), firstPushesDone);
        for (Image child : multi.images()) {
            JsonNode c = row(rows, child.manifest().digest());
            assertVersion(c, "multi", child, List.of());
            assertTimes(c, PUSHED_AT.get("old"), Instant.parse(index.path("createTime").asText()));
        }

        JsonNode untagged = listing.images("team", "image=app");
        assertThat(digests(untagged)).containsExactly(appOld.manifest().digest(), appV2.manifest().digest(),
                appV1.manifest().digest());
        untagged.forEach(r -> assertThat(r.has("tags")).as("tags only with includeTags: %s", r).isFalse());
        assertThat(listing.images("team", "image=nothing-here")).isEmpty();
        OciErrors.assertError(listing.get("/api/v1/repositories/nope/images"), 404, "NAME_UNKNOWN");
    }

    @Test
    @Order(2)
    void theTableShowsTheSameVersionsAlignedInColumns() {
        JsonNode rows = listing.images("team", "includeTags=true");
        OciClient.Response table = listing.get("/api/v1/repositories/team/images?includeTags=true&format=table");
        assertThat(table.status()).as("%s", table).isEqualTo(200);
        assertThat(table.header("Content-Type")).startsWith("text/plain");
        System.out.println("[ListingIT] format=table:\n" + table.text());
        List<Map<String, String>> parsed = ImageListing.table(table.text(),
                List.of("IMAGE", "DIGEST", "TAGS", "CREATE_TIME", "UPDATE_TIME", "SIZE"));
        assertThat(parsed).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            Map<String, String> t = parsed.get(i);
            assertThat(t.get("IMAGE")).isEqualTo(proxy.hostPort() + "/team/" + r.path("image").asText());
            assertThat(t.get("DIGEST")).isEqualTo(r.path("digest").asText());
            assertThat(t.get("TAGS")).isEqualTo(String.join(",", strings(r.path("tags"))));
            assertThat(t.get("CREATE_TIME")).isEqualTo(seconds(r.path("createTime").asText()));
            assertThat(t.get("UPDATE_TIME")).isEqualTo(seconds(r.path("updateTime").asText()));
            assertThat(t.get("SIZE")).isEqualTo(r.path("size").asText());
        }

        OciClient.Response accept = listing.get("/api/v1/repositories/team/images?includeTags=true",
                Map.of("Accept", "text/plain"));
        assertThat(accept.status()).isEqualTo(200);
        assertThat(accept.text()).as("Accept: text/plain").isEqualTo(table.text());

        OciClient.Response noTags = listing.get("/api/v1/repositories/team/images?format=table&image=app");
        List<Map<String, String>> withoutTags = ImageListing.table(noTags.text(),
                List.of("IMAGE", "DIGEST", "CREATE_TIME", "UPDATE_TIME", "SIZE"));
        assertThat(withoutTags).extracting(m -> m.get("DIGEST")).containsExactly(appOld.manifest().digest(),
                appV2.manifest().digest(), appV1.manifest().digest());
        assertThat(noTags.text().lines().findFirst().orElseThrow()).doesNotContain("TAGS");
    }

    @Test
    @Order(3)
    void pagesFollowLinkToTheEndAndLastResumesAfterAVersion() {
        JsonNode all = listing.images("team", "includeTags=true");
        assertThat(all.size()).isEqualTo(6);
        for (int n : new int[] {1, 2, 4, 6, 7}) {
            List<JsonNode> collected = new ArrayList<>();
            String next = "/api/v1/repositories/team/images?includeTags=true&n=" + n;
            int pages = 0;
            while (next != null) {
                OciClient.Response page = listing.get(next);
                assertThat(page.status()).as("%s: %s", next, page).isEqualTo(200);
                JsonNode rows = PushClient.json(page).path("images");
                assertThat(rows.size()).as("page %s", next).isBetween(1, n);
                rows.forEach(collected::add);
                next = ImageListing.next(page);
                pages++;
                assertThat(pages).as("n=%d ends", n).isLessThanOrEqualTo(all.size());
            }
            assertThat(collected).as("n=%d, %d pages", n, pages).containsExactlyElementsOf(all);
            assertThat(pages).as("pages with n=%d", n).isEqualTo((all.size() + n - 1) / n);
        }

        OciClient.Response first = listing.get("/api/v1/repositories/team/images?includeTags=true&n=2");
        String token = "app@" + all.get(1).path("digest").asText();
        assertThat(ImageListing.next(first)).isEqualTo("/api/v1/repositories/team/images?includeTags=true&n=2&last="
                + token.replace("@", "%40").replace(":", "%3A"));
        JsonNode rest = listing.images("team", "includeTags=true&last=" + token.replace(":", "%3A"));
        assertThat(digests(rest)).isEqualTo(digests(all).subList(2, all.size()));

        OciClient.Response tablePage = listing.get("/api/v1/repositories/team/images?format=table&n=2&image=app");
        assertThat(tablePage.text().lines().count()).as("header and two rows:\n%s", tablePage.text()).isEqualTo(3);
        assertThat(ImageListing.next(tablePage)).contains("image=app").contains("n=2").contains("last=app%40");

        OciErrors.assertError(listing.get("/api/v1/repositories/team/images?n=0"), 400, "PAGINATION_NUMBER_INVALID");
        OciErrors.assertError(listing.get("/api/v1/repositories/team/images?n=ten"), 400, "PAGINATION_NUMBER_INVALID");
    }

    @Test
    @Order(4)
    void repositoriesAreCountedImagesVersionsTagsAndBytes() {
        JsonNode team = listing.images("team", "includeTags=true");
        Map<String, JsonNode> repositories = listing.repositories();
        assertThat(repositories).containsOnlyKeys("team", "hub");
        JsonNode t = repositories.get("team");
        assertThat(t.path("mode").asText()).isEqualTo("standard");
        assertThat(t.path("images").asInt()).isEqualTo(2);
        assertThat(t.path("versions").asInt()).as("app: 3; multi: the index and its 2 images").isEqualTo(6);
        assertThat(t.path("tags").asInt()).as("latest, v1, v2 of app; v1 of multi").isEqualTo(4);
        long bytes = 0;
        for (JsonNode r : team) {
            bytes += r.path("size").asLong();
        }
        assertThat(t.path("bytes").asLong()).isEqualTo(bytes);
        JsonNode hub = repositories.get("hub");
        assertThat(hub.path("mode").asText()).isEqualTo("remote");
        assertThat(hub.path("versions").asInt()).as("nothing pulled yet").isZero();
    }

    @Test
    @Order(5)
    void aTagMoveUpdatesUpdateTimeButNotCreateTime() {
        JsonNode before = listing.images("team", "image=app&includeTags=true");
        Poll.sleep(Duration.ofMillis(20));
        Instant moving = Instant.now();
        assertThat(push("app-v2", "team/app:latest")).isEqualTo(appV2.manifest().digest());
        Instant moved = Instant.now();

        JsonNode after = listing.images("team", "image=app&includeTags=true");
        JsonNode v2 = row(after, appV2.manifest().digest());
        assertThat(strings(v2.path("tags"))).containsExactly("latest", "v2");
        assertThat(v2.path("createTime").asText()).isEqualTo(row(before, appV2.manifest().digest()).path("createTime").asText());
        assertThat(Instant.parse(v2.path("updateTime").asText())).as("updateTime of the version latest moved to")
                .isBetween(moving.minus(SLACK), moved.plus(SLACK));
        JsonNode v1 = row(after, appV1.manifest().digest());
        assertThat(strings(v1.path("tags"))).containsExactly("v1");
        assertThat(v1.path("createTime").asText()).isEqualTo(row(before, appV1.manifest().digest()).path("createTime").asText());
        JsonNode old = row(after, appOld.manifest().digest());
        assertThat(old).as("an untouched version").isEqualTo(row(before, appOld.manifest().digest()));
    }

    // ---------------------------------------------------------------------------------------------- remote

    @Test
    @Order(6)
    void aCachedImageIsListedWithItsLastPull() {
        String digest = upstream.digest("library/base:1");
        Instant pulling = Instant.now();
        Skopeo.copyOk(proxy.ref("hub/library/base:1"), "dir:" + work.resolve("pulled-1"));
        Instant pulled = Instant.now();

        JsonNode rows = listing.images("hub", "includeTags=true");
        assertThat(digests(rows)).containsExactly(digest);
        JsonNode row = rows.get(0);
        assertThat(row.path("repository").asText()).isEqualTo("hub");
        assertThat(row.path("image").asText()).isEqualTo("library/base");
        assertThat(row.path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_MANIFEST);
        assertThat(row.path("size").asLong()).isEqualTo(size(base));
        assertThat(strings(row.path("tags"))).containsExactly("1");
        assertTimes(row, pulling, pulled);
        assertThat(digests(listing.images("hub", "image=library/base"))).containsExactly(digest);
        JsonNode hub = listing.repositories().get("hub");
        assertThat(hub.path("images").asInt()).isEqualTo(1);
        assertThat(hub.path("versions").asInt()).isEqualTo(1);
        assertThat(hub.path("tags").asInt()).isEqualTo(1);
        assertThat(hub.path("bytes").asLong()).isEqualTo(size(base));

        Poll.sleep(Duration.ofMillis(50));
        Instant again = Instant.now();
        Skopeo.copyOk(proxy.ref("hub/library/base:1"), "dir:" + work.resolve("pulled-2"));
        Instant againDone = Instant.now();
        JsonNode second = listing.images("hub", "includeTags=true").get(0);
        assertThat(second.path("createTime").asText()).as("createTime after another pull").isEqualTo(row.path("createTime").asText());
        assertThat(second.path("updateTime").asText()).as("no upstream contact within tagTtl").isEqualTo(row.path("updateTime").asText());

        assertThat(row.has("lastPulledTime")).as("lastPulledTime of a cached image: %s", row).isTrue();
        assertThat(Instant.parse(row.path("lastPulledTime").asText())).as("lastPulledTime: the pull, not the listing")
                .isBetween(pulling.minus(SLACK), pulled.plus(SLACK));
        assertThat(Instant.parse(second.path("lastPulledTime").asText())).as("lastPulledTime after another pull")
                .isBetween(again.minus(SLACK), againDone.plus(SLACK));
    }

    @Test
    @Order(7)
    void listingACachedImageIsNotAPull() {
        String first = listing.images("hub", "").get(0).path("lastPulledTime").asText();
        Poll.sleep(Duration.ofMillis(50));
        listing.repositories();
        String second = listing.images("hub", "").get(0).path("lastPulledTime").asText();
        assertThat(second).as("lastPulledTime of hub/library/base, listed twice 50 ms apart with no pull between")
                .isEqualTo(first);
    }

    // ---------------------------------------------------------------------------------------------- durability

    @Test
    @Order(8)
    void createTimeSurvivesARepushAndARestart() {
        JsonNode before = listing.images("team", "includeTags=true");
        assertThat(push("app-v1", "team/app:v1")).isEqualTo(appV1.manifest().digest());
        JsonNode repushed = listing.images("team", "includeTags=true");
        JsonNode v1Before = row(before, appV1.manifest().digest());
        JsonNode v1After = row(repushed, appV1.manifest().digest());
        System.out.printf("[ListingIT] re-push of team/app:v1: createTime %s -> %s, updateTime %s -> %s%n",
                v1Before.path("createTime").asText(), v1After.path("createTime").asText(),
                v1Before.path("updateTime").asText(), v1After.path("updateTime").asText());
        assertThat(v1After.path("createTime").asText()).as("createTime after a re-push").isEqualTo(v1Before.path("createTime").asText());
        assertThat(strings(v1After.path("tags"))).containsExactly("v1");
        assertThat(digests(repushed)).isEqualTo(digests(before));

        hubBeforeRestart = listing.images("hub", "includeTags=true").get(0);
        Map<String, JsonNode> countsBefore = listing.repositories();
        proxy.stop();
        proxy.start();
        assertThat(listing.images("team", "includeTags=true")).as("team after a restart").isEqualTo(repushed);
        assertThat(listing.repositories()).as("counts after a restart").isEqualTo(countsBefore);
        JsonNode hub = listing.images("hub", "includeTags=true").get(0);
        for (String field : List.of("digest", "mediaType", "size", "tags", "createTime", "updateTime")) {
            assertThat(hub.get(field)).as("hub %s after a restart", field).isEqualTo(hubBeforeRestart.get(field));
        }
    }

    @Test
    @Order(9)
    void lastPulledTimeSurvivesARestart() {
        JsonNode hub = listing.images("hub", "includeTags=true").get(0);
        assertThat(hub.path("lastPulledTime").asText(null)).as("lastPulledTime of hub/library/base after a restart: %s", hub)
                .isEqualTo(hubBeforeRestart.path("lastPulledTime").asText());
    }

    // ---------------------------------------------------------------------------------------------- permissions

    @Test
    @Order(10)
    void aReaderSeesOnlyWhatItMayPull() {
        PushClient ci = PushClient.basic(guarded, "ci", "ci-S3cret");
        HostedImage team = HostedImage.random("team", 1_000).push(ci, "team/app", "v1");
        HostedImage other = HostedImage.random("other", 1_000).push(ci, "other/app", "v1");
        HostedImage open = HostedImage.random("public", 1_000).push(ci, "public/app", "v1");
        ImageListing alice = ImageListing.basic(guarded, "alice", "alice-S3cret");
        ImageListing admin = ImageListing.basic(guarded, "ci", "ci-S3cret");
        ImageListing anonymous = ImageListing.anonymous(guarded);
        ImageListing wrong = ImageListing.basic(guarded, "alice", "wrong");

        assertThat(admin.repositories()).containsOnlyKeys("team", "other", "public");
        assertThat(alice.repositories()).as("alice reads team; public is open to all").containsOnlyKeys("team", "public");
        assertThat(anonymous.repositories()).containsOnlyKeys("public");

        assertThat(digests(alice.images("team", "includeTags=true"))).containsExactly(team.digest());
        assertThat(digests(admin.images("other", "includeTags=true"))).containsExactly(other.digest());
        assertThat(digests(anonymous.images("public", ""))).containsExactly(open.digest());
        for (String query : List.of("", "?format=table", "?image=app&includeTags=true")) {
            OciClient.Response refused = alice.get("/api/v1/repositories/other/images" + query);
            OciErrors.assertError(refused, 403, "DENIED");
            assertThat(refused.text()).doesNotContain(other.digest());
            OciClient.Response challenged = anonymous.get("/api/v1/repositories/team/images" + query);
            OciErrors.assertError(challenged, 401, "UNAUTHORIZED");
            assertThat(challenged.header("WWW-Authenticate")).as("%s", challenged).startsWith("Basic");
            assertThat(challenged.text()).doesNotContain(team.digest());
        }
        OciErrors.assertError(wrong.get("/api/v1/repositories/team/images"), 401, "UNAUTHORIZED");
        OciErrors.assertError(wrong.get("/api/v1/repositories"), 401, "UNAUTHORIZED");
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static Image tagged(String tag, Image image) {
        images.tag(tag, image.manifest());
        return image;
    }

    /** skopeo copy from the layout into the plain proxy; returns the digest skopeo pushed. */
    private static String push(String layoutTag, String destination, String... extra) {
        return skopeo.push(images.ociRef(layoutTag), proxy.ref(destination), extra);
    }

    /** The index's images as the listing orders them (same image, newest first, then by digest). */
    private static List<String> childrenNewestFirst(JsonNode rows) {
        Set<String> children = Set.of(multi.images().get(0).manifest().digest(), multi.images().get(1).manifest().digest());
        List<String> listed = digests(rows).stream().filter(children::contains).toList();
        assertThat(listed).as("the index's images are versions of team/multi too").containsExactlyInAnyOrderElementsOf(children);
        return listed;
    }

    private static void assertVersion(JsonNode row, String image, Image expected, List<String> tags) {
        assertThat(row.path("repository").asText()).isEqualTo("team");
        assertThat(row.path("image").asText()).isEqualTo(image);
        assertThat(row.path("digest").asText()).isEqualTo(expected.manifest().digest());
        assertThat(row.path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_MANIFEST);
        assertThat(row.path("size").asLong()).as("config and layers of %s", row).isEqualTo(size(expected));
        assertThat(strings(row.path("tags"))).as("tags of %s", row).containsExactlyElementsOf(tags);
        assertThat(row.has("lastPulledTime")).as("hosted: no lastPulledTime in %s", row).isFalse();
    }

    /** createTime within the push, updateTime from it to {@code until}. */
    private static void assertTimes(JsonNode row, Instant from, Instant until) {
        Instant created = Instant.parse(row.path("createTime").asText());
        Instant updated = Instant.parse(row.path("updateTime").asText());
        assertThat(created).as("createTime of %s", row).isBetween(from.minus(SLACK), until.plus(SLACK));
        assertThat(updated).as("updateTime of %s", row).isBetween(created, until.plus(SLACK));
    }

    private static String seconds(String instant) {
        return Instant.parse(instant).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
