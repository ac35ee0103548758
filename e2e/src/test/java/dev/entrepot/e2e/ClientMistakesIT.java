package dev.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client mistakes are the client's business: unknown blobs and manifests (also where the upstream is asked), bad
 * names, digests, ranges and page sizes, pushes where none are taken, refused credentials. Each gets its OCI error,
 * and the proxy's log gets no WARN or ERROR line for any of them (DEBUG at most), so an operator's log shows only
 * what the operator can act on.
 */
class ClientMistakesIT {
    private static final String UNKNOWN = "sha256:" + "ab".repeat(32);
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static OciClient client;
    private static Image app;

    @BeforeAll
    static void setUp() throws IOException {
        Path work = WorkDirs.forClass(ClientMistakesIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        app = upstream.images().image("mistakes-app", "amd64", 30_000);
        upstream.push(app.manifest(), "library/app:1");
        Path secrets = Files.createDirectories(work.resolve("secrets"));
        Files.writeString(secrets.resolve("ci"), "ci-S3cret");
        Files.writeString(secrets.resolve("viewer"), "viewer-S3cret");
        ProxyConfig config = ProxyConfig.hub(upstream.url().toString(), "1h")
                .standard("team", false, null)
                .virtual("all", null, null, null, null, "team:100", "hub:50")
                .authBlock("""
                        auth:
                          anonymousPull: true
                          token: {}
                          users:
                            - {name: ci, passwordFile: %s/ci, role: writer, repositories: [team, hub]}
                            - {name: viewer, passwordFile: %s/viewer, role: reader}
                        """.formatted(secrets, secrets));
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config));
        client = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    private static OciClient.Response send(String method, String path, Map<String, String> headers) {
        return client.send(method, path, headers, null, Duration.ofSeconds(30));
    }

    @Test
    void mistakesGetTheirErrorsAndLogNoWarning() {
        String blob = app.layers().get(0).descriptor().digest();
        assertThat(client.blob("hub/library/app", blob, Duration.ofSeconds(30)).complete(blob)).isTrue();
        int logged = proxy.logLines().size();

        // unknown content, asked of the upstream
        OciErrors.assertError(client.get("/v2/hub/library/app/blobs/" + UNKNOWN, null), 404, "BLOB_UNKNOWN");
        assertThat(client.head("/v2/hub/library/app/blobs/" + UNKNOWN, null).status()).isEqualTo(404);
        OciErrors.assertError(client.manifest("hub/library/app", UNKNOWN), 404, "MANIFEST_UNKNOWN");
        OciErrors.assertError(client.manifest("hub/library/app", "nosuchtag"), 404, "MANIFEST_UNKNOWN");
        OciErrors.assertError(client.manifest("hub/library/nosuchimage", "1"), 404, "MANIFEST_UNKNOWN");
        OciErrors.assertError(client.manifest("all/library/nosuchimage", "1"), 404, "MANIFEST_UNKNOWN");
        OciErrors.assertError(client.get("/v2/all/library/nosuchimage/blobs/" + UNKNOWN, null), 404, "BLOB_UNKNOWN");
        OciErrors.assertError(client.get("/v2/team/app/blobs/" + UNKNOWN, null), 404, "BLOB_UNKNOWN");
        OciErrors.assertError(client.manifest("team/app", "1"), 404, "MANIFEST_UNKNOWN");
        // names, digests, ranges, pages
        OciErrors.assertError(client.manifest("hub/Library/APP", "1"), 400, "NAME_INVALID");
        // without ns (Docker's registry-mirrors) an unconfigured first segment is a Docker Hub name: the mirror asks
        OciErrors.assertError(client.get("/v2/unknownrepo/x/manifests/t", ImageGenerator.ACCEPT_ALL_MANIFESTS), 404,
                "MANIFEST_UNKNOWN");
        assertThat(upstream.front().gets("/v2/unknownrepo/x/manifests/t")).isEqualTo(1);
        OciClient.Response unknownRepository = client.get("/v2/unknownrepo/x/manifests/t?ns=quay.io", null);
        OciErrors.assertError(unknownRepository, 404, "NAME_UNKNOWN");
        assertThat(unknownRepository.text()).contains("no repository named 'unknownrepo' and no repository mirrors quay.io");
        OciErrors.assertError(client.get("/v2/hub/library/app/blobs/sha256:zz", null), 400, "DIGEST_INVALID");
        OciErrors.assertError(send("GET", "/v2/hub/library/app/blobs/" + blob, Map.of("Range", "bytes=99999999-")),
                416, "RANGE_NOT_SATISFIABLE");
        assertThat(send("GET", "/v2/hub/library/app/blobs/" + blob, Map.of("Range", "bytes=abc")).status())
                .isIn(200, 416);
        OciErrors.assertError(client.get("/v2/hub/library/app/tags/list?n=abc", null), 400, "PAGINATION_NUMBER_INVALID");
        OciErrors.assertError(client.get("/api/v1/repositories/nosuch/images", null), 404, "NAME_UNKNOWN");
        // pushes where none are taken, and broken ones
        PushClient ci = PushClient.basic(proxy, "ci", "ci-S3cret");
        OciErrors.assertError(ci.putManifest("hub/library/app", "2", ImageGenerator.OCI_MANIFEST, "{}".getBytes(
                StandardCharsets.UTF_8)), 405, "UNSUPPORTED");
        OciErrors.assertError(ci.putManifest("team/app", "1", ImageGenerator.OCI_MANIFEST, "not json".getBytes(
                StandardCharsets.UTF_8)), 400, "MANIFEST_INVALID");
        HostedImage image = HostedImage.random("never-uploaded", 1000);
        OciErrors.assertError(ci.putManifest("team/app", "1", ImageGenerator.OCI_MANIFEST, image.manifest()), 404,
                "MANIFEST_BLOB_UNKNOWN");
        OciErrors.assertError(ci.patch("/v2/team/app/blobs/uploads/no-such-session", new byte[10], null), 404,
                "BLOB_UPLOAD_UNKNOWN");
        OciErrors.assertError(ci.postBlob("team/app", UNKNOWN, new byte[10]), 400, "DIGEST_INVALID");
        OciErrors.assertError(ci.deleteManifest("team/app", UNKNOWN), 404, "MANIFEST_UNKNOWN");
        // refused credentials
        OciErrors.assertError(PushClient.basic(proxy, "ci", "wrong").post("team/app", null), 401, "UNAUTHORIZED");
        OciErrors.assertError(PushClient.basic(proxy, "nobody", "x").post("team/app", null), 401, "UNAUTHORIZED");
        OciErrors.assertError(PushClient.basic(proxy, "viewer", "viewer-S3cret").post("team/app", null), 403, "DENIED");
        OciErrors.assertError(PushClient.of(proxy).post("team/app", null), 401, "UNAUTHORIZED");
        OciErrors.assertError(send("GET", "/v2/team/app/manifests/1", Map.of("Authorization", "Bearer not-a-token")),
                401, "UNAUTHORIZED");
        OciErrors.assertError(PushClient.of(proxy).collectGarbage(true), 401, "UNAUTHORIZED");
        assertThat(send("GET", "/token?service=entrepot&scope=repository:team/app:push",
                Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "ci:wrong".getBytes(StandardCharsets.UTF_8)))).status()).isEqualTo(401);

        assertNoWarningSince(logged);
    }

    @Test
    void oddRequestsAreClientErrorsAndLogNoWarning() {
        int logged = proxy.logLines().size();
        PushClient ci = PushClient.basic(proxy, "ci", "ci-S3cret");
        List<OciClient.Response> answers = List.of(
                client.get("/v2/hub/library/app/manifests/bad:tag", null),
                client.get("/v2/hub/library/app/manifests/" + "t".repeat(200), null),
                client.get("/v2/hub/" + "a/".repeat(300) + "manifests/1", null),
                client.get("/v2/hub/library/app/blobs/sha999:" + "ab".repeat(32), null),
                client.get("/v2/hub/library/app/tags/list?n=-1", null),
                client.get("/v2/hub/library/app/tags/list?n=99999999999999999999", null),
                client.get("/v2/_catalog?n=abc", null),
                client.get("/v2/hub/library/app/referrers/not-a-digest", null),
                client.get("/v2/unknownrepo/x/manifests/t?ns=" + "%00", null),
                client.get("/api/v1/repositories/team/images?n=abc", null),
                client.get("/api/v1/repositories/team/images?image=Bad_Name", null),
                client.send("DELETE", "/v2/hub/library/app/blobs/" + UNKNOWN, "*/*", Duration.ofSeconds(10)),
                client.send("POST", "/api/v1/upstreams", "*/*", Duration.ofSeconds(10)),
                ci.patch(ci.startUpload("team/app"), new byte[10], "bytes=abc"),
                ci.patch(ci.startUpload("team/app"), new byte[10], "5-14"),
                ci.put(ci.startUpload("team/app"), "not-a-digest", new byte[1], null),
                ci.send("GET", "/v2/team/app/blobs/uploads/" + "x".repeat(300), Map.of(),
                        HttpRequest.BodyPublishers.noBody()));
        for (OciClient.Response answer : answers) {
            assertThat(answer.status()).as("%s", answer).isBetween(400, 499);
        }
        // a mount that cannot be done is a plain upload session, as the spec has it; a bad digest is a bad request
        assertThat(ci.post("team/app", "mount=" + UNKNOWN + "&from=Bad_Name").status()).isEqualTo(202);
        OciErrors.assertError(ci.post("team/app", "mount=sha256:zz&from=team/other"), 400, "DIGEST_INVALID");
        assertNoWarningSince(logged);
    }

    private static void assertNoWarningSince(int logged) {
        Poll.sleep(Duration.ofSeconds(1)); // anything logged after an answer went out
        List<String> lines = proxy.logLines();
        assertThat(lines.subList(logged, lines.size()))
                .as("log lines of client mistakes").noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR "));
    }
}
