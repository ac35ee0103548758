package dev.entrepot.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.entrepot.proxy.agent.ContainerdConfigCheck.Verdict;

class ContainerdConfigCheckTest {

    private static final Path HOSTS = Path.of("/etc/containerd/certs.d");

    @TempDir
    Path dir;

    private ContainerdConfigCheck.Result check(String toml, String version) throws IOException {
        Path config = dir.resolve("config.toml");
        Files.writeString(config, toml);
        return ContainerdConfigCheck.check(config, HOSTS, version);
    }

    @Test
    void containerd1xWithConfigPathSet() throws IOException {
        ContainerdConfigCheck.Result result = check("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri".containerd]
                  snapshotter = "overlayfs"
                [plugins."io.containerd.grpc.v1.cri".registry]
                  config_path = "/etc/containerd/certs.d" # hosts.toml per registry
                """, "1.7");

        assertThat(result.verdict()).isEqualTo(Verdict.OK);
        assertThat(result.configPath()).isEqualTo("/etc/containerd/certs.d");
    }

    @Test
    void containerd1xDefaultIgnoresTheHostsDirectory() throws IOException {
        ContainerdConfigCheck.Result empty = check("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri".registry]
                  config_path = ""
                  [plugins."io.containerd.grpc.v1.cri".registry.mirrors]
                """, "1.6");
        assertThat(empty.verdict()).isEqualTo(Verdict.NOT_SET);

        ContainerdConfigCheck.Result absent = check("version = 2\n", "1.7");
        assertThat(absent.verdict()).isEqualTo(Verdict.NOT_SET);
        assertThat(absent.detail()).contains("[plugins.\"io.containerd.grpc.v1.cri\".registry] config_path = "
                + "\"/etc/containerd/certs.d\"");

        assertThat(ContainerdConfigCheck.check(dir.resolve("none.toml"), HOSTS, "1.7").verdict())
                .isEqualTo(Verdict.NOT_SET);
    }

    @Test
    void anotherDirectoryIsReported() throws IOException {
        ContainerdConfigCheck.Result result = check("""
                [plugins."io.containerd.grpc.v1.cri".registry]
                config_path = "/var/lib/registries"
                """, "1.7");

        assertThat(result.verdict()).isEqualTo(Verdict.OTHER_PATH);
        assertThat(result.detail()).contains("/var/lib/registries").contains("does not include /etc/containerd/certs.d");
    }

    @Test
    void containerd2xLiteralStringsListsAndDefault() throws IOException {
        assertThat(check("""
                version = 3
                [plugins.'io.containerd.cri.v1.images'.registry]
                  config_path = '/etc/containerd/certs.d:/etc/docker/certs.d'
                """, "2.1").verdict()).isEqualTo(Verdict.OK);
        assertThat(check("version = 3\n", "2.1").verdict()).as("2.x defaults to certs.d").isEqualTo(Verdict.OK);
        assertThat(ContainerdConfigCheck.check(dir.resolve("none.toml"), HOSTS, "2.1").verdict())
                .isEqualTo(Verdict.OK);
        assertThat(check("""
                [plugins.'io.containerd.cri.v1.images'.registry]
                  config_path = ''
                """, "2.1").verdict()).isEqualTo(Verdict.NOT_SET);
    }

    @Test
    void dottedKeysAndVersion1Tables() throws IOException {
        assertThat(check("plugins.\"io.containerd.grpc.v1.cri\".registry.config_path = \"/etc/containerd/certs.d/\"\n",
                "1.6").verdict()).isEqualTo(Verdict.OK);
        assertThat(check("[plugins.cri.registry]\nconfig_path = \"/etc/containerd/certs.d\"\n", "1.6").verdict())
                .isEqualTo(Verdict.OK);
        assertThat(check("""
                [plugins."io.containerd.transfer.v1.local"]
                  config_path = "/etc/containerd/certs.d"
                """, "1.7").verdict()).as("not the CRI registry").isEqualTo(Verdict.NOT_SET);
    }

    @Test
    void importsAreNotGuessed() throws IOException {
        assertThat(check("version = 2\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n", "1.7").verdict())
                .isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void inlineTablesAreRead() throws IOException {
        assertThat(check("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri"]
                  registry = { config_path = "/etc/containerd/certs.d" }
                """, "1.7").verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void aConfigThatIsNotTomlIsReportedNotGuessed() throws IOException {
        ContainerdConfigCheck.Result result = check("""
                [plugins."io.containerd.grpc.v1.cri".registry
                  config_path = "/etc/containerd/certs.d"
                """, "1.7");

        assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(result.detail()).contains("not valid TOML");
    }
}
