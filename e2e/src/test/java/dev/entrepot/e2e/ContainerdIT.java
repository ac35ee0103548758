package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Containerd;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Index;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * containerd as a node would use Entrepot: {@code hosts.toml} for docker.io names the proxy as a
 * mirror ({@code /v2/<name>/...?ns=docker.io}, no repository prefix) and a dead loopback port as
 * the server, so a pull that bypassed the proxy would fail. Images are unpacked with the native
 * snapshotter and the unpacked files checked.
 */
class ContainerdIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static Containerd containerd;
    private static Image single;
    private static Image v2s2;
    private static Index multi;

    @BeforeAll
    static void setUp() {
        assumeTrue("root".equals(System.getProperty("user.name")), "containerd needs root");
        Path work = WorkDirs.forClass(ContainerdIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        ImageGenerator images = upstream.images();
        single = images.image("ctr", "amd64", 400_000, 2_000_000);
        upstream.push(single.manifest(), "library/ctrimg:1");
        v2s2 = images.image("ctr-v2s2", "amd64", 300_000);
        upstream.push(v2s2.manifest(), "library/ctrimg:v2s2", "--format", "v2s2");
        multi = images.index(images.image("ctr-multi", "amd64", 250_000), images.image("ctr-multi", "arm64", 250_000));
        upstream.push(multi.descriptor(), "library/ctrmulti:1", "--all");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), ProxyConfig.hub(upstream.url().toString(), "1h")));
        containerd = TEARDOWN.add(Containerd.start(work.resolve("containerd")));
        containerd.writeHosts("docker.io", proxy.hostPort());
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @BeforeEach
    void emptyContentStore() {
        removeAllImages();
    }

    @Test
    void pullsAndUnpacksThroughTheMirror() {
        PrometheusText before = proxy.metrics();
        pullOk("docker.io/library/ctrimg:1");
        assertUnpacked(single);
        assertThat(imageDigest("docker.io/library/ctrimg:1")).isEqualTo(single.manifest().digest());
        // the proxy, not the dead server, answered: upstream saw the name without the repository prefix
        for (Layer layer : single.layers()) {
            assertThat(upstream.front().gets("/v2/library/ctrimg/blobs/" + layer.descriptor().digest())).isEqualTo(1);
        }
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "kind", "blob"))
                .as("config + layers, %s", after).isGreaterThanOrEqualTo(single.layers().size() + 1);
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "kind", "manifest"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void pullsDockerSchema2() {
        pullOk("docker.io/library/ctrimg:v2s2");
        assertThat(imageDigest("docker.io/library/ctrimg:v2s2")).isEqualTo(upstream.digest("library/ctrimg:v2s2"));
        assertUnpacked(v2s2);
    }

    @Test
    void pullsTheHostPlatformOfAMultiArchIndex() {
        pullOk("docker.io/library/ctrmulti:1");
        assertThat(imageDigest("docker.io/library/ctrmulti:1")).isEqualTo(multi.descriptor().digest());
        assertUnpacked(multi.images().get(0));
        assertThat(upstream.front().gets("/blobs/" + multi.images().get(1).layers().get(0).descriptor().digest()))
                .as("the arm64 layer is not needed").isZero();
    }

    @Test
    void shortNamesAreNormalizedToLibrary() {
        // ctr does not normalize: it asks for /v2/ctrimg/manifests/1?ns=docker.io
        pullOk("docker.io/ctrimg:1");
        assertThat(imageDigest("docker.io/ctrimg:1")).isEqualTo(single.manifest().digest());
        assertThat(upstream.front().any("/v2/ctrimg/")).as("upstream asked for library/ctrimg only").isZero();
    }

    @Test
    void pullsFromTheCacheWhenTheUpstreamIsStopped() {
        String ref = "docker.io/library/ctrimg:1";
        pullOk(ref);
        removeAllImages();
        upstream.registry().stop();
        try {
            Map<String, Integer> before = upstream.front().snapshot();
            pullOk(ref);
            assertUnpacked(single);
            assertThat(upstream.front().snapshot()).as("no upstream request").isEqualTo(before);
        } finally {
            upstream.registry().start();
        }
    }

    private static void pullOk(String ref) {
        Exec.Result result = containerd.pull(ref);
        if (!result.ok()) {
            throw new AssertionError("ctr pull " + ref + " failed: " + result.stderr() + result.stdout()
                    + "\n--- proxy log:\n" + proxy.logTail(30) + "\n--- containerd log:\n" + containerd.logTail(20));
        }
    }

    /** Leaves containerd's content store empty, so the next pull fetches every blob again. */
    private static void removeAllImages() {
        for (String ref : containerd.ctr("images", "ls", "-q").requireOk().stdout().split("\\s+")) {
            if (!ref.isBlank()) {
                containerd.removeImage(ref);
            }
        }
        assertThat(containerd.contentList().requireOk().stdout()).as("content left").isBlank();
    }

    private static String imageDigest(String ref) {
        String out = containerd.ctr("images", "ls", "name==" + ref).requireOk().stdout();
        Matcher m = Pattern.compile("sha256:[0-9a-f]{64}").matcher(out);
        assertThat(m.find()).as("digest in %s", out).isTrue();
        return m.group();
    }

    private static void assertUnpacked(Image image) {
        for (Layer layer : image.layers()) {
            Path file = containerd.unpackedFile("e2e/" + layer.fileName())
                    .orElseThrow(() -> new AssertionError("not unpacked: " + layer.fileName()));
            assertThat(Digests.sha256(file)).isEqualTo(layer.fileSha256());
        }
    }
}
