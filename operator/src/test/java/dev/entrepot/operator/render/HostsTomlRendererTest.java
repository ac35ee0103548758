package dev.entrepot.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.entrepot.operator.Golden;
import dev.entrepot.operator.plan.NodeMirrorSettings.ContainerdVersion;

class HostsTomlRendererTest {

    private static HostsToml dockerHub(String containerd) {
        return new HostsToml("team-a", "docker.io", HostsToml.serverFor("docker.io"), "http://127.0.0.1:5050",
                ContainerdVersion.parse(containerd), Duration.ofSeconds(1), null, false);
    }

    @Test
    void containerd17GetsNoDialTimeout() {
        String toml = HostsTomlRenderer.render(dockerHub("1.7"));

        Golden.assertMatches("hosts/docker.io-containerd-1.7.toml", toml);
        assertThat(toml).doesNotContain("dial_timeout").contains("server = \"https://registry-1.docker.io\"");
        assertThat(HostsTomlRenderer.render(dockerHub("1.6"))).doesNotContain("dial_timeout");
        assertThat(HostsTomlRenderer.render(dockerHub("2.0"))).as("2.0 does not know it either")
                .doesNotContain("dial_timeout");
    }

    @Test
    void containerd21GetsTheDialTimeout() {
        String toml = HostsTomlRenderer.render(dockerHub("2.1"));

        Golden.assertMatches("hosts/docker.io-containerd-2.1.toml", toml);
        assertThat(HostsTomlRenderer.render(dockerHub("2.2"))).contains("dial_timeout = \"1s\"");
        assertThat(HostsTomlRenderer.render(new HostsToml("team-a", "docker.io", HostsToml.serverFor("docker.io"),
                "http://127.0.0.1:5050", ContainerdVersion.parse("v3.0"), Duration.ofMillis(750), null, false)))
                .contains("dial_timeout = \"750ms\"");
    }

    @Test
    void anotherRegistryIsItsOwnServerAndAnHttpsMirrorCarriesItsCa() {
        Golden.assertMatches("hosts/registry.example.com_5000-tls.toml", HostsTomlRenderer.render(new HostsToml(
                "team-a", "registry.example.com:5000", HostsToml.serverFor("registry.example.com:5000"),
                "https://mirror.team-a.example:5443", ContainerdVersion.parse("1.7"), Duration.ofSeconds(1),
                "/etc/containerd/certs.d/registry.example.com:5000/entrepot-ca.crt", false)));
        assertThat(HostsTomlRenderer.render(new HostsToml("team-a", "ghcr.io", HostsToml.serverFor("ghcr.io"),
                "https://10.0.0.1:5443", ContainerdVersion.parse("1.7"), null, null, true)))
                .contains("server = \"https://ghcr.io\"").contains("skip_verify = true");
    }
}
