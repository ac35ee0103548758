package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.HostedImage.Blob;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.SeededBytes;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stricter checks of the rewritten conformance suite on distribution-spec {@code main} (not released; a CI job
 * pinned to {@code @main} runs them), against the standard repository {@code team}: exact HEAD/GET answers and
 * Locations, chunked uploads with an out-of-order PATCH or PUT and recovery by GET, the last chunk in the PUT, empty
 * and sha512 blobs, a malformed digest, blob ranges, {@code last} without {@code n}, referrer descriptors, HEAD 404
 * after deletes.
 */
class ConformanceNextIT {
    private static final String ACCEPT = ImageGenerator.OCI_INDEX + ", " + ImageGenerator.OCI_MANIFEST;
    private static final Teardown TEARDOWN = new Teardown();
    private static PushClient push;
    private static OciClient pull;

    @BeforeAll
    static void setUp() {
        EntrepotProxy proxy = TEARDOWN.add(EntrepotProxy.start(WorkDirs.forClass(ConformanceNextIT.class).resolve("proxy"),
                new ProxyConfig().standard("team", false, null)));
        push = PushClient.of(proxy);
        pull = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void headAndGetAnswersAndLocationsAreExact() {
        HostedImage image = HostedImage.random("exact", 3_000);
        for (Blob blob : image.blobs()) {
            OciClient.Response put = push.put(push.startUpload("team/exact"), blob.digest(), blob.bytes(), null);
            assertThat(put.status()).isEqualTo(201);
            assertThat(get(put.header("Location"), null).body()).as("blob Location GET").isEqualTo(blob.bytes());
            OciClient.Response head = pull.head("/v2/team/exact/blobs/" + blob.digest(), null);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.body()).as("HEAD has no body").isEmpty();
            assertThat(head.header("Content-Length")).isEqualTo(Long.toString(blob.size()));
        }
        OciClient.Response put = push.putManifest("team/exact", "v1", ImageGenerator.OCI_MANIFEST, image.manifest());
        assertThat(put.status()).isEqualTo(201);
        assertExactManifest(get(put.header("Location"), ACCEPT), image.manifest(), "manifest Location GET");
        for (String reference : List.of("v1", image.digest())) {
            assertExactManifest(pull.get("/v2/team/exact/manifests/" + reference, ACCEPT), image.manifest(), "GET " + reference);
            OciClient.Response head = pull.head("/v2/team/exact/manifests/" + reference, ACCEPT);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.header("Content-Type")).isEqualTo(ImageGenerator.OCI_MANIFEST);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(image.manifest().length));
            assertThat(head.header("Docker-Content-Digest")).isEqualTo(image.digest());
        }
    }

    /** The suite's chunked upload with OutOfOrderChunks and PutLastChunk: three chunks, each after a refused one. */
    @Test
    void chunkedUploadRecoversFromOutOfOrderPatchesAndPuts() {
        byte[] blob = SeededBytes.bytes(ThreadLocalRandom.current().nextLong(), 0, 3_000);
        String digest = Digests.sha256(blob);
        int chunk = blob.length / 3 + 1;
        String location = push.startUpload("team/chunks");
        int lastByte = -1;
        while (lastByte < blob.length - 1) {
            int badStart = lastByte + 1 + chunk >= blob.length ? 0 : lastByte + 1 + chunk;
            int badLast = Math.min(badStart + chunk - 1, blob.length - 1);
            boolean putBad = badLast == blob.length - 1;
            String url = putBad ? PushClient.withQuery(location, "digest=" + digest) : location;
            OciClient.Response bad = push.send(putBad ? "PUT" : "PATCH", url,
                    Map.of("Content-Type", PushClient.OCTET_STREAM, "Content-Range", badStart + "-" + badLast),
                    BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, badStart, badLast + 1)));
            assertThat(bad.status()).as("out-of-order %s %d-%d: %s", putBad ? "PUT" : "PATCH", badStart, badLast, bad).isEqualTo(416);
            OciClient.Response recovery = push.status(url); // the suite GETs the URL it used, query and all
            assertThat(recovery.status()).as("recovery GET %s: %s", url, recovery).isEqualTo(204);
            assertThat(recovery.header("Range")).as("a Range even on an empty session").isEqualTo("0-" + Math.max(0, lastByte));
            location = recovery.header("Location");
            int start = lastByte + 1;
            lastByte = Math.min(start + chunk - 1, blob.length - 1);
            byte[] part = Arrays.copyOfRange(blob, start, lastByte + 1);
            OciClient.Response sent = lastByte == blob.length - 1
                    ? push.put(location, digest, part, start + "-" + lastByte)
                    : push.patch(location, part, start + "-" + lastByte);
            assertThat(sent.status()).as("chunk %d-%d: %s", start, lastByte, sent).isEqualTo(lastByte == blob.length - 1 ? 201 : 202);
            location = sent.header("Location");
        }
        assertThat(get(location, null).body()).isEqualTo(blob);
    }

    @Test
    void emptyAndSha512BlobsArePushedAndPulled() throws NoSuchAlgorithmException {
        for (byte[] blob : List.of(new byte[0], HostedImage.utf8("{}"))) {
            String digest = Digests.sha256(blob);
            assertThat(push.put(push.startUpload("team/wellknown"), digest, blob, null).status()).isEqualTo(201);
            OciClient.Response head = pull.head("/v2/team/wellknown/blobs/" + digest, null);
            assertThat(head.status()).as("%s", head).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(blob.length));
            assertThat(pull.get("/v2/team/wellknown/blobs/" + digest, null).body()).isEqualTo(blob);
        }
        byte[] blob = SeededBytes.bytes(ThreadLocalRandom.current().nextLong(), 0, 5_000);
        String sha512 = "sha512:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(blob));
        OciClient.Response put = push.put(push.startUpload("team/wellknown"), sha512, blob, null);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(sha512);
        assertThat(get(put.header("Location"), null).body()).isEqualTo(blob);
        OciErrors.assertError(push.put(push.startUpload("team/wellknown"), "sha512:" + "0".repeat(128), blob, null),
                400, "DIGEST_INVALID");
    }

    @Test
    void aMalformedManifestDigestIs400() {
        HostedImage image = HostedImage.random("baddigest", 500);
        for (Blob blob : image.blobs()) {
            push.pushBlob("team/baddigest", blob.bytes());
        }
        OciClient.Response put = push.putManifest("team/baddigest", "sha256:baddigeststring", ImageGenerator.OCI_MANIFEST, image.manifest());
        assertThat(put.status()).as("%s", put).isEqualTo(400);
        assertThat(pull.get("/v2/team/baddigest/manifests/sha256:baddigeststring", ACCEPT).status()).isIn(400, 404);
    }

    /** bytes=500-0 is where RFC 9110 lets a server ignore the header; the suite on main wants 416. */
    @Test
    void blobRangeRequests() {
        byte[] blob = SeededBytes.bytes(ThreadLocalRandom.current().nextLong(), 0, 2_048);
        String path = "/v2/team/ranges/blobs/" + push.pushBlob("team/ranges", blob);
        assertRange(pull.range(path, "bytes=500-1499"), blob, 500, 1499);
        assertRange(pull.range(path, "bytes=500-"), blob, 500, 2047);
        assertRange(pull.range(path, "bytes=-500"), blob, 1548, 2047);
        assertRange(pull.range(path, "bytes=2000-5000"), blob, 2000, 2047);
        assertThat(pull.range(path, "bytes=5000-10000").status()).as("range 5000-10000").isEqualTo(416);
        OciClient.Response reversed = pull.range(path, "bytes=500-0");
        assertThat(reversed.status()).as("range 500-0 (the suite on main counts a full 200 as 'range unsupported'): %s",
                reversed.status()).isEqualTo(416);
    }

    @Test
    void lastWithoutNReturnsEveryLaterTagInByteOrder() {
        HostedImage image = HostedImage.random("tags", 500);
        List<String> pushed = List.of("v1", "V2", "alpha", "Beta", "beta.1", "gamma_2", "0.9", "latest");
        for (String tag : pushed) {
            if (tag.equals(pushed.get(0))) {
                image.push(push, "team/tags", tag);
            } else {
                image.pushManifest(push, "team/tags", tag);
            }
        }
        List<String> all = tags(pull.get("/v2/team/tags/tags/list", null));
        List<String> sorted = new ArrayList<>(pushed);
        sorted.sort(String::compareTo); // Go's slices.Sort: byte order
        assertThat(all).as("every tag, in byte order").isEqualTo(sorted);
        String last = sorted.get(sorted.size() / 2 - 1);
        assertThat(tags(pull.get("/v2/team/tags/tags/list?last=" + last, null))).as("last=%s", last)
                .isEqualTo(sorted.subList(sorted.size() / 2, sorted.size()));
    }

    @Test
    void referrerDescriptorsMatchTheManifestsAndDeletesAnswer404() {
        HostedImage subject = HostedImage.random("subject", 500).push(push, "team/refs", "1");
        Blob empty = Blob.of("application/vnd.oci.empty.v1+json", HostedImage.utf8("{}"));
        push.pushBlob("team/refs", empty.bytes());
        Blob sbom = Blob.of("application/spdx+json", HostedImage.utf8("{\"spdxVersion\":\"SPDX-2.3\"}"));
        push.pushBlob("team/refs", sbom.bytes());
        HostedImage referrer = HostedImage.of(empty, List.of(sbom), Map.of("artifactType", "application/spdx+json",
                "subject", subject.descriptor(), "annotations", Map.of("org.example.kind", "sbom")));
        OciClient.Response put = push.putManifest("team/refs", referrer.digest(), ImageGenerator.OCI_MANIFEST, referrer.manifest());
        assertThat(put.header("OCI-Subject")).isEqualTo(subject.digest());

        // encoded as url.Values does it: a raw '+' in a query means a space to Go's servers and to this one
        OciClient.Response list = pull.get("/v2/team/refs/referrers/" + subject.digest() + "?artifactType="
                + URLEncoder.encode("application/spdx+json", StandardCharsets.UTF_8), null);
        assertThat(list.header("OCI-Filters-Applied")).contains("artifactType");
        JsonNode index = PushClient.json(list);
        assertThat(index.path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_INDEX);
        assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(index.path("manifests")).hasSize(1);
        JsonNode d = index.path("manifests").get(0);
        assertThat(d.path("digest").asText()).isEqualTo(referrer.digest());
        assertThat(d.path("mediaType").asText()).isEqualTo(ImageGenerator.OCI_MANIFEST);
        assertThat(d.path("size").asLong()).isEqualTo(referrer.manifest().length);
        assertThat(d.path("artifactType").asText()).isEqualTo("application/spdx+json");
        assertThat(d.path("annotations").path("org.example.kind").asText()).isEqualTo("sbom");

        assertThat(push.deleteManifest("team/refs", referrer.digest()).status()).isEqualTo(202);
        assertThat(PushClient.json(pull.get("/v2/team/refs/referrers/" + subject.digest(), null)).path("manifests"))
                .as("a deleted referrer leaves the list").isEmpty();
        assertThat(push.deleteManifest("team/refs", "1").status()).isEqualTo(202);
        assertThat(pull.head("/v2/team/refs/manifests/1", ACCEPT).status()).as("HEAD of a deleted tag").isEqualTo(404);
        assertThat(push.deleteManifest("team/refs", subject.digest()).status()).isEqualTo(202);
        assertThat(pull.head("/v2/team/refs/manifests/" + subject.digest(), ACCEPT).status()).isEqualTo(404);
        assertThat(push.deleteBlob("team/refs", sbom.digest()).status()).isEqualTo(202);
        assertThat(pull.head("/v2/team/refs/blobs/" + sbom.digest(), null).status()).isEqualTo(404);
        OciErrors.assertError(push.deleteBlob("team/refs", sbom.digest()), 404, "BLOB_UNKNOWN");
        OciErrors.assertError(push.deleteManifest("team/refs", subject.digest()), 404, "MANIFEST_UNKNOWN");
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static OciClient.Response get(String location, String accept) {
        return push.send("GET", location, accept == null ? Map.of() : Map.of("Accept", accept), null);
    }

    private static void assertExactManifest(OciClient.Response response, byte[] manifest, String what) {
        assertThat(response.status()).as("%s: %s", what, response).isEqualTo(200);
        assertThat(response.header("Content-Type")).as(what).isEqualTo(ImageGenerator.OCI_MANIFEST);
        assertThat(response.header("Content-Length")).as(what).isEqualTo(Integer.toString(manifest.length));
        assertThat(response.body()).as(what).isEqualTo(manifest);
    }

    private static void assertRange(OciClient.Response response, byte[] blob, int first, int last) {
        String range = first + "-" + last;
        assertThat(response.status()).as("range %s: %s", range, response).isEqualTo(206);
        assertThat(response.header("Content-Length")).isEqualTo(Integer.toString(last - first + 1));
        assertThat(response.header("Content-Range")).isIn("bytes " + range + "/" + blob.length, "bytes " + range + "/*");
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(blob, first, last + 1));
    }

    private static List<String> tags(OciClient.Response response) {
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        List<String> tags = new ArrayList<>();
        PushClient.json(response).path("tags").forEach(t -> tags.add(t.asText()));
        return tags;
    }
}
