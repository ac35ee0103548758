package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.Containerd;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Descriptor;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.RegistryAccessLog;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.TieredUpstreams;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real clients through virtual repositories over the members of {@link VirtualIT}: tag lists as the sorted union
 * (paginated with {@code n}, {@code last} and {@code Link}), the catalog, skopeo pulling byte-exact and pushing into
 * {@code pushTo} (served at once although the tag was resolved elsewhere before), and containerd pulling
 * {@code docker.io/...} through a virtual repository that carries {@code mirrorOf: [docker.io]}.
 */
class VirtualClientsIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final String LIST = "library/list";
    private static final List<String> UNION = List.of("a", "b", "c", "d", "e");

    private static Path work;
    private static TieredUpstreams up;
    private static EntrepotProxy proxy;
    private static OciClient client;
    private static Image listMain;
    private static Image pushmeMain;
    private static Image ctrImage;

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(VirtualClientsIT.class);
        up = TEARDOWN.add(TieredUpstreams.start(work));
        // library/list: main a c, s1 b c, s2 d, test a e — every member its own digests
        listMain = TieredUpstreams.push(up.main(), LIST + ":a");
        up.main().push(listMain.manifest(), LIST + ":c");
        Image listS1 = TieredUpstreams.push(up.s1(), LIST + ":b");
        up.s1().push(listS1.manifest(), LIST + ":c");
        TieredUpstreams.push(up.s2(), LIST + ":d");
        pushmeMain = TieredUpstreams.push(up.main(), "library/pushme:1");
        ctrImage = up.s2().images().image("ctrvirt", "amd64", 300_000, 1_000_000);
        up.s2().push(ctrImage.manifest(), "library/ctrvirt:1");

        ProxyConfig config = up.remotes(new ProxyConfig(), "1h")
                .standard("test", false, null)
                .standard("team", false, null)
                .virtual("all", null, null, null, null, "main:100", "s1:80", "s2:80", "test:20")
                .virtual("pushed", null, "team", null, "1h", "team:100", "main:50")
                .virtual("node", "docker.io", null, null, null, "main:100", "s2:50")
                .virtual("refs", null, null, null, null, "team:100", "test:50", "main:10");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config,
                List.of("-Dquarkus.http.access-log.enabled=true")));
        client = proxy.client();
        PushClient push = PushClient.of(proxy);
        HostedImage.random("test-a", 10_000).push(push, "test/" + LIST, "a");
        HostedImage.random("test-e", 10_000).push(push, "test/" + LIST, "e");
        HostedImage.random("hosted-only", 10_000).push(push, "test/library/hostedonly", "1");
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    // ---- listings -----------------------------------------------------------------------------------------------

    @Test
    void tagsAreTheSortedUnionOfTheMembersPaginated() {
        OciClient.Response whole = client.get("/v2/all/" + LIST + "/tags/list", null);
        assertThat(whole.status()).as("%s", whole).isEqualTo(200);
        assertThat(tags(whole)).containsExactlyElementsOf(UNION);
        assertThat(PushClient.json(whole).path("name").asText()).isEqualTo("all/" + LIST);
        assertThat(whole.header("Link")).isNull();

        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String next = "/v2/all/" + LIST + "/tags/list?n=2";
        while (next != null) {
            OciClient.Response page = client.get(next, null);
            assertThat(page.status()).as("%s: %s", next, page).isEqualTo(200);
            seen.addAll(tags(page));
            sizes.add(tags(page).size());
            next = nextLink(page);
            if (next != null) {
                assertThat(next).startsWith("/v2/all/" + LIST + "/tags/list?").contains("n=2");
            }
            assertThat(sizes.size()).as("pages").isLessThanOrEqualTo(UNION.size());
        }
        assertThat(seen).containsExactlyElementsOf(UNION);
        assertThat(sizes).containsExactly(2, 2, 1);

        assertThat(tags(client.get("/v2/all/" + LIST + "/tags/list?last=b", null))).containsExactly("c", "d", "e");
        assertThat(tags(client.get("/v2/all/" + LIST + "/tags/list?n=1&last=c", null))).containsExactly("d");
        OciErrors.assertError(client.get("/v2/all/library/nosuchimage/tags/list", null), 404, "NAME_UNKNOWN");
    }

    @Test
    void theCatalogListsTheUnionOfTheMembersNames() {
        assertThat(client.manifest("all/" + LIST, "a").status()).isEqualTo(200); // main now holds library/list
        OciClient.Response catalog = client.get("/v2/_catalog", null);
        assertThat(catalog.status()).as("%s", catalog).isEqualTo(200);
        List<String> names = new ArrayList<>();
        PushClient.json(catalog).path("repositories").forEach(n -> names.add(n.asText()));
        assertThat(names).as("%s", catalog.text()).contains("all/" + LIST, "all/library/hostedonly",
                "main/" + LIST, "test/" + LIST).isSorted().doesNotHaveDuplicates();
    }

    // ---- pulls and pushes with skopeo ---------------------------------------------------------------------------

    @Test
    void skopeoPullsThroughTheVirtualByteExact() throws IOException {
        // 'c' is in main and s1: main's, the higher, is the one copied
        assertThat(Skopeo.raw(proxy.ref("all/" + LIST + ":c"))).isEqualTo(up.main().raw(LIST + ":c"));
        OciClient.Response head = client.head("/v2/all/" + LIST + "/manifests/c", ImageGenerator.ACCEPT_ALL_MANIFESTS);
        assertThat(head.status()).as("%s", head).isEqualTo(200);
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(listMain.manifest().digest());
        assertThat(head.header("Content-Length")).isEqualTo(Long.toString(listMain.manifest().size()));
        assertThat(head.body()).isEmpty();
        Path dir = work.resolve("copy-c");
        Skopeo.copyOk(proxy.ref("all/" + LIST + ":c"), "dir:" + dir);
        assertThat(Digests.sha256(Files.readAllBytes(dir.resolve("manifest.json")))).isEqualTo(listMain.manifest().digest());
        assertThat(Digests.sha256(dir.resolve(listMain.config().hex()))).isEqualTo(listMain.config().digest());
        for (Layer layer : listMain.layers()) {
            assertThat(Digests.sha256(dir.resolve(layer.descriptor().hex()))).isEqualTo(layer.descriptor().digest());
        }
    }

    @Test
    void pushingToAVirtualWithoutPushToIs405() {
        PushClient push = PushClient.of(proxy);
        OciClient.Response post = push.post("all/library/refused", null);
        OciErrors.assertError(post, 405, "UNSUPPORTED");
        assertThat(post.text()).contains("pushTo");
        OciErrors.assertError(push.putManifest("all/library/refused", "1", ImageGenerator.OCI_MANIFEST,
                HostedImage.utf8("{}")), 405, "UNSUPPORTED");
    }

    @Test
    void skopeoPushesIntoPushToAndTheVirtualServesThePushAtOnce() throws IOException {
        String ref = "pushed/library/pushme";
        assertThat(digestOf(ref, "1")).as("team lacks it: main's, resolution remembered for 1h")
                .isEqualTo(pushmeMain.manifest().digest());

        ImageGenerator images = ImageGenerator.create(work.resolve("layout"));
        Image pushed = images.image("pushme", "amd64", 50_000, 200_000);
        images.tag("pushme", pushed.manifest());
        PrometheusText before = proxy.metrics();
        int mainLogBefore = up.mainLog().entries().size();
        Skopeo.copyOk(images.ociRef("pushme"), proxy.ref(ref + ":1"));

        assertThat(digestOf(ref, "1")).as("the pushed tag, at once").isEqualTo(pushed.manifest().digest());
        assertThat(digestOf("team/library/pushme", "1")).isEqualTo(pushed.manifest().digest());
        assertThat(delta(before, proxy.metrics(), "entrepot_virtual_requests_total",
                "repository", "pushed", "member", "team", "kind", "manifest")).isGreaterThanOrEqualTo(1);
        List<RegistryAccessLog.Entry> mainLog = up.mainLog().entries();
        assertThat(mainLog.subList(mainLogBefore, mainLog.size())).as("nothing pushed upstream")
                .noneMatch(e -> List.of("POST", "PUT", "PATCH").contains(e.method()));

        List<Descriptor> blobs = new ArrayList<>(List.of(pushed.config()));
        pushed.layers().forEach(l -> blobs.add(l.descriptor()));
        for (Descriptor blob : blobs) {
            OciClient.Response response = client.get("/v2/" + ref + "/blobs/" + blob.digest(), null);
            assertThat(response.status()).as("%s: %s", blob.digest(), response).isEqualTo(200);
            assertThat(response.body()).as("blob %s byte-exact", blob.digest())
                    .isEqualTo(Files.readAllBytes(images.blobPath(blob.digest())));
        }
        // the remote member's blobs through the same virtual
        Descriptor mainLayer = pushmeMain.layers().get(0).descriptor();
        assertThat(client.blob(ref, mainLayer.digest(), Duration.ofSeconds(30)).complete(mainLayer.digest()))
                .isTrue();

        // a delete through the virtual goes to pushTo too, and is a hosted tag change: main's again at once
        OciClient.Response delete = PushClient.of(proxy).deleteManifest(ref, pushed.manifest().digest());
        assertThat(delete.status()).as("DELETE %s@%s: %s", ref, pushed.manifest().digest(), delete).isEqualTo(202);
        assertThat(client.manifest("team/library/pushme", "1").status()).isEqualTo(404);
        assertThat(digestOf(ref, "1")).isEqualTo(pushmeMain.manifest().digest());
    }

    // skopeo asks HEAD /v2/pushed/<name>/blobs/<digest> before each upload and skips the blobs said to exist, so
    // what that HEAD answers must be what the manifest PUT to pushTo (team) then accepts.

    @Test
    void pushingAnImageWhoseBlobsAnUpstreamMemberHasForThatNameLandsWholeInPushTo() {
        Skopeo.copyOk(up.main().registry().ref("library/pushme:1"), proxy.ref("pushed/library/pushme:copy"));
        assertPushedWhole("library/pushme", "copy");
    }

    @Test
    void pushingAnImageWhoseBlobsAMemberHasCachedLandsWholeInPushTo() {
        assertThat(client.manifest("all/library/pushme", "1").status()).isEqualTo(200);
        List<Descriptor> blobs = new ArrayList<>(List.of(pushmeMain.config()));
        pushmeMain.layers().forEach(l -> blobs.add(l.descriptor()));
        for (Descriptor blob : blobs) { // now in main's cache
            assertThat(client.blob("all/library/pushme", blob.digest(), Duration.ofSeconds(30)).complete(blob.digest()))
                    .isTrue();
        }
        Skopeo.copyOk(up.main().registry().ref("library/pushme:1"), proxy.ref("pushed/library/derived:1"));
        assertPushedWhole("library/derived", "1");
    }

    /** team holds pushmeMain as {@code name:tag}: its manifest and every blob, byte-exact, by tag and by digest. */
    private static void assertPushedWhole(String name, String tag) {
        OciClient.Response manifest = client.manifest("team/" + name, tag);
        assertThat(manifest.status()).as("team/%s:%s -> %s", name, tag, manifest).isEqualTo(200);
        assertThat(Digests.sha256(manifest.body())).isEqualTo(pushmeMain.manifest().digest());
        List<Descriptor> blobs = new ArrayList<>(List.of(pushmeMain.config()));
        pushmeMain.layers().forEach(l -> blobs.add(l.descriptor()));
        for (Descriptor blob : blobs) {
            OciClient.Download download = client.blob("team/" + name, blob.digest(), Duration.ofSeconds(30));
            assertThat(download.complete(blob.digest())).as("team/%s blob %s: %s", name, blob.digest(), download)
                    .isTrue();
        }
    }

    @Test
    void referrersAreTheUnionOfTheMembers() {
        Map<String, Object> subject = Map.of("mediaType", ImageGenerator.OCI_MANIFEST,
                "digest", pushmeMain.manifest().digest(), "size", pushmeMain.manifest().size());
        PushClient push = PushClient.of(proxy);
        HostedImage inTeam = referrer("application/vnd.e2e.team", subject).push(push, "team/library/pushme", null);
        HostedImage inTest = referrer("application/vnd.e2e.test", subject).push(push, "test/library/pushme", null);

        String path = "/v2/refs/library/pushme/referrers/" + pushmeMain.manifest().digest();
        OciClient.Response all = client.get(path, ImageGenerator.OCI_INDEX);
        assertThat(all.status()).as("%s", all).isEqualTo(200);
        assertThat(referrerDigests(all)).containsExactlyInAnyOrder(inTeam.digest(), inTest.digest());
        OciClient.Response filtered = client.get(path + "?artifactType=application/vnd.e2e.test", ImageGenerator.OCI_INDEX);
        assertThat(referrerDigests(filtered)).containsExactly(inTest.digest());
    }

    // ---- containerd ---------------------------------------------------------------------------------------------

    @Test
    void containerdPullsDockerIoNamesThroughAVirtualMirror() {
        assumeTrue("root".equals(System.getProperty("user.name")), "containerd needs root");
        Containerd containerd = TEARDOWN.add(Containerd.start(work.resolve("containerd")));
        containerd.writeHosts("docker.io", proxy.hostPort()); // server: a dead loopback port
        PrometheusText before = proxy.metrics();
        String ref = "docker.io/library/ctrvirt:1";
        Exec.Result pull = containerd.pull(ref);
        assertThat(pull.ok()).as("ctr pull: %s%s\n--- proxy:\n%s\n--- containerd:\n%s", pull.stderr(), pull.stdout(),
                proxy.logTail(30), containerd.logTail(20)).isTrue();

        String listed = containerd.ctr("images", "ls", "name==" + ref).requireOk().stdout();
        Matcher digest = Pattern.compile("sha256:[0-9a-f]{64}").matcher(listed);
        assertThat(digest.find()).as("%s", listed).isTrue();
        assertThat(digest.group()).isEqualTo(ctrImage.manifest().digest());
        for (Layer layer : ctrImage.layers()) {
            Path file = containerd.unpackedFile("e2e/" + layer.fileName())
                    .orElseThrow(() -> new AssertionError("not unpacked: " + layer.fileName()));
            assertThat(Digests.sha256(file)).isEqualTo(layer.fileSha256());
            assertThat(up.s2().front().gets("/v2/library/ctrvirt/blobs/" + layer.descriptor().digest())).isEqualTo(1);
        }
        RegistryAccessLog mainLog = up.mainLog();
        assertThat(mainLog.count("/v2/library/ctrvirt/manifests/1")).as("main asked first, the name as written: %s",
                mainLog.entries()).isGreaterThanOrEqualTo(1);
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_virtual_requests_total", "repository", "node", "member", "s2",
                "kind", "blob")).as("%s", after).isGreaterThanOrEqualTo(ctrImage.layers().size() + 1);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static String digestOf(String path, String tag) {
        OciClient.Response response = client.manifest(path, tag);
        assertThat(response.status()).as("%s:%s -> %s", path, tag, response).isEqualTo(200);
        return Digests.sha256(response.body());
    }

    /** An artifact manifest (empty config, one small layer) whose subject is {@code subject}. */
    private static HostedImage referrer(String artifactType, Map<String, Object> subject) {
        HostedImage.Blob config = new HostedImage.Blob("application/vnd.oci.empty.v1+json", HostedImage.utf8("{}"),
                Digests.sha256(HostedImage.utf8("{}")));
        HostedImage.Blob layer = HostedImage.Blob.of("application/vnd.e2e.note", HostedImage.utf8(artifactType));
        return HostedImage.of(config, List.of(layer), Map.of("artifactType", artifactType, "subject", subject));
    }

    private static List<String> referrerDigests(OciClient.Response response) {
        List<String> digests = new ArrayList<>();
        PushClient.json(response).path("manifests").forEach(m -> digests.add(m.path("digest").asText()));
        return digests;
    }

    private static List<String> tags(OciClient.Response response) {
        List<String> tags = new ArrayList<>();
        JsonNode list = PushClient.json(response).path("tags");
        list.forEach(t -> tags.add(t.asText()));
        return tags;
    }

    private static String nextLink(OciClient.Response response) {
        String link = response.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?").matcher(link);
        assertThat(m.find()).as("Link header %s", link).isTrue();
        return m.group(1);
    }
}
