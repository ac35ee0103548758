package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Index;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Skopeo;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The happy path with real clients: images generated here are pushed to distribution, then pulled
 * through the proxy with skopeo (by tag and by digest, OCI, Docker v2 schema 2 and a multi-arch
 * index), compared byte for byte with what the upstream serves, and pulled again with the upstream
 * stopped. The last test stops the upstream, hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PullThroughIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Teardown TEARDOWN = new Teardown();
    private static final List<String> PAGED_TAGS = List.of("a1", "b2", "c3", "d4", "e5");

    private static Path work;
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static OciClient client;
    private static Image single;
    private static Index multi;
    private static Image metered;
    private static byte[] dockerList;

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(PullThroughIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        ImageGenerator images = upstream.images();
        single = images.image("app", "amd64", 200_000, 1_500_000, 3_000_000);
        upstream.push(single.manifest(), "library/app:oci");
        upstream.push(single.manifest(), "library/app:v2s2", "--format", "v2s2");
        multi = images.index(images.image("app-multi", "amd64", 300_000, 400_000), images.image("app-multi", "arm64", 500_000));
        upstream.push(multi.descriptor(), "library/app:multi", "--all");
        dockerList = pushDockerManifestList(multi);
        for (String tag : PAGED_TAGS) {
            upstream.push(single.manifest(), "library/paged:" + tag);
        }
        metered = images.image("metered", "amd64", 700_000);
        upstream.push(metered.manifest(), "library/metered:1");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), ProxyConfig.hub(upstream.url().toString(), "1h")));
        client = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    @Order(1)
    void apiVersionCheckAndHealth() {
        OciClient.Response v2 = client.get("/v2/", null);
        assertThat(v2.status()).as("%s", v2).isEqualTo(200);
        assertThat(v2.header("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
        assertThat(client.get("/q/health/live", null).status()).isEqualTo(200);
        OciClient.Response ready = client.get("/q/health/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.text()).contains("UP");
    }

    @Test
    @Order(2)
    void skopeoPullsByTagWithTheUpstreamsDigests() throws IOException {
        for (String tag : List.of("oci", "v2s2")) {
            String upstreamDigest = upstream.digest("library/app:" + tag);
            Path out = work.resolve("pull-tag-" + tag);
            Skopeo.copyOk(proxy.ref("hub/library/app:" + tag), "dir:" + out);
            assertThat(Digests.sha256(out.resolve("manifest.json"))).as("manifest of %s", tag).isEqualTo(upstreamDigest);
            for (Layer layer : single.layers()) {
                if (tag.equals("oci")) {
                    assertThat(Digests.sha256(out.resolve(layer.descriptor().hex()))).isEqualTo(layer.descriptor().digest());
                }
            }
            assertThat(layerFiles(out)).as("blobs of %s", tag).hasSize(single.layers().size() + 1);
            assertThat(Skopeo.digest(proxy.ref("hub/library/app:" + tag))).isEqualTo(upstreamDigest);
            assertThat(Skopeo.raw(proxy.ref("hub/library/app:" + tag))).isEqualTo(upstream.raw("library/app:" + tag));
        }
    }

    @Test
    @Order(3)
    void skopeoPullsByDigest() throws IOException {
        for (String tag : List.of("oci", "v2s2")) {
            String digest = upstream.digest("library/app:" + tag);
            Path out = work.resolve("pull-digest-" + tag);
            Skopeo.copyOk(proxy.ref("hub/library/app@" + digest), "dir:" + out);
            assertThat(Digests.sha256(out.resolve("manifest.json"))).isEqualTo(digest);
            for (Path blob : layerFiles(out)) {
                assertThat(Digests.sha256(blob)).isEqualTo("sha256:" + blob.getFileName());
            }
        }
    }

    @Test
    @Order(4)
    void skopeoPullsTheMultiArchIndexWithEveryPlatform() throws IOException {
        Path out = work.resolve("pull-multi");
        Skopeo.copyOk(proxy.ref("hub/library/app:multi"), "dir:" + out, "--all");
        assertThat(Digests.sha256(out.resolve("manifest.json"))).isEqualTo(multi.descriptor().digest());
        for (Image image : multi.images()) {
            assertThat(Digests.sha256(out.resolve(image.manifest().hex() + ".manifest.json")))
                    .as("%s manifest", image.architecture()).isEqualTo(image.manifest().digest());
            for (Layer layer : image.layers()) {
                assertThat(Digests.sha256(out.resolve(layer.descriptor().hex()))).isEqualTo(layer.descriptor().digest());
            }
        }
        assertThat(Skopeo.raw(proxy.ref("hub/library/app:multi"))).isEqualTo(upstream.raw("library/app:multi"));
    }

    @Test
    @Order(5)
    void manifestsAreServedByteExactWithTheirHeaders() {
        OciClient direct = new OciClient(upstream.registry().url());
        Map<String, String> mediaTypes = Map.of(
                "oci", ImageGenerator.OCI_MANIFEST,
                "v2s2", ImageGenerator.DOCKER_MANIFEST,
                "multi", ImageGenerator.OCI_INDEX);
        mediaTypes.forEach((tag, mediaType) -> {
            OciClient.Response expected = direct.manifest("library/app", tag);
            assertThat(expected.status()).isEqualTo(200);
            String digest = Digests.sha256(expected.body());
            for (String reference : List.of(tag, digest)) {
                OciClient.Response get = client.manifest("hub/library/app", reference);
                assertThat(get.status()).as("GET %s: %s", reference, get).isEqualTo(200);
                assertThat(get.body()).as("bytes of %s", reference).isEqualTo(expected.body());
                assertThat(get.header("Docker-Content-Digest")).isEqualTo(digest);
                assertThat(get.header("Content-Type")).isEqualTo(mediaType);
                assertThat(get.header("Content-Length")).isEqualTo(Integer.toString(expected.body().length));

                OciClient.Response head = client.head("/v2/hub/library/app/manifests/" + reference,
                        ImageGenerator.ACCEPT_ALL_MANIFESTS);
                assertThat(head.status()).as("HEAD %s: %s", reference, head).isEqualTo(200);
                assertThat(head.body()).isEmpty();
                assertThat(head.header("Docker-Content-Digest")).isEqualTo(digest);
                assertThat(head.header("Content-Type")).isEqualTo(mediaType);
                assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(expected.body().length));
            }
        });
        // a platform manifest of the index, by digest only (it has no tag)
        Image arm = multi.images().get(1);
        OciClient.Response child = client.manifest("hub/library/app", arm.manifest().digest());
        assertThat(child.status()).isEqualTo(200);
        assertThat(Digests.sha256(child.body())).isEqualTo(arm.manifest().digest());
    }

    @Test
    @Order(5)
    void dockerManifestListsAreServedAndPulled() throws IOException {
        String digest = Digests.sha256(dockerList);
        OciClient.Response byTag = client.manifest("hub/library/app", "dlist");
        assertThat(byTag.status()).as("%s", byTag).isEqualTo(200);
        assertThat(byTag.body()).isEqualTo(dockerList);
        assertThat(byTag.header("Content-Type")).isEqualTo(ImageGenerator.DOCKER_MANIFEST_LIST);
        assertThat(byTag.header("Docker-Content-Digest")).isEqualTo(digest);
        Path out = work.resolve("pull-dlist");
        Skopeo.copyOk(proxy.ref("hub/library/app@" + digest), "dir:" + out, "--all");
        assertThat(Digests.sha256(out.resolve("manifest.json"))).isEqualTo(digest);
    }

    @Test
    @Order(6)
    void blobsHaveTheirDigestAndLength() throws IOException {
        Layer layer = single.layers().get(2);
        String path = "/v2/hub/library/app/blobs/" + layer.descriptor().digest();
        OciClient.Response head = client.head(path, null);
        assertThat(head.status()).as("%s", head).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo(Long.toString(layer.descriptor().size()));
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(layer.descriptor().digest());
        OciClient.Response get = client.get(path, null);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(Files.readAllBytes(upstream.images().blobPath(layer.descriptor().digest())));
        assertThat(get.header("Docker-Content-Digest")).isEqualTo(layer.descriptor().digest());
    }

    @Test
    @Order(7)
    void tagsListPaginatesWithLinkHeaders() {
        OciClient.Response all = client.get("/v2/hub/library/paged/tags/list", null);
        assertThat(all.status()).as("%s", all).isEqualTo(200);
        assertThat(tags(all)).containsExactlyInAnyOrderElementsOf(PAGED_TAGS);
        assertThat(json(all).path("name").asText()).endsWith("library/paged");

        List<String> seen = new ArrayList<>();
        String next = "/v2/hub/library/paged/tags/list?n=2";
        int pages = 0;
        while (next != null) {
            OciClient.Response page = client.get(next, null);
            assertThat(page.status()).as("%s: %s", next, page).isEqualTo(200);
            List<String> tags = tags(page);
            assertThat(tags.size()).as("page %s", next).isBetween(1, 2);
            seen.addAll(tags);
            next = nextLink(page);
            if (next != null) {
                assertThat(next).as("Link must point back at the proxy's path").startsWith("/v2/hub/library/paged/tags/list?");
            }
            assertThat(++pages).as("pages").isLessThanOrEqualTo(PAGED_TAGS.size());
        }
        // distribution 2.8 ignores n and lists in its own order; the OCI spec wants pages in lexical order
        assertThat(seen).containsExactlyElementsOf(PAGED_TAGS);
        assertThat(pages).isEqualTo(3);

        OciClient.Response afterB = client.get("/v2/hub/library/paged/tags/list?last=b2", null);
        assertThat(tags(afterB)).containsExactly("c3", "d4", "e5");
    }

    @Test
    @Order(8)
    void catalogListsCachedNames() {
        OciClient.Response catalog = client.get("/v2/_catalog", null);
        assertThat(catalog.status()).as("%s", catalog).isEqualTo(200);
        List<String> names = new ArrayList<>();
        json(catalog).path("repositories").forEach(n -> names.add(n.asText()));
        assertThat(names).as("catalog %s", catalog.text()).anyMatch(n -> n.endsWith("library/app"));
        assertThat(names).as("sorted").isSorted();

        OciClient.Response first = client.get("/v2/_catalog?n=1", null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(json(first).path("repositories").size()).isEqualTo(1);
        if (names.size() > 1) {
            assertThat(nextLink(first)).as("Link on a partial catalog").startsWith("/v2/_catalog?");
        }
    }

    @Test
    @Order(9)
    void containerdStyleRequestsRouteByNamespaceAndNormalizeLibrary() {
        String digest = upstream.digest("library/app:oci");
        for (String path : List.of(
                "/v2/library/app/manifests/oci?ns=docker.io",
                "/v2/app/manifests/oci?ns=docker.io",
                "/v2/hub/app/manifests/oci")) {
            OciClient.Response response = client.get(path, ImageGenerator.ACCEPT_ALL_MANIFESTS);
            assertThat(response.status()).as("%s: %s", path, response).isEqualTo(200);
            assertThat(response.header("Docker-Content-Digest")).as(path).isEqualTo(digest);
        }
        Layer layer = single.layers().get(0);
        OciClient.Response blob = client.get("/v2/app/blobs/" + layer.descriptor().digest() + "?ns=docker.io", null);
        assertThat(blob.status()).as("%s", blob).isEqualTo(200);
        assertThat(Digests.sha256(blob.body())).isEqualTo(layer.descriptor().digest());
    }

    @Test
    @Order(10)
    void referrersAnswerWithAnIndexOrNotFound() {
        String digest = upstream.digest("library/app:oci");
        OciClient.Response response = client.get("/v2/hub/library/app/referrers/" + digest, null);
        assertThat(response.status()).as("%s", response).isIn(200, 404);
        if (response.status() == 200) {
            assertThat(response.header("Content-Type")).startsWith(ImageGenerator.OCI_INDEX);
            assertThat(json(response).path("manifests").isArray()).as("%s", response).isTrue();
        } else {
            assertThat(OciErrors.codes(response)).isNotEmpty();
        }
    }

    @Test
    @Order(11)
    void metricsCountMissesHitsBytesAndUpstreamTraffic() {
        Layer layer = metered.layers().get(0);
        String digest = layer.descriptor().digest();
        long size = layer.descriptor().size();
        PrometheusText before = proxy.metrics();

        assertThat(client.blob("hub/library/metered", digest, Duration.ofSeconds(30)).complete(digest)).isTrue();
        assertThat(client.blob("hub/library/metered", digest, Duration.ofSeconds(30)).complete(digest)).isTrue();
        assertThat(client.manifest("hub/library/metered", "1").status()).isEqualTo(200);
        assertThat(client.manifest("hub/library/metered", "1").status()).isEqualTo(200);
        assertThat(client.get("/v2/hub/library/metered/tags/list", null).status()).isEqualTo(200);

        PrometheusText after = proxy.metrics();
        String m = "entrepot_requests_total";
        assertThat(delta(before, after, m, "repository", "hub", "kind", "blob", "result", "miss")).as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, m, "repository", "hub", "kind", "blob", "result", "hit")).as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, m, "repository", "hub", "kind", "manifest", "result", "miss")).as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, m, "repository", "hub", "kind", "manifest", "result", "hit")).as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, m, "repository", "hub", "kind", "tags")).as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, m, "repository", "hub", "result", "error")).as("%s", after).isZero();
        assertThat(delta(before, after, "entrepot_served_bytes_total", "repository", "hub")).isGreaterThanOrEqualTo(2.0 * size);
        assertThat(delta(before, after, "entrepot_upstream_fetched_bytes_total", "repository", "hub"))
                .isBetween((double) size, size + 64_000.0);
        assertThat(delta(before, after, "entrepot_upstream_requests_total", "repository", "hub", "status", "200"))
                .as("blob + manifest + tags list (+ a HEAD for the tag)").isBetween(3.0, 4.0);
        assertThat(delta(before, after, "entrepot_upstream_duration_seconds_count", "repository", "hub")).isGreaterThanOrEqualTo(3);
        long pulledLayers = size + single.layers().stream().mapToLong(l -> l.descriptor().size()).sum()
                + multi.images().stream().flatMap(i -> i.layers().stream()).mapToLong(l -> l.descriptor().size()).sum();
        assertThat(after.sum("entrepot_store_bytes")).as("everything pulled so far is stored")
                .isBetween((double) pulledLayers, proxy.blobBytes() + (double) (1 << 20));
        assertThat(upstream.front().gets("/blobs/" + digest)).isEqualTo(1);
    }

    @Test
    @Order(100)
    void pullsAgainFromTheCacheWithTheUpstreamStopped() throws IOException {
        upstream.registry().stop();
        try {
            Map<String, Integer> before = upstream.front().snapshot();
            String ociDigest = Digests.sha256(Files.readAllBytes(work.resolve("pull-tag-oci/manifest.json")));
            String v2s2Digest = Digests.sha256(Files.readAllBytes(work.resolve("pull-tag-v2s2/manifest.json")));
            Skopeo.copyOk(proxy.ref("hub/library/app:oci"), "dir:" + work.resolve("offline-oci"));
            Skopeo.copyOk(proxy.ref("hub/library/app:v2s2"), "dir:" + work.resolve("offline-v2s2"));
            Skopeo.copyOk(proxy.ref("hub/library/app@" + ociDigest), "dir:" + work.resolve("offline-digest"));
            Skopeo.copyOk(proxy.ref("hub/library/app:multi"), "dir:" + work.resolve("offline-multi"), "--all");
            assertThat(Digests.sha256(work.resolve("offline-oci/manifest.json"))).isEqualTo(ociDigest);
            assertThat(Digests.sha256(work.resolve("offline-v2s2/manifest.json"))).isEqualTo(v2s2Digest);
            assertThat(Digests.sha256(work.resolve("offline-multi/manifest.json"))).isEqualTo(multi.descriptor().digest());
            for (Layer layer : single.layers()) {
                assertThat(Digests.sha256(work.resolve("offline-digest").resolve(layer.descriptor().hex())))
                        .isEqualTo(layer.descriptor().digest());
            }
            assertThat(upstream.front().snapshot()).as("no upstream request within tagTtl").isEqualTo(before);
        } finally {
            upstream.registry().start();
        }
    }

    /**
     * A Docker manifest list over the index's images converted to schema 2: skopeo cannot convert a
     * whole index, so the platform manifests are pushed with --format v2s2 and the list is PUT by hand.
     */
    private static byte[] pushDockerManifestList(Index index) {
        OciClient registry = new OciClient(upstream.registry().url());
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Image image : index.images()) {
            String tag = "dlist-" + image.architecture();
            upstream.push(image.manifest(), "library/app:" + tag, "--format", "v2s2");
            OciClient.Response child = registry.manifest("library/app", tag);
            assertThat(child.header("Content-Type")).isEqualTo(ImageGenerator.DOCKER_MANIFEST);
            entries.add(Map.of("mediaType", ImageGenerator.DOCKER_MANIFEST, "digest", Digests.sha256(child.body()),
                    "size", child.body().length, "platform", Map.of("architecture", image.architecture(), "os", "linux")));
        }
        try {
            byte[] list = JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                    "mediaType", ImageGenerator.DOCKER_MANIFEST_LIST, "manifests", entries));
            OciClient.Response put = registry.send("PUT", "/v2/library/app/manifests/dlist",
                    Map.of("Content-Type", ImageGenerator.DOCKER_MANIFEST_LIST), list, Duration.ofSeconds(30));
            assertThat(put.status()).as("%s", put).isEqualTo(201);
            return list;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Path> layerFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).toList();
        }
    }

    private static JsonNode json(OciClient.Response response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response, e);
        }
    }

    private static List<String> tags(OciClient.Response response) {
        List<String> tags = new ArrayList<>();
        json(response).path("tags").forEach(t -> tags.add(t.asText()));
        return tags;
    }

    /** The target of {@code Link: <...>; rel="next"}, or null. */
    static String nextLink(OciClient.Response response) {
        String link = response.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?").matcher(link);
        assertThat(m.find()).as("Link header %s", link).isTrue();
        return m.group(1);
    }

    static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }
}
