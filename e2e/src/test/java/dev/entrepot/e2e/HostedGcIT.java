package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.HostedImage.Blob;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deletes and garbage collection of hosted content ({@code POST /api/v1/gc}): a deleted image's own blobs go, blobs
 * another hosted image references stay, cached (remote) content — pulled through {@code hub} from a real
 * docker-registry — is a separate store GC never touches; the grace period is what keeps a blob uploaded but not yet
 * referenced; a dry run removes nothing; cleanup policies delete old untagged versions (or only report them).
 */
class HostedGcIT {
    private static final Duration RELOAD = Duration.ofSeconds(15);
    private static final Pattern RELOADED = Pattern.compile("reloaded ");
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static Image cached;
    private static EntrepotProxy proxy;
    private static PushClient push;
    private static OciClient pull;
    private static String currentGrace = "0s";

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(HostedGcIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        cached = upstream.images().image("cached", "amd64", 300_000);
        upstream.push(cached.manifest(), "library/cached:1");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config("0s", "0s"),
                List.of("-Dentrepot.config-poll-interval=200ms", "-Dentrepot.maintenance-interval=500ms")));
        push = PushClient.of(proxy);
        pull = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    /** GC every {@code interval} (0s: on demand only); {@code policy} cleans up for real, {@code policydry} only reports. */
    private static ProxyConfig config(String interval, String gracePeriod) {
        return ProxyConfig.hub(upstream.url().toString(), "1h")
                .standard("team", false, null)
                .standard("policy", false, "{dryRun: false, keepRecent: 1, deleteUntaggedOlderThan: 2s}")
                .standard("policydry", false, "{dryRun: true, keepRecent: 1, deleteUntaggedOlderThan: 2s}")
                .gc(interval, gracePeriod);
    }

    @Test
    void aDeletedImagesOwnBlobsGoSharedAndCachedBlobsStay() {
        grace("0s");
        String cachedLayer = cached.layers().get(0).descriptor().digest();
        assertThat(pull.manifest("hub/library/cached", "1").status()).isEqualTo(200);
        assertThat(pull.blob("hub/library/cached", cachedLayer, Duration.ofSeconds(30)).complete(cachedLayer)).isTrue();
        Poll.until(Duration.ofSeconds(10), () -> proxy.blobFile(cachedLayer).toFile().isFile(), () -> "cached layer stored");

        Blob shared = Blob.randomLayer(200_000);
        Blob own = Blob.randomLayer(150_000);
        HostedImage app = HostedImage.of("app", List.of(shared, own)).push(push, "team/app", "1");
        HostedImage other = HostedImage.of("other", List.of(shared)).push(push, "team/other", "1");
        // a hosted image over the cached layer: mounted from hub, so the hosted store gets its own copy
        OciClient.Response mount = push.post("team/mounted", "mount=" + cachedLayer + "&from=hub/library/cached");
        assertThat(mount.status()).as("mount from a remote repository's cache: %s", mount).isEqualTo(201);
        HostedImage mounted = HostedImage.of("mounted", List.of(Blob.of(ImageGenerator.OCI_LAYER_GZIP,
                pull.get("/v2/hub/library/cached/blobs/" + cachedLayer, null).body())));
        push.pushBlob("team/mounted", mounted.config().bytes());
        mounted.pushManifest(push, "team/mounted", "1");

        PrometheusText before = proxy.metrics();
        int upstreamGets = upstream.front().gets("/blobs/" + cachedLayer);
        assertThat(push.deleteManifest("team/app", app.digest()).status()).isEqualTo(202);
        assertThat(push.deleteManifest("team/mounted", mounted.digest()).status()).isEqualTo(202);
        OciErrors.assertError(pull.manifest("team/app", "1"), 404, "MANIFEST_UNKNOWN");

        JsonNode gc = push.gc(false).path("gc");
        List<String> removed = strings(gc.path("removed"));
        assertThat(gc.path("dryRun").asBoolean()).isFalse();
        assertThat(removed).as("%s", gc).contains(app.config().digest(), own.digest(), mounted.config().digest(), cachedLayer)
                .doesNotContain(shared.digest(), other.config().digest());
        assertThat(gc.path("blobsRemoved").asInt()).isEqualTo(removed.size());
        assertThat(gc.path("bytesRemoved").asLong()).isGreaterThanOrEqualTo(own.size() + app.config().size() + 300_000);
        assertThat(gc.path("manifestsMarked").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(gc.path("blobLinksRemoved").asInt()).isGreaterThanOrEqualTo(5);
        for (String digest : List.of(app.config().digest(), own.digest(), mounted.config().digest(), cachedLayer)) {
            assertThat(proxy.hostedBlobFile(digest)).as("hosted copy of %s", digest).doesNotExist();
        }
        assertThat(proxy.hostedBlobFile(shared.digest())).isRegularFile();
        OciErrors.assertError(pull.get("/v2/team/app/blobs/" + own.digest(), null), 404, "BLOB_UNKNOWN");
        other.assertPullable(pull, "team/other", "1");

        // the cached copy is another store: still on disk, still served, not fetched again
        assertThat(proxy.blobFile(cachedLayer)).isRegularFile();
        assertThat(pull.blob("hub/library/cached", cachedLayer, Duration.ofSeconds(30)).complete(cachedLayer)).isTrue();
        assertThat(upstream.front().gets("/blobs/" + cachedLayer)).isEqualTo(upstreamGets);

        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_gc_runs_total", "result", "ok")).as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, "entrepot_gc_removed_blobs_total")).isEqualTo(removed.size());
        assertThat(delta(before, after, "entrepot_gc_removed_bytes_total")).isEqualTo(gc.path("bytesRemoved").asDouble());
        assertThat(delta(before, after, "entrepot_hosted_bytes")).as("the hosted store shrank by what was removed")
                .isEqualTo(-gc.path("bytesRemoved").asDouble());
    }

    /** What {@code storage.gc.gracePeriod} is for: the time between uploading blobs and pushing the manifest. */
    @Test
    void theGracePeriodKeepsBlobsUploadedButNotYetReferenced() {
        grace("1h");
        HostedImage early = HostedImage.random("grace", 100_000);
        for (Blob blob : early.blobs()) {
            push.pushBlob("team/grace", blob.bytes());
        }
        List<String> removed = strings(push.gc(false).path("gc").path("removed"));
        assertThat(removed).doesNotContainAnyElementsOf(digests(early));
        early.pushManifest(push, "team/grace", "1");
        early.assertPullable(pull, "team/grace", "1");

        // without a grace period, the same sequence loses the push: the collector sees blobs nothing references
        grace("0s");
        HostedImage late = HostedImage.random("nograce", 100_000);
        for (Blob blob : late.blobs()) {
            push.pushBlob("team/grace", blob.bytes());
        }
        removed = strings(push.gc(false).path("gc").path("removed"));
        assertThat(removed).containsAll(digests(late)).doesNotContainAnyElementsOf(digests(early));
        for (String digest : digests(late)) {
            assertThat(proxy.hostedBlobFile(digest)).doesNotExist();
        }
        OciErrors.assertError(push.putManifest("team/grace", "2", ImageGenerator.OCI_MANIFEST, late.manifest()),
                404, "MANIFEST_BLOB_UNKNOWN");
        early.assertPullable(pull, "team/grace", "1");
    }

    /**
     * Pushes and deletes while collections run back to back: with a grace period longer than one push takes, no push
     * may fail and nothing a manifest references may go, while what deleted images alone held is reclaimed.
     */
    @Test
    void collectionsRacingPushesAndDeletesLoseNothing() throws Exception {
        grace("3s");
        Blob base = Blob.randomLayer(50_000);
        List<HostedImage> live = new ArrayList<>();
        List<HostedImage> dropped = new ArrayList<>();
        AtomicBoolean pushing = new AtomicBoolean(true);
        List<String> gcFailures = new ArrayList<>();
        CompletableFuture<Integer> collector = CompletableFuture.supplyAsync(() -> {
            int runs = 0;
            while (pushing.get()) {
                OciClient.Response response = push.collectGarbage(false);
                if (response.status() != 200) {
                    gcFailures.add(response.toString());
                }
                runs++;
            }
            return runs;
        });
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        try {
            for (int i = 0; System.nanoTime() < end; i++) {
                HostedImage image = HostedImage.of("churn-" + i, List.of(base, Blob.randomLayer(20_000))).push(push, "team/churn", "t" + i);
                live.add(image);
                if (live.size() > 12) { // a dozen revisions for each mark to walk while one goes
                    HostedImage old = live.remove(0);
                    assertThat(push.deleteManifest("team/churn", old.digest()).status()).isEqualTo(202);
                    dropped.add(old);
                }
            }
        } finally {
            pushing.set(false);
        }
        int runs = collector.get(2, TimeUnit.MINUTES);
        assertThat(runs).as("collections ran meanwhile").isGreaterThan(3);
        for (HostedImage image : live) {
            image.assertPullable(pull, "team/churn", null);
        }
        assertThat(gcFailures).as("collections during pushes and deletes").isEmpty();
        Poll.sleep(Duration.ofSeconds(3)); // past the grace period: what only dropped images held goes now
        List<String> removed = strings(push.gc(false).path("gc").path("removed"));
        for (HostedImage image : dropped) {
            assertThat(proxy.hostedBlobFile(image.layers().get(1).digest())).as("own layer of a dropped image").doesNotExist();
        }
        assertThat(removed).doesNotContain(base.digest());
        for (HostedImage image : live) {
            image.assertPullable(pull, "team/churn", null);
        }
    }

    @Test
    void collectionsAlsoRunEveryInterval() {
        grace("0s");
        HostedImage image = HostedImage.random("periodic", 30_000).push(push, "team/periodic", "1");
        assertThat(push.deleteManifest("team/periodic", image.digest()).status()).isEqualTo(202);
        double runs = proxy.metrics().sum("entrepot_gc_runs_total", "result", "ok");
        int reloads = reloads();
        proxy.reconfigure(config("1s", "0s"));
        try {
            Poll.until(RELOAD, () -> reloads() > reloads, () -> "reload with gc.interval 1s");
            Poll.until(Duration.ofSeconds(15), () -> !proxy.hostedBlobFile(image.layers().get(0).digest()).toFile().exists(),
                    () -> "a periodic collection removed the deleted image's layer\n" + proxy.logTail(10));
            assertThat(proxy.metrics().sum("entrepot_gc_runs_total", "result", "ok")).isGreaterThan(runs);
        } finally {
            int again = reloads();
            proxy.reconfigure(config("0s", "0s"));
            Poll.until(RELOAD, () -> reloads() > again, () -> "reload back to on-demand collections");
        }
    }

    @Test
    void aDryRunReportsButRemovesNothing() {
        grace("0s");
        HostedImage image = HostedImage.random("dry", 40_000).push(push, "team/dry", "1");
        assertThat(push.deleteManifest("team/dry", image.digest()).status()).isEqualTo(202);
        PrometheusText before = proxy.metrics();

        JsonNode report = push.gc(true);
        JsonNode gc = report.path("gc");
        assertThat(gc.path("dryRun").asBoolean()).isTrue();
        assertThat(strings(gc.path("removed"))).as("would remove").containsAll(digests(image));
        report.path("cleanup").forEach(c -> assertThat(c.path("dryRun").asBoolean()).as("cleanup in a dry run: %s", c).isTrue());
        for (Blob blob : image.blobs()) {
            assertThat(proxy.hostedBlobFile(blob.digest())).isRegularFile();
            assertThat(pull.get("/v2/team/dry/blobs/" + blob.digest(), null).body()).isEqualTo(blob.bytes());
        }
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_gc_runs_total", "result", "dry_run")).as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, "entrepot_gc_removed_blobs_total")).isZero();

        assertThat(strings(push.gc(false).path("gc").path("removed"))).containsAll(digests(image));
        for (Blob blob : image.blobs()) {
            assertThat(proxy.hostedBlobFile(blob.digest())).doesNotExist();
        }
    }

    @Test
    void cleanupPoliciesDeleteOldUntaggedVersionsOrOnlyReportThem() {
        grace("0s");
        Map<String, List<HostedImage>> doomed = Map.of("policy", new ArrayList<>(), "policydry", new ArrayList<>());
        Map<String, List<HostedImage>> kept = Map.of("policy", new ArrayList<>(), "policydry", new ArrayList<>());
        Blob empty = Blob.of("application/vnd.oci.empty.v1+json", HostedImage.utf8("{}"));
        for (String repository : List.of("policy", "policydry")) {
            String name = repository + "/app";
            for (int i = 1; i <= 3; i++) {
                doomed.get(repository).add(HostedImage.random("untagged-" + i, 2_000).push(push, name, null));
            }
            // a signature of the oldest: a referrer goes with its subject
            push.pushBlob(name, empty.bytes());
            HostedImage signature = HostedImage.of(empty, List.of(Blob.randomLayer(100)), Map.of(
                    "artifactType", "application/vnd.e2e.signature", "subject", doomed.get(repository).get(0).descriptor()));
            push.pushBlob(name, signature.layers().get(0).bytes());
            signature.pushManifest(push, name, null);
            doomed.get(repository).add(signature);
            kept.get(repository).add(HostedImage.random("tagged", 2_000).push(push, name, "release"));
        }
        Poll.sleep(Duration.ofMillis(2_500)); // deleteUntaggedOlderThan: 2s
        for (String repository : List.of("policy", "policydry")) {
            for (int i = 1; i <= 2; i++) { // young; the newest is also within keepRecent 1
                kept.get(repository).add(HostedImage.random("young-" + i, 2_000).push(push, repository + "/app", null));
            }
        }
        PrometheusText before = proxy.metrics();

        JsonNode report = push.gc(false);
        for (String repository : List.of("policy", "policydry")) {
            JsonNode cleanup = entry(report.path("cleanup"), repository);
            assertThat(cleanup.path("dryRun").asBoolean()).as("%s", cleanup).isEqualTo(repository.equals("policydry"));
            assertThat(strings(cleanup.path("deleted"))).as("%s", cleanup).containsExactlyInAnyOrderElementsOf(
                    doomed.get(repository).stream().map(i -> "app@" + i.digest()).toList());
            for (HostedImage image : kept.get(repository)) {
                image.assertPullable(pull, repository + "/app", null);
            }
        }
        for (HostedImage image : doomed.get("policy")) {
            OciErrors.assertError(pull.manifest("policy/app", image.digest()), 404, "MANIFEST_UNKNOWN");
            assertThat(proxy.hostedBlobFile(image.layers().get(0).digest())).as("reclaimed by the same run").doesNotExist();
        }
        for (HostedImage image : doomed.get("policydry")) {
            image.assertPullable(pull, "policydry/app", null);
        }
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_cleanup_deleted_manifests_total", "repository", "policy", "dry_run", "false"))
                .as("%s", after).isEqualTo(4);
        assertThat(delta(before, after, "entrepot_cleanup_deleted_manifests_total", "repository", "policydry", "dry_run", "true"))
                .isEqualTo(4);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Rewrites the config with another grace period and waits until the proxy says it reloaded. */
    private static void grace(String period) {
        if (period.equals(currentGrace)) {
            return; // an unchanged file is no reload
        }
        currentGrace = period;
        int reloads = reloads();
        proxy.reconfigure(config("0s", period));
        Poll.until(RELOAD, () -> reloads() > reloads, () -> "reload with gracePeriod " + period + "\n" + proxy.logTail(10));
    }

    private static int reloads() {
        Matcher m = RELOADED.matcher(proxy.logTail(100_000));
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static JsonNode entry(JsonNode cleanups, String repository) {
        for (JsonNode c : cleanups) {
            if (c.path("repository").asText().equals(repository)) {
                return c;
            }
        }
        throw new AssertionError("no cleanup entry for " + repository + " in " + cleanups);
    }

    private static List<String> digests(HostedImage image) {
        return image.blobs().stream().map(Blob::digest).toList();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
