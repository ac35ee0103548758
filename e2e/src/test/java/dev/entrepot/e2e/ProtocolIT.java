package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Range requests on blobs, and every kind of bad input answered with the OCI error the spec names. */
class ProtocolIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static OciClient client;
    private static Image image;
    private static byte[] layerBytes;
    private static String layerDigest;
    private static String blobPath;

    @BeforeAll
    static void setUp() throws IOException {
        Path work = WorkDirs.forClass(ProtocolIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        ImageGenerator images = upstream.images();
        image = images.image("proto", "amd64", 1_000_000);
        upstream.push(image.manifest(), "library/proto:1");
        layerDigest = image.layers().get(0).descriptor().digest();
        layerBytes = Files.readAllBytes(images.blobPath(layerDigest));
        blobPath = "/v2/hub/library/proto/blobs/" + layerDigest;
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), ProxyConfig.hub(upstream.url().toString(), "1h")));
        client = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void rangesOfAColdAndThenWarmBlob() {
        // the very first request is a Range: the proxy must answer it from the download in progress or after it
        assertRange(client.range(blobPath, "bytes=100-199"), 100, 199);
        int n = layerBytes.length;
        assertRange(client.range(blobPath, "bytes=0-0"), 0, 0);
        assertRange(client.range(blobPath, "bytes=1000-"), 1000, n - 1);
        assertRange(client.range(blobPath, "bytes=-10"), n - 10, n - 1);
        assertRange(client.range(blobPath, "bytes=" + (n - 5) + "-" + (n + 100)), n - 5, n - 1);
        OciClient.Response whole = client.get(blobPath, null);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(layerBytes);
    }

    @Test
    void headOfAnUncachedBlobAsksUpstreamWithoutDownloading() {
        String config = image.config().digest();
        OciClient.Response head = client.head("/v2/hub/library/proto/blobs/" + config, null);
        assertThat(head.status()).as("%s", head).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo(Long.toString(image.config().size()));
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(config);
        assertThat(upstream.front().gets("/blobs/" + config)).as("no download for a HEAD").isZero();
        assertThat(upstream.front().count("HEAD", "/blobs/" + config)).isEqualTo(1);
        assertThat(proxy.blobFile(config)).doesNotExist();
    }

    @Test
    void unsatisfiableRangesAre416() {
        client.get(blobPath, null); // cached
        int n = layerBytes.length;
        for (String range : List.of("bytes=" + n + "-", "bytes=" + (n + 10) + "-" + (n + 20))) {
            OciClient.Response response = client.range(blobPath, range);
            assertThat(response.status()).as("%s: %s", range, response).isEqualTo(416);
            assertThat(response.header("Content-Range")).as(range).isEqualTo("bytes */" + n);
        }
    }

    @Test
    void unknownRepositoryIsNameUnknown() {
        // no repository mirrors quay.io, and "nope" is no repository
        OciErrors.assertError(client.get("/v2/nope/library/proto/manifests/1?ns=quay.io", null), 404, "NAME_UNKNOWN");
        OciErrors.assertError(client.get("/v2/nope/library/proto/blobs/" + layerDigest + "?ns=quay.io", null), 404, "NAME_UNKNOWN");
        OciErrors.assertError(client.get("/v2/library/proto/tags/list?ns=quay.io", null), 404, "NAME_UNKNOWN");
    }

    @Test
    void requestsWithoutRepositoryOrNamespaceGoToTheDockerHubMirror() {
        // Docker's registry-mirrors send /v2/library/<name>/... without ns
        OciClient.Response response = client.manifest("library/proto", "1");
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        assertThat(response.header("Docker-Content-Digest")).isEqualTo(image.manifest().digest());
    }

    @Test
    void badDigestsAreDigestInvalid() {
        for (String digest : List.of("sha256:xyz", "sha256:" + "ab".repeat(31), "md5:d41d8cd98f00b204e9800998ecf8427e",
                "sha256:" + "AB".repeat(32))) {
            OciErrors.assertError(client.get("/v2/hub/library/proto/blobs/" + digest, null), 400, "DIGEST_INVALID");
        }
        // a manifest reference that cannot exist is simply unknown (the distribution spec's 404), for every repository
        OciErrors.assertError(client.manifest("hub/library/proto", "sha256:1234"), 404, "MANIFEST_UNKNOWN");
    }

    @Test
    void badNamesAreNameInvalid() {
        for (String name : List.of("library/Proto", "library/bad..name", "library/trailing-", "-library/x", "library/a%20b")) {
            OciClient.Response response = client.manifest("hub/" + name, "1");
            OciErrors.assertError(response, 400, "NAME_INVALID");
        }
        String tooLong = "a".repeat(300);
        OciErrors.assertError(client.manifest("hub/library/" + tooLong, "1"), 400, "NAME_INVALID");
    }

    @Test
    void unknownContentIsManifestOrBlobUnknown() {
        String missing = "sha256:" + "cd".repeat(32);
        OciErrors.assertError(client.manifest("hub/library/proto", "nosuchtag"), 404, "MANIFEST_UNKNOWN");
        OciErrors.assertError(client.manifest("hub/library/proto", missing), 404, "MANIFEST_UNKNOWN");
        OciErrors.assertError(client.get("/v2/hub/library/proto/blobs/" + missing, null), 404, "BLOB_UNKNOWN");
        assertThat(client.head("/v2/hub/library/proto/blobs/" + missing, null).status()).isEqualTo(404);
        assertThat(client.head("/v2/hub/library/proto/manifests/nosuchtag", null).status()).isEqualTo(404);
        OciClient.Response unknownName = client.manifest("hub/library/neverpushed", "1");
        assertThat(unknownName.status()).as("%s", unknownName).isEqualTo(404);
        assertThat(OciErrors.codes(unknownName).get(0)).isIn("NAME_UNKNOWN", "MANIFEST_UNKNOWN");
    }

    @Test
    void pushToARemoteRepositoryIsUnsupported() {
        byte[] manifest = "{}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> json = Map.of("Content-Type", ImageGenerator.OCI_MANIFEST);
        Duration t = Duration.ofSeconds(10);
        OciErrors.assertError(client.send("POST", "/v2/hub/library/proto/blobs/uploads/", Map.of(), new byte[0], t),
                405, "UNSUPPORTED");
        OciErrors.assertError(client.send("PUT", "/v2/hub/library/proto/manifests/2", json, manifest, t), 405, "UNSUPPORTED");
        OciErrors.assertError(client.send("DELETE", "/v2/hub/library/proto/manifests/" + image.manifest().digest(), Map.of(), null, t),
                405, "UNSUPPORTED");
        OciErrors.assertError(client.send("DELETE", blobPath, Map.of(), null, t), 405, "UNSUPPORTED");
        assertThat(upstream.front().count("POST", "/")).isZero();
        assertThat(upstream.front().count("PUT", "/")).isZero();
        assertThat(upstream.front().count("DELETE", "/")).isZero();
    }

    @Test
    void badPaginationIsRejected() {
        OciErrors.assertError(client.get("/v2/hub/library/proto/tags/list?n=abc", null), 400, "PAGINATION_NUMBER_INVALID");
        OciErrors.assertError(client.get("/v2/hub/library/proto/tags/list?n=-1", null), 400, "PAGINATION_NUMBER_INVALID");
    }

    /** Odd requests a client could send: whatever the answer, it is never a server error and errors are OCI JSON. */
    @Test
    void clientMistakesNeverCauseServerErrors() {
        Duration t = Duration.ofSeconds(10);
        List<OciClient.Response> responses = List.of(
                client.get("/v2/hub", null),
                client.get("/v2/hub/", null),
                client.get("/v2/hub/library/proto/manifests/", null),
                client.get("/v2/hub/library/proto/blobs/", null),
                client.get("/v2/hub/library/proto/frobnicate/x", null),
                client.get("/v2/hub/library/proto/manifests/-badtag", null),
                client.get("/v2/hub/library/proto/manifests/" + "t".repeat(200), null),
                client.get("/v2/hub/library/proto/tags/list?last=%00", null),
                client.get("/v2/hub/library/proto/tags/list?n=99999999999999999999", null),
                client.get("/v2/_catalog?n=x", null),
                client.get("/v2/hub/library/proto/referrers/not-a-digest", null),
                client.get("/v2/hub/library/proto/blobs/sha256:%2e%2e", null),
                client.get("/v2/library/proto/manifests/1?ns=", null),
                client.send("GET", blobPath, Map.of("Range", "bytes=abc"), null, t),
                client.send("GET", blobPath, Map.of("Range", "bytes=50-10"), null, t),
                client.send("GET", blobPath, Map.of("Range", "items=0-1"), null, t),
                client.send("GET", blobPath, Map.of("Range", "bytes=0-1,5-6"), null, t),
                client.send("PATCH", "/v2/hub/library/proto/blobs/uploads/x", Map.of(), new byte[] {1}, t));
        for (OciClient.Response response : responses) {
            assertThat(response.status()).as("%s", response).isBetween(200, 499);
            if (response.status() >= 400 && response.body().length > 0) {
                assertThat(OciErrors.codes(response)).as("%s", response).isNotEmpty();
            }
        }
        // the bad ranges (ignored or refused) never yield wrong bytes
        for (OciClient.Response response : responses.subList(13, 17)) {
            if (response.status() == 200) {
                assertThat(response.body()).isEqualTo(layerBytes);
            }
        }
    }

    private static void assertRange(OciClient.Response response, int first, int last) {
        assertThat(response.status()).as("%s", response).isEqualTo(206);
        assertThat(response.header("Content-Range")).isEqualTo("bytes " + first + "-" + last + "/" + layerBytes.length);
        assertThat(response.header("Content-Length")).isEqualTo(Integer.toString(last - first + 1));
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(layerBytes, first, last + 1));
    }
}
