package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.HostedImage.Blob;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a standard repository accepts as a manifest push and from whom: every blob of an image must have been pushed
 * into that image (not merely somewhere), every child of an index too; manifests up to 4 MB are accepted and larger
 * ones refused with 413; immutable tags never move and are never deleted; remote repositories take no pushes at
 * all; with users configured only writers push, readers get 403 and strangers 401 with a challenge.
 */
class HostedPushIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static EntrepotProxy proxy;
    private static EntrepotProxy guarded;
    private static PushClient push;
    private static OciClient pull;

    @BeforeAll
    static void setUp() throws IOException {
        Path work = WorkDirs.forClass(HostedPushIT.class);
        // the remote repository's upstream is never contacted: nothing is pulled through it
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), new ProxyConfig()
                .standard("team", false, null)
                .standard("frozen", true, null)
                .remote("hub", "http://127.0.0.1:9", "1h", null)));
        Path secrets = Files.createDirectories(work.resolve("secrets"));
        Files.writeString(secrets.resolve("ci"), "ci-secret\n");
        Files.writeString(secrets.resolve("viewer"), "viewer-secret\n");
        guarded = TEARDOWN.add(EntrepotProxy.start(work.resolve("guarded"), new ProxyConfig()
                .standard("team", false, null)
                .auth(true, "{name: ci, passwordFile: " + secrets.resolve("ci") + ", role: writer}",
                        "{name: viewer, passwordFile: " + secrets.resolve("viewer") + ", role: reader}")));
        push = PushClient.of(proxy);
        pull = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void aManifestNeedsEveryBlobPushedIntoItsImage() {
        PrometheusText before = proxy.metrics();
        HostedImage image = HostedImage.random("refs", 1_000, 2_000);
        push.pushBlob("team/refs", image.config().bytes());
        push.pushBlob("team/refs", image.layers().get(0).bytes());
        OciClient.Response missing = push.putManifest("team/refs", "1", ImageGenerator.OCI_MANIFEST, image.manifest());
        OciErrors.assertError(missing, 404, "MANIFEST_BLOB_UNKNOWN");
        assertThat(missing.text()).as("names the missing layer").contains(image.layers().get(1).digest());

        push.pushBlob("team/elsewhere", image.layers().get(1).bytes()); // the registry has it, this image does not
        OciErrors.assertError(push.putManifest("team/refs", "1", ImageGenerator.OCI_MANIFEST, image.manifest()),
                404, "MANIFEST_BLOB_UNKNOWN");
        OciErrors.assertError(pull.manifest("team/refs", image.digest()), 404, "MANIFEST_UNKNOWN");
        OciErrors.assertError(pull.manifest("team/refs", "1"), 404, "MANIFEST_UNKNOWN");

        // a mount links it into this image; then the push goes through
        OciClient.Response mount = push.post("team/refs", "mount=" + image.layers().get(1).digest() + "&from=team/elsewhere");
        assertThat(mount.status()).as("%s", mount).isEqualTo(201);
        image.pushManifest(push, "team/refs", "1");
        image.assertPullable(pull, "team/refs", "1");

        // a descriptor with the wrong size is no reference to that blob
        Blob config = image.config();
        byte[] wrongSize = HostedImage.bytes(Map.of("schemaVersion", 2, "mediaType", ImageGenerator.OCI_MANIFEST,
                "config", Map.of("mediaType", config.mediaType(), "digest", config.digest(), "size", config.size() + 1),
                "layers", image.layers().stream().map(Blob::descriptor).toList()));
        OciClient.Response sized = push.putManifest("team/refs", "wrong-size", ImageGenerator.OCI_MANIFEST, wrongSize);
        assertThat(sized.status()).as("%s", sized).isIn(400, 404);
        assertThat(OciErrors.codes(sized).get(0)).isIn("MANIFEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "SIZE_INVALID");

        OciErrors.assertError(push.putManifest("team/refs", "2", ImageGenerator.OCI_MANIFEST, HostedImage.utf8("{not json")),
                400, "MANIFEST_INVALID");
        OciErrors.assertError(push.putManifest("team/refs", "sha256:" + "0".repeat(64), ImageGenerator.OCI_MANIFEST,
                image.manifest()), 400, "DIGEST_INVALID");
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_pushes_total", "repository", "team", "kind", "manifest", "result", "error"))
                .as("%s", after).isEqualTo(5);
        assertThat(delta(before, after, "entrepot_pushes_total", "repository", "team", "kind", "manifest", "result", "stored"))
                .isEqualTo(1);
    }

    /** A mount that cannot be served is an upload session (202), never an error and never an upstream fetch. */
    @Test
    void mountsThatCannotBeServedBecomeUploadSessions() {
        Blob held = Blob.randomLayer(3_000);
        push.pushBlob("team/source", held.bytes());
        Blob elsewhere = Blob.randomLayer(3_000);
        List<String> sources = List.of(
                "mount=" + elsewhere.digest() + "&from=team/source",          // the source image lacks it
                "mount=" + held.digest() + "&from=team/nosuchimage",           // no such image
                "mount=" + held.digest() + "&from=nosuchrepository/x",         // no such repository
                "mount=" + held.digest() + "&from=hub/library/app",            // a remote repository that never cached it
                "mount=" + held.digest());                                      // no from: no automatic mount
        for (String query : sources) {
            OciClient.Response response = push.post("team/target", query);
            assertThat(response.status()).as("%s: %s", query, response).isEqualTo(202);
            assertThat(response.header("Location")).startsWith("/v2/team/target/blobs/uploads/");
            OciErrors.assertError(pull.get("/v2/team/target/blobs/" + held.digest(), null), 404, "BLOB_UNKNOWN");
        }
        // the session a failed mount opened is a normal one
        String session = push.post("team/target", "mount=" + elsewhere.digest() + "&from=team/source").header("Location");
        assertThat(push.put(session, elsewhere.digest(), elsewhere.bytes(), null).status()).isEqualTo(201);
        assertThat(pull.get("/v2/team/target/blobs/" + elsewhere.digest(), null).body()).isEqualTo(elsewhere.bytes());
        // and one that can be served links the blob without a body
        OciClient.Response mounted = push.post("team/target", "mount=" + held.digest() + "&from=team/source");
        assertThat(mounted.status()).as("%s", mounted).isEqualTo(201);
        assertThat(mounted.header("Docker-Content-Digest")).isEqualTo(held.digest());
        assertThat(pull.get("/v2/team/target/blobs/" + held.digest(), null).body()).isEqualTo(held.bytes());
    }

    @Test
    void anIndexNeedsItsManifestsPushedFirst() {
        HostedImage amd = HostedImage.random("amd64", 500);
        HostedImage arm = HostedImage.random("arm64", 500);
        byte[] index = HostedImage.bytes(Map.of("schemaVersion", 2, "mediaType", ImageGenerator.OCI_INDEX,
                "manifests", List.of(amd.descriptor(), arm.descriptor())));
        amd.push(push, "team/multi", null);
        OciErrors.assertError(push.putManifest("team/multi", "1", ImageGenerator.OCI_INDEX, index), 404, "MANIFEST_UNKNOWN");
        arm.push(push, "team/multi", null);
        OciClient.Response put = push.putManifest("team/multi", "1", ImageGenerator.OCI_INDEX, index);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        OciClient.Response got = pull.manifest("team/multi", "1");
        assertThat(got.body()).isEqualTo(index);
        assertThat(got.header("Content-Type")).isEqualTo(ImageGenerator.OCI_INDEX);
        // a manifest an index lists cannot go before the index
        OciErrors.assertError(push.deleteManifest("team/multi", amd.digest()), 403, "DENIED");
    }

    @Test
    void manifestsUpTo4MBAreAcceptedAndLargerOnesAre413() {
        HostedImage base = HostedImage.random("large", 100).push(push, "team/large", null);
        String padding = "x".repeat(4_000_000 - base.manifest().length - 200);
        HostedImage fourMB = HostedImage.of(base.config(), base.layers(), Map.of("annotations", Map.of("padding", padding)));
        assertThat(fourMB.manifest().length).isBetween(3_999_000, 4_000_000);
        fourMB.pushManifest(push, "team/large", "4mb");
        assertThat(pull.manifest("team/large", "4mb").body()).isEqualTo(fourMB.manifest());

        byte[] tooLarge = HostedImage.of(base.config(), base.layers(),
                Map.of("annotations", Map.of("padding", "y".repeat((4 << 20) + 1)))).manifest();
        OciClient.Response refused = push.putManifest("team/large", "big", ImageGenerator.OCI_MANIFEST, tooLarge);
        assertThat(refused.status()).as("%s", refused).isEqualTo(413);
        // chunked transfer encoding: no Content-Length to refuse it up front
        OciClient.Response streamed = push.send("PUT", "/v2/team/large/manifests/big", Map.of("Content-Type", ImageGenerator.OCI_MANIFEST),
                BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tooLarge)));
        assertThat(streamed.status()).as("%s", streamed).isEqualTo(413);
        OciErrors.assertError(pull.manifest("team/large", "big"), 404, "MANIFEST_UNKNOWN");
        assertThat(proxy.isAlive()).isTrue();
    }

    @Test
    void immutableTagsNeverMoveNorGo() {
        HostedImage first = HostedImage.random("frozen-1", 300).push(push, "frozen/app", "v1");
        HostedImage second = HostedImage.random("frozen-2", 300).push(push, "frozen/app", null);

        OciClient.Response moved = push.putManifest("frozen/app", "v1", ImageGenerator.OCI_MANIFEST, second.manifest());
        OciErrors.assertError(moved, 403, "DENIED");
        assertThat(moved.text()).as("names both digests").contains(first.digest()).contains(second.digest());
        first.pushManifest(push, "frozen/app", "v1"); // the same digest again is fine
        first.pushManifest(push, "frozen/app", "v1-again");
        first.assertPullable(pull, "frozen/app", "v1");

        OciErrors.assertError(push.deleteManifest("frozen/app", "v1"), 403, "DENIED");
        OciErrors.assertError(push.deleteManifest("frozen/app", first.digest()), 403, "DENIED");
        first.assertPullable(pull, "frozen/app", "v1");
        // untagged content still goes
        assertThat(push.deleteManifest("frozen/app", second.digest()).status()).isEqualTo(202);
        OciErrors.assertError(pull.manifest("frozen/app", second.digest()), 404, "MANIFEST_UNKNOWN");

        // a mutable repository lets tags move
        HostedImage a = HostedImage.random("mutable-1", 300).push(push, "team/moving", "latest");
        HostedImage b = HostedImage.random("mutable-2", 300).push(push, "team/moving", "latest");
        assertThat(pull.manifest("team/moving", "latest").body()).isEqualTo(b.manifest());
        assertThat(pull.manifest("team/moving", a.digest()).status()).isEqualTo(200);
    }

    @Test
    void remoteRepositoriesRefusePushesAsPullThroughCaches() {
        String blob = "sha256:" + "ab".repeat(32);
        String upload = "/v2/hub/library/app/blobs/uploads/3f2b4c1e-0d8a-4f6b-9c7e-1a2b3c4d5e6f";
        List<OciClient.Response> refused = List.of(
                push.post("hub/library/app", null),
                push.postBlob("hub/library/app", blob, new byte[] {1, 2, 3}),
                push.post("hub/library/app", "mount=" + blob + "&from=team/refs"),
                push.patch(upload, new byte[] {1}, "0-0"),
                push.put(upload, blob, null, null),
                push.status(upload),
                push.cancel(upload),
                push.putManifest("hub/library/app", "1", ImageGenerator.OCI_MANIFEST, HostedImage.utf8("{}")),
                push.deleteManifest("hub/library/app", "1"),
                push.deleteManifest("hub/library/app", blob),
                push.deleteBlob("hub/library/app", blob));
        for (OciClient.Response response : refused) {
            OciErrors.assertError(response, 405, "UNSUPPORTED");
            assertThat(response.text()).as("%s", response).contains("pull-through cache");
        }
    }

    @Test
    void onlyWritersPushReadersGet403StrangersGet401() {
        PushClient writer = PushClient.basic(guarded, "ci", "ci-secret");
        PushClient reader = PushClient.basic(guarded, "viewer", "viewer-secret");
        PushClient wrongPassword = PushClient.basic(guarded, "ci", "nope");
        PushClient anonymous = PushClient.of(guarded);
        PrometheusText before = guarded.metrics();

        HostedImage image = HostedImage.random("guarded", 1_000);
        for (PushClient stranger : List.of(anonymous, wrongPassword)) {
            OciClient.Response post = stranger.post("team/app", null);
            OciErrors.assertError(post, 401, "UNAUTHORIZED");
            assertThat(post.header("WWW-Authenticate")).as("%s", post).startsWith("Basic ").contains("realm=");
            OciErrors.assertError(stranger.putManifest("team/app", "1", ImageGenerator.OCI_MANIFEST, image.manifest()),
                    401, "UNAUTHORIZED");
        }
        OciErrors.assertError(reader.post("team/app", null), 403, "DENIED");
        OciErrors.assertError(reader.postBlob("team/app", image.config().digest(), image.config().bytes()), 403, "DENIED");
        OciErrors.assertError(reader.putManifest("team/app", "1", ImageGenerator.OCI_MANIFEST, image.manifest()), 403, "DENIED");

        image.push(writer, "team/app", "1");
        image.assertPullable(guarded.client(), "team/app", "1"); // anonymous pull stays on

        String session = writer.startUpload("team/app");
        OciErrors.assertError(reader.patch(session, new byte[] {1}, "0-0"), 403, "DENIED");
        OciErrors.assertError(anonymous.patch(session, new byte[] {1}, "0-0"), 401, "UNAUTHORIZED");
        OciErrors.assertError(reader.cancel(session), 403, "DENIED");
        assertThat(writer.status(session).header("Range")).as("their attempts wrote nothing").isEqualTo("0-0");

        OciErrors.assertError(reader.deleteManifest("team/app", "1"), 403, "DENIED");
        OciErrors.assertError(anonymous.deleteBlob("team/app", image.config().digest()), 401, "UNAUTHORIZED");
        OciErrors.assertError(reader.collectGarbage(true), 403, "DENIED");
        OciErrors.assertError(anonymous.collectGarbage(true), 401, "UNAUTHORIZED");
        image.assertPullable(guarded.client(), "team/app", "1");
        assertThat(writer.deleteManifest("team/app", "1").status()).isEqualTo(202);

        PrometheusText after = guarded.metrics();
        assertThat(delta(before, after, "entrepot_pushes_total", "repository", "team", "kind", "manifest", "result", "stored"))
                .as("only the writer's manifest: %s", after).isEqualTo(1);
    }

    /**
     * The conformance suite's client sends every request anonymously first and repeats it with credentials after a
     * 401 with a challenge, bodies included: the refused body must not poison the connection for the retry.
     */
    @Test
    void everyPushRequestRetriedWithCredentialsAfterA401Succeeds() {
        PushClient anonymous = PushClient.of(guarded);
        PushClient writer = PushClient.basic(guarded, "ci", "ci-secret");
        HostedImage image = HostedImage.random("retried", 40_000, 3_000);
        String started = retried(c -> c.post("team/retried", null), anonymous, writer, 202).header("Location");
        Blob layer = image.layers().get(0);
        byte[] half = Arrays.copyOfRange(layer.bytes(), 0, 20_000);
        byte[] rest = Arrays.copyOfRange(layer.bytes(), 20_000, layer.bytes().length);
        String session = retried(c -> c.patch(started, half, "0-19999"), anonymous, writer, 202).header("Location");
        retried(c -> c.put(session, layer.digest(), rest, "20000-" + (layer.size() - 1)), anonymous, writer, 201);
        for (Blob blob : List.of(image.config(), image.layers().get(1))) {
            retried(c -> c.postBlob("team/retried", blob.digest(), blob.bytes()), anonymous, writer, 201);
        }
        retried(c -> c.putManifest("team/retried", "1", ImageGenerator.OCI_MANIFEST, image.manifest()), anonymous, writer, 201);
        image.assertPullable(guarded.client(), "team/retried", "1");
        retried(c -> c.deleteManifest("team/retried", "1"), anonymous, writer, 202);
    }

    private static OciClient.Response retried(Function<PushClient, OciClient.Response> request,
                                              PushClient anonymous, PushClient writer, int expected) {
        OciClient.Response first = request.apply(anonymous);
        OciErrors.assertError(first, 401, "UNAUTHORIZED");
        assertThat(first.header("WWW-Authenticate")).isNotBlank();
        OciClient.Response retry = request.apply(writer);
        assertThat(retry.status()).as("retried with credentials: %s", retry).isEqualTo(expected);
        return retry;
    }
}
