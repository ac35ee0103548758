package dev.entrepot.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorSourceTest {

    @TempDir
    Path dir;

    /** The layout the kubelet writes: keys are symlinks into ..data, itself a symlink to a timestamped dir. */
    private void mount(String... keysAndContents) throws IOException {
        Path version = dir.resolve("..2026_12_02_06_00_00.000000001");
        Files.createDirectories(version);
        for (int i = 0; i < keysAndContents.length; i += 2) {
            Files.writeString(version.resolve(keysAndContents[i]), keysAndContents[i + 1]);
        }
        Files.createSymbolicLink(dir.resolve("..data"), version.getFileName());
        for (int i = 0; i < keysAndContents.length; i += 2) {
            Files.createSymbolicLink(dir.resolve(keysAndContents[i]), Path.of("..data", keysAndContents[i]));
        }
    }

    @Test
    void readsOneFilePerHostFromAKubeletMount() throws IOException {
        mount("docker.io.hosts.toml", "a", "registry.example.com_5000.hosts.toml", "b", "README", "c",
                "Bad_Host.hosts.toml", "d");

        MirrorSource.Contents contents = new MirrorSource(dir).read();

        assertThat(contents.files()).containsOnlyKeys("docker.io", "registry.example.com:5000");
        assertThat(contents.files().get("registry.example.com:5000")).isEqualTo("b");
        assertThat(contents.ignored()).hasSize(2).anyMatch(i -> i.startsWith("README"))
                .anyMatch(i -> i.startsWith("Bad_Host.hosts.toml"));
    }

    @Test
    void noMountedConfigMapIsNoHosts() throws IOException {
        assertThat(new MirrorSource(dir.resolve("absent")).read().files()).isEmpty();
    }

    @Test
    void keysAndHostsMapBothWays() {
        assertThat(MirrorSource.key("registry.example.com:5000")).isEqualTo("registry.example.com_5000.hosts.toml");
        assertThat(MirrorSource.host(MirrorSource.key("docker.io"))).hasValue("docker.io");
        assertThat(MirrorSource.host("...hosts.toml")).isEmpty();
        assertThat(MirrorSource.host("a/b.hosts.toml")).isEmpty();
    }
}
