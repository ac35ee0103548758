package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Containerd;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.DockerRegistry;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Index;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fixtures themselves, without the proxy: generated images are accepted by distribution,
 * copied back byte-exact by skopeo and unpacked by containerd. When a proxy test fails and this
 * one passes, the proxy is at fault, not the test images or tools.
 */
class UpstreamFixturesIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Path work;
    private static DockerRegistry upstream;
    private static ImageGenerator images;
    private static Image single;
    private static Index multi;

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(UpstreamFixturesIT.class);
        upstream = TEARDOWN.add(DockerRegistry.start(work.resolve("upstream")));
        images = ImageGenerator.create(work.resolve("layout"));
        single = images.image("fixture", "amd64", 300_000, 1_000_000);
        images.tag("1", single.manifest());
        multi = images.index(images.image("fixture-multi", "amd64", 200_000), images.image("fixture-multi", "arm64", 200_000));
        images.tag("multi", multi.descriptor());
        Skopeo.copyOk(images.ociRef("1"), "docker://" + upstream.hostPort() + "/library/fixture:1");
        Skopeo.copyOk(images.ociRef("multi"), "docker://" + upstream.hostPort() + "/library/fixture:multi", "--all");
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void distributionServesTheGeneratedManifestsByteExact() {
        String ref = "docker://" + upstream.hostPort() + "/library/fixture";
        assertThat(Skopeo.digest(ref + ":1")).isEqualTo(single.manifest().digest());
        assertThat(Digests.sha256(Skopeo.raw(ref + ":1").getBytes())).isEqualTo(single.manifest().digest());
        assertThat(Digests.sha256(Skopeo.raw(ref + ":multi").getBytes())).isEqualTo(multi.descriptor().digest());
    }

    @Test
    void skopeoCopiesTheBlobsBackUnchanged() throws Exception {
        Path out = work.resolve("copy-back");
        Skopeo.copyOk("docker://" + upstream.hostPort() + "/library/fixture:1", "dir:" + out);
        for (ImageGenerator.Layer layer : single.layers()) {
            assertThat(Digests.sha256(out.resolve(layer.descriptor().hex()))).isEqualTo(layer.descriptor().digest());
        }
        assertThat(Files.readAllBytes(out.resolve("manifest.json")))
                .isEqualTo(Files.readAllBytes(images.blobPath(single.manifest().digest())));
    }

    @Test
    void containerdUnpacksTheGeneratedImage() {
        assumeTrue("root".equals(System.getProperty("user.name")), "containerd needs root");
        try (Containerd containerd = Containerd.start(work.resolve("containerd"))) {
            containerd.writeHosts("docker.io", upstream.hostPort());
            containerd.pull("docker.io/library/fixture:1").requireOk();
            for (ImageGenerator.Layer layer : single.layers()) {
                Path file = containerd.unpackedFile("e2e/" + layer.fileName()).orElseThrow(
                        () -> new AssertionError("not unpacked: " + layer.fileName() + "\n" + containerd.logTail(20)));
                assertThat(Digests.sha256(file)).isEqualTo(layer.fileSha256());
            }
        }
    }
}
