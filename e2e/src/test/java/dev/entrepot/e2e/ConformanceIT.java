package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.ConformanceData;
import dev.entrepot.e2e.support.ConformanceData.TestBlob;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.entrepot.e2e.support.ConformanceData.MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The four workflows of the OCI distribution-spec v1.1.1 conformance suite — pull, push, content discovery, content
 * management — step by step as the suite sends them, against the standard repository {@code team}: namespace
 * {@code team/conformance}, cross-mount target {@code team/crossmount}. As in the suite, state carries from one
 * workflow to the next (each workflow's teardown deletes what it pushed). Assertion labels are the suite's test
 * names; where the suite accepts several answers and the spec names one, the one this registry gives is asserted too.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConformanceIT {
    private static final String NAME = "team/conformance";
    private static final String CROSS = "team/crossmount";
    private static final String V2 = "/v2/" + NAME;
    private static final List<String> ERROR_CODES = List.of("BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN",
            "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "MANIFEST_UNVERIFIED",
            "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "TAG_INVALID", "UNAUTHORIZED", "DENIED", "UNSUPPORTED");
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final Teardown TEARDOWN = new Teardown();
    private static final ConformanceData DATA = new ConformanceData();
    private static EntrepotProxy proxy;
    private static PushClient client;

    @BeforeAll
    static void setUp() {
        proxy = TEARDOWN.add(EntrepotProxy.start(WorkDirs.forClass(ConformanceIT.class).resolve("proxy"),
                new ProxyConfig().standard("team", false, null)));
        client = PushClient.of(proxy);
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    // ---- 01 pull --------------------------------------------------------------------------------------------------

    @Test
    @Order(10)
    void pull() {
        // Setup: two configs and the layer (POST, then PUT the Location), manifest[0] by tag, manifest[1] by digest
        for (TestBlob blob : List.of(DATA.configs.get(0), DATA.configs.get(1), DATA.layer)) {
            is2xx(uploadInTwoSteps(blob), "Populate registry with test blob/layer");
        }
        is2xx(putManifest("tagtest0", MANIFEST, DATA.manifests.get(0)), "Populate registry with test manifest");
        is2xx(putManifest(DATA.manifests.get(1).digest(), MANIFEST, DATA.manifests.get(1)), "…test manifest (by digest)");

        // Pull blobs
        status(request("HEAD", "/blobs/" + ConformanceData.DUMMY_DIGEST), "HEAD request to nonexistent blob", 404);
        OciClient.Response head = request("HEAD", "/blobs/" + DATA.configs.get(0).digest());
        status(head, "HEAD request to existing blob should yield 200", 200);
        digestIfPresent(head, DATA.configs.get(0));
        status(request("GET", "/blobs/" + ConformanceData.DUMMY_DIGEST), "GET nonexistent blob", 404);
        OciClient.Response config = request("GET", "/blobs/" + DATA.configs.get(0).digest());
        status(config, "GET request to existing blob URL should yield 200", 200);
        assertThat(config.body()).as("spec: the blob's bytes").isEqualTo(DATA.configs.get(0).content());

        // Pull manifests
        status(request("HEAD", "/manifests/" + ConformanceData.NONEXISTENT_MANIFEST), "HEAD request to nonexistent manifest", 404);
        for (int i = 0; i < 2; i++) {
            OciClient.Response byDigest = manifest("HEAD", DATA.manifests.get(i).digest());
            status(byDigest, "HEAD request to manifest[" + i + "] path (digest)", 200);
            digestIfPresent(byDigest, DATA.manifests.get(i));
        }
        OciClient.Response byTag = manifest("HEAD", "tagtest0");
        status(byTag, "HEAD request to manifest path (tag)", 200);
        digestIfPresent(byTag, DATA.manifests.get(0));
        status(request("GET", "/manifests/" + ConformanceData.NONEXISTENT_MANIFEST), "GET nonexistent manifest", 404);
        for (int i = 0; i < 2; i++) {
            OciClient.Response got = manifest("GET", DATA.manifests.get(i).digest());
            status(got, "GET request to manifest[" + i + "] path (digest)", 200);
            assertThat(got.body()).as("spec: stored byte-exact").isEqualTo(DATA.manifests.get(i).content());
            assertThat(got.header("Content-Type")).as("spec: the pushed type").isEqualTo(MANIFEST);
        }
        status(manifest("GET", "tagtest0"), "GET request to manifest path (tag)", 200);

        // Error codes: a GET with a body and a bad digest
        OciClient.Response bad = client.send("GET", V2 + "/manifests/sha256:totallywrong",
                Map.of("Content-Type", MANIFEST), BodyPublishers.ofByteArray("blablabla".getBytes()));
        status(bad, "400 response body should contain OCI-conforming JSON message", 400, 404);
        if (bad.status() == 400) {
            assertThat(OciErrors.codes(bad).get(0)).as("code of %s", bad).isIn(ERROR_CODES);
        }

        // Teardown: manifests first (2xx or 405, never 404), then blobs (2xx, 404 or 405)
        for (int i = 0; i < 2; i++) {
            deleted(client.deleteManifest(NAME, DATA.manifests.get(i).digest()), "Delete manifest[" + i + "] created in setup", 202, 405);
        }
        for (TestBlob blob : List.of(DATA.configs.get(0), DATA.configs.get(1), DATA.layer)) {
            deleted(client.deleteBlob(NAME, blob.digest()), "Delete config/layer blob created in setup", 202, 404, 405);
        }
    }

    // ---- 02 push --------------------------------------------------------------------------------------------------

    @Test
    @Order(20)
    void pushBlobUploadStreamed() {
        OciClient.Response post = client.post(NAME, null);
        assertThat(post.header("Location")).as("POST Location: %s", post).isNotBlank();
        assertThat(post.header("Location")).as("spec: the Location names a session id").matches("/v2/" + NAME + "/blobs/uploads/" + UUID);
        OciClient.Response patch = client.patch(post.header("Location"), DATA.blobA.content(), null);
        status(patch, "PATCH request with blob in body should yield 202 response", 202);
        OciClient.Response put = client.put(patch.header("Location"), DATA.blobA.digest(), null, null);
        status(put, "PUT request to session URL with digest should yield 201 response", 201);
        assertThat(put.header("Location")).isNotBlank();
    }

    @Test
    @Order(21)
    void pushBlobUploadMonolithic() {
        TestBlob config1 = DATA.configs.get(1);
        status(request("GET", "/blobs/" + ConformanceData.DUMMY_DIGEST), "GET nonexistent blob", 404);
        OciClient.Response post = client.postBlob(NAME, config1.digest(), config1.content());
        status(post, "POST request with digest and blob should yield a 201 or 202", 201, 202);
        assertThat(post.header("Location")).as("Location of %s", post).isNotBlank();
        status(request("GET", "/blobs/" + config1.digest()), "GET request to blob URL from prior request should yield 200 or 404",
                post.status() == 202 ? 404 : 200);
        OciClient.Response session = client.post(NAME, null);
        status(session, "POST request should yield a session ID", 202);
        OciClient.Response put = client.put(session.header("Location"), config1.digest(), config1.content(), null);
        status(put, "PUT upload of a blob should yield a 201 Response (a re-upload)", 201);
        assertThat(put.header("Location")).isNotBlank();
        status(request("GET", "/blobs/" + config1.digest()), "GET request to existing blob should yield 200 response", 200);
        status(uploadInTwoSteps(DATA.layer), "PUT upload of a layer blob should yield a 201 Response", 201);
        status(request("GET", "/blobs/" + DATA.layer.digest()), "GET request to existing layer should yield 200 response", 200);
    }

    @Test
    @Order(22)
    void pushBlobUploadChunked() {
        OciClient.Response first = client.send("POST", V2 + "/blobs/uploads/", Map.of(), BodyPublishers.noBody());
        assertThat(first.header("Location")).isNotBlank();
        String minLength = first.header("OCI-Chunk-Min-Length");
        assertThat(minLength == null || Integer.parseInt(minLength) <= 22).as("OCI-Chunk-Min-Length %s fits the data", minLength).isTrue();
        status(client.patch(first.header("Location"), DATA.blobBChunk2, DATA.blobBChunk2Range),
                "Out-of-order blob upload should return 416", 416);

        OciClient.Response post = client.post(NAME, null);
        String original = post.header("Location");
        assertThat(original).isNotBlank();
        OciClient.Response chunk1 = client.patch(original, DATA.blobBChunk1, DATA.blobBChunk1Range);
        status(chunk1, "PATCH request with first chunk should return 202", 202);
        assertThat(chunk1.header("Range")).as("Range after the first chunk").isEqualTo("0-21");
        status(client.patch(original, DATA.blobBChunk1, DATA.blobBChunk1Range), "Retry previous blob chunk should return 416", 416);
        OciClient.Response stale = client.status(original);
        status(stale, "Get on stale blob upload should return 204 with a range and location", 204);
        assertThat(stale.header("Location")).isNotBlank();
        assertThat(stale.header("Range")).isEqualTo("0-21");
        OciClient.Response chunk2 = client.patch(stale.header("Location"), DATA.blobBChunk2, DATA.blobBChunk2Range);
        status(chunk2, "PATCH request with second chunk should return 202", 202);
        assertThat(chunk2.header("Location")).isNotBlank();
        OciClient.Response put = client.put(chunk2.header("Location"), DATA.blobB.digest(), null, null);
        status(put, "PUT request with digest should return 201", 201);
        assertThat(put.header("Location")).isNotBlank();
        assertThat(request("GET", "/blobs/" + DATA.blobB.digest()).body()).as("spec: the two chunks, in order")
                .isEqualTo(DATA.blobB.content());
    }

    @Test
    @Order(23)
    void pushCrossRepositoryBlobMount() {
        OciClient.Response noFrom = client.post(CROSS, "mount=" + ConformanceData.DUMMY_DIGEST);
        status(noFrom, "Cross-mounting of a blob without the from argument should yield session id", 202);
        assertThat(noFrom.header("Location")).isNotBlank();

        OciClient.Response mount = client.post(CROSS, "mount=" + DATA.blobA.digest() + "&from=" + NAME);
        status(mount, "POST request to mount another repository's blob should return 201 or 202", 201, 202);
        if (mount.status() == 201) {
            assertThat(PushClient.relative(mount.header("Location"))).as("GET request to test digest within cross-mount namespace")
                    .isEqualTo("/v2/" + CROSS + "/blobs/" + DATA.blobA.digest());
            status(client.send("GET", mount.header("Location"), Map.of(), null), "GET request to test digest within cross-mount namespace", 200);
        } else {
            assertThat(PushClient.relative(mount.header("Location"))).as("Cross-mounting of nonexistent blob should yield session id")
                    .startsWith("/v2/" + CROSS + "/blobs/uploads/");
        }
        assertThat(mount.status()).as("this registry mounts what team/conformance holds").isEqualTo(201);
        // OCI_AUTOMATIC_CROSSMOUNT=0 (no mount without from), though the blob is now in team/crossmount
        status(client.post(CROSS, "mount=" + DATA.blobA.digest()),
                "Cross-mounting without from, and automatic content discovery disabled should return a 202", 202);
    }

    @Test
    @Order(24)
    void pushManifestUpload() {
        status(request("GET", "/manifests/" + ConformanceData.NONEXISTENT_MANIFEST), "GET nonexistent manifest should return 404", 404);
        for (int i = 0; i < 4; i++) {
            OciClient.Response put = putManifest("test" + i, MANIFEST, DATA.manifests.get(1));
            status(put, "PUT should accept a manifest upload (test" + i + ")", 201);
            assertThat(put.header("Location")).isNotBlank();
        }
        // no mediaType in the body, no layers: the type comes from Content-Type (the suite only warns on failure)
        OciClient.Response empty = putManifest("emptylayer", MANIFEST, DATA.emptyLayerManifest);
        status(empty, "Registry should accept a manifest upload with no layers", 201);
        assertThat(empty.header("Location")).isNotBlank();
        OciClient.Response emptyBack = manifest("GET", "emptylayer");
        assertThat(emptyBack.body()).as("empty-layer manifest byte-exact").isEqualTo(DATA.emptyLayerManifest.content());
        assertThat(emptyBack.header("Content-Type")).isEqualTo(MANIFEST);
        status(manifest("GET", DATA.manifests.get(1).digest()), "GET request to manifest URL (digest) should yield 200 response", 200);

        // Teardown: the digest goes while four tags point to it, and the tags with it
        deleted(client.deleteManifest(NAME, DATA.manifests.get(1).digest()), "Delete manifest created in tests", 202, 405);
        deleted(client.deleteManifest(NAME, DATA.emptyLayerManifest.digest()), "Delete manifest created in tests (empty layer)", 202, 405);
        for (String tag : List.of("test0", "test3", "emptylayer")) {
            status(manifest("GET", tag), "spec: every tag of a deleted manifest is gone (" + tag + ")", 404);
        }
        for (TestBlob blob : List.of(DATA.configs.get(1), DATA.layer)) {
            deleted(client.deleteBlob(NAME, blob.digest()), "Delete config/layer blob created in tests", 202, 404, 405);
        }
    }

    // ---- 03 content discovery -------------------------------------------------------------------------------------

    @Test
    @Order(30)
    void contentDiscoverySetup() {
        is2xx(uploadInTwoSteps(DATA.configs.get(2)), "Populate registry with test blob");
        is2xx(uploadInTwoSteps(DATA.layer), "Populate registry with test layer");
        for (int i = 0; i < 4; i++) {
            is2xx(putManifest("test" + i, MANIFEST, DATA.manifests.get(2)), "Populate registry with test tags");
        }
        // References setup: the artifacts and the index before their subject exists, then the subject, then more
        assertThat(DATA.emptyJson.digest()).isEqualTo(ConformanceData.EMPTY_JSON_DIGEST);
        is2xx(uploadInTwoSteps(DATA.emptyJson), "References setup: empty JSON blob");
        is2xx(uploadInTwoSteps(DATA.refBlobA), "References setup: reference blob A");
        String subject4 = DATA.manifests.get(4).digest();
        pushReferrer(DATA.refsAConfig, MANIFEST, subject4);
        pushReferrer(DATA.refsALayer, MANIFEST, subject4);
        pushReferrer(DATA.refsIndex, ConformanceData.INDEX, subject4);
        is2xx(uploadInTwoSteps(DATA.configs.get(4)), "References setup: config 4");
        is2xx(uploadInTwoSteps(DATA.layer), "References setup: layer");
        is2xx(putManifest("tagtest0", MANIFEST, DATA.manifests.get(4)), "References setup: the subject, tagtest0");
        is2xx(uploadInTwoSteps(DATA.refBlobB), "References setup: reference blob B");
        pushReferrer(DATA.refsBConfig, MANIFEST, subject4);
        pushReferrer(DATA.refsBLayer, MANIFEST, subject4);
        pushReferrer(DATA.refsCLayer, MANIFEST, DATA.manifests.get(3).digest()); // a subject never pushed
    }

    @Test
    @Order(31)
    void contentDiscoveryListingTags() {
        OciClient.Response list = request("GET", "/tags/list");
        status(list, "GET request to list tags should yield 200 response", 200);
        List<String> all = tags(list);
        assertThat(all).as("tags of %s", list).containsExactly("tagtest0", "test0", "test1", "test2", "test3");
        int n = all.size() / 2;
        OciClient.Response limited = request("GET", "/tags/list?n=" + n);
        status(limited, "GET number of tags should be limitable by `n` query parameter", 200);
        assertThat(tags(limited)).as("exactly n tags: %s", limited).hasSize(n);
        OciClient.Response next = request("GET", "/tags/list?n=" + n + "&last=" + tags(limited).get(n - 1));
        status(next, "GET start of tag is set by `last` query parameter", 200);
        // spec.md, not checked by v1.1.1: lexical order, `last` non-inclusive, n=0 empty without Link
        assertThat(tags(next)).as("spec: the page after %s", tags(limited)).isEqualTo(all.subList(n, 2 * n));
        OciClient.Response none = request("GET", "/tags/list?n=0");
        assertThat(none.status()).isEqualTo(200);
        assertThat(tags(none)).isEmpty();
        assertThat(none.header("Link")).as("spec: n=0 sends no Link").isNull();
    }

    @Test
    @Order(32)
    void contentDiscoveryListingReferrers() {
        OciClient.Response nothing = request("GET", "/referrers/" + ConformanceData.DUMMY_DIGEST);
        status(nothing, "GET request to nonexistent blob should result in empty 200 response", 200);
        assertThat(nothing.header("Content-Type")).isEqualTo(ConformanceData.INDEX);
        assertThat(PushClient.json(nothing).path("manifests")).isEmpty();

        OciClient.Response all = request("GET", "/referrers/" + DATA.manifests.get(4).digest());
        status(all, "GET request to existing blob should yield 200", 200);
        assertThat(all.header("Content-Type")).isEqualTo(ConformanceData.INDEX);
        JsonNode index = PushClient.json(all);
        assertThat(index.path("manifests")).as("5 referrers: %s", all).hasSize(5);
        assertOneAnnotationEach(index);
        // spec.md: artifactType is the manifest's, else the config's media type
        Map<String, String> types = Map.of(DATA.refsAConfig.digest(), ConformanceData.ARTIFACT_TYPE_A,
                DATA.refsALayer.digest(), ConformanceData.ARTIFACT_TYPE_A, DATA.refsBConfig.digest(), ConformanceData.ARTIFACT_TYPE_B,
                DATA.refsBLayer.digest(), ConformanceData.ARTIFACT_TYPE_B, DATA.refsIndex.digest(), ConformanceData.ARTIFACT_TYPE_INDEX);
        index.path("manifests").forEach(d -> assertThat(d.path("artifactType").asText())
                .as("artifactType of %s", d).isEqualTo(types.get(d.path("digest").asText())));
        assertThat(index.path("mediaType").asText()).isEqualTo(ConformanceData.INDEX);
        assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);

        OciClient.Response filtered = request("GET", "/referrers/" + DATA.manifests.get(4).digest()
                + "?artifactType=" + ConformanceData.ARTIFACT_TYPE_A);
        status(filtered, "GET request to existing blob with filter should yield 200", 200);
        assertThat(filtered.header("Content-Type")).isEqualTo(ConformanceData.INDEX);
        assertThat(filtered.header("OCI-Filters-Applied")).as("this registry filters").isEqualTo("artifactType");
        JsonNode onlyA = PushClient.json(filtered);
        assertThat(onlyA.path("manifests")).as("AConfig (by config.mediaType) and ALayer: %s", filtered).hasSize(2);
        assertOneAnnotationEach(onlyA);
        assertThat(digests(onlyA)).containsExactlyInAnyOrder(DATA.refsAConfig.digest(), DATA.refsALayer.digest());

        OciClient.Response missing = request("GET", "/referrers/" + DATA.manifests.get(3).digest());
        status(missing, "GET request to missing manifest should yield 200", 200);
        assertThat(missing.header("Content-Type")).isEqualTo(ConformanceData.INDEX);
        assertThat(digests(PushClient.json(missing))).containsExactly(DATA.refsCLayer.digest());
    }

    @Test
    @Order(33)
    void contentDiscoveryTeardown() {
        List<TestBlob> manifests = List.of(DATA.refsIndex, DATA.manifests.get(2), DATA.manifests.get(4), DATA.refsAConfig,
                DATA.refsALayer, DATA.refsBConfig, DATA.refsBLayer, DATA.refsCLayer);
        for (TestBlob m : manifests) {
            deleted(client.deleteManifest(NAME, m.digest()), "Delete created manifest & associated tags", 202, 404, 405);
        }
        for (TestBlob blob : List.of(DATA.configs.get(2), DATA.layer, DATA.configs.get(4), DATA.refBlobA, DATA.refBlobB, DATA.emptyJson)) {
            deleted(client.deleteBlob(NAME, blob.digest()), "Delete blob created in setup", 202, 404, 405);
        }
        for (TestBlob m : manifests.subList(3, 8)) { // References teardown: already gone
            status(client.deleteManifest(NAME, m.digest()), "References teardown", 202, 404, 405);
        }
    }

    // ---- 04 content management ------------------------------------------------------------------------------------

    @Test
    @Order(40)
    void contentManagement() {
        TestBlob config3 = DATA.configs.get(3);
        is2xx(uploadInTwoSteps(config3), "Populate registry with test config blob");
        is2xx(uploadInTwoSteps(DATA.layer), "Populate registry with test layer");
        is2xx(putManifest("tagtest0", MANIFEST, DATA.manifests.get(3)), "Populate registry with test tag");
        OciClient.Response before = request("GET", "/tags/list");
        status(before, "Check how many tags there are before anything gets deleted", 200);
        int numTags = tags(before).size();

        OciClient.Response untag = client.deleteManifest(NAME, "tagtest0");
        deleted(untag, "DELETE request to manifest tag should return 202, unless tag deletion is disallowed (400/405)", 202, 400, 405);
        if (untag.status() == 400) {
            assertThat(OciErrors.codes(untag).get(0)).isEqualTo("UNSUPPORTED");
        }
        deleted(client.deleteManifest(NAME, DATA.manifests.get(3).digest()),
                "DELETE request to manifest (digest) should yield 202 response unless already deleted", 202, 404);
        status(manifest("GET", DATA.manifests.get(3).digest()), "GET request to deleted manifest URL should yield 404 response", 404);
        OciClient.Response after = request("GET", "/tags/list");
        status(after, "GET request to tags list should reflect manifest deletion", 200, 404);
        if (after.status() == 200) {
            assertThat(tags(after)).hasSize(numTags - 1);
        } else {
            assertThat(numTags - 1).isZero();
        }

        deleted(client.deleteBlob(NAME, config3.digest()), "DELETE request to blob URL should yield 202 response", 202, 404, 405);
        OciClient.Response layer = client.deleteBlob(NAME, DATA.layer.digest());
        deleted(layer, "DELETE request to blob URL should yield 202 response (layer)", 202, 404, 405);
        if (layer.status() != 405) {
            status(request("GET", "/blobs/" + config3.digest()), "GET request to deleted blob URL should yield 404 response", 404);
            status(request("HEAD", "/blobs/" + DATA.layer.digest()), "spec: HEAD of a deleted blob", 404);
        }
    }

    // ---- the suite's client ---------------------------------------------------------------------------------------

    /** POST a session, then PUT the blob to the relative Location with {@code ?digest=}. */
    private static OciClient.Response uploadInTwoSteps(TestBlob blob) {
        OciClient.Response post = client.post(NAME, null);
        assertThat(post.header("Location")).as("Location of %s", post).isNotBlank();
        return client.put(post.header("Location"), blob.digest(), blob.content(), null);
    }

    private static OciClient.Response putManifest(String reference, String contentType, TestBlob manifest) {
        return client.putManifest(NAME, reference, contentType, manifest.content());
    }

    private static void pushReferrer(TestBlob referrer, String contentType, String subject) {
        OciClient.Response put = putManifest(referrer.digest(), contentType, referrer);
        is2xx(put, "References setup: referrer " + referrer.digest());
        assertThat(put.header("OCI-Subject")).as("OCI-Subject of %s", put).isEqualTo(subject);
    }

    private static OciClient.Response request(String method, String path) {
        return client.send(method, V2 + path, Map.of(), null);
    }

    /** GET/HEAD a manifest with {@code Accept} = the OCI image manifest type, as the suite does. */
    private static OciClient.Response manifest(String method, String reference) {
        return client.send(method, V2 + "/manifests/" + reference, Map.of("Accept", MANIFEST), null);
    }

    private static void digestIfPresent(OciClient.Response response, TestBlob expected) {
        String digest = response.header("Docker-Content-Digest");
        if (digest != null) {
            assertThat(digest).as("Docker-Content-Digest of %s", response).isEqualTo(expected.digest());
        }
    }

    private static void assertOneAnnotationEach(JsonNode index) {
        for (JsonNode d : index.path("manifests")) {
            assertThat(d.path("annotations").size()).as("exactly one annotation in %s", d).isEqualTo(1);
            assertThat(d.path("annotations").path(ConformanceData.ANNOTATION).asText())
                    .isEqualTo(DATA.annotationValues.get(d.path("digest").asText()));
        }
    }

    private static List<String> digests(JsonNode index) {
        List<String> digests = new ArrayList<>();
        index.path("manifests").forEach(d -> digests.add(d.path("digest").asText()));
        return digests;
    }

    private static List<String> tags(OciClient.Response response) {
        List<String> tags = new ArrayList<>();
        PushClient.json(response).path("tags").forEach(t -> tags.add(t.asText()));
        return tags;
    }

    private static void status(OciClient.Response response, String test, Integer... accepted) {
        assertThat(response.status()).as("%s: %s", test, response).isIn((Object[]) accepted);
    }

    private static void is2xx(OciClient.Response response, String test) {
        assertThat(response.status()).as("%s: %s", test, response).isBetween(200, 299);
    }

    /** What the suite accepts for a delete, and (first of {@code accepted}) what the spec says it should be. */
    private static void deleted(OciClient.Response response, String test, int spec, Integer... alsoAccepted) {
        List<Integer> accepted = new ArrayList<>(List.of(alsoAccepted));
        accepted.add(spec);
        if (spec == 202) {
            accepted.addAll(List.of(200, 201, 203, 204, 205, 206)); // the suite's "2xx"
        }
        assertThat(response.status()).as("%s: %s", test, response).isIn(accepted);
        assertThat(response.status()).as("spec: %s answers %d: %s", test, spec, response).isEqualTo(spec);
    }
}
