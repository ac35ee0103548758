package dev.entrepot.operator.render;

import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

import org.junit.jupiter.api.Test;

import dev.entrepot.operator.Golden;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.NodeMirrorSettings;
import dev.entrepot.operator.plan.ProxySettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;

class NodeAgentRendererTest {

    private static final String NS = "team-a";
    private static final NodeMirrorSettings SETTINGS = NodeMirrorSettings.defaults(NS);

    private static SortedMap<String, String> files(List<Repository> repositories, List<VirtualRepository> virtuals) {
        return NodeAgentRenderer.hostsFiles(NamespacePlanner.plan(repositories, virtuals, name -> Optional.empty(),
                ProxySettings.defaults()).config(), NS, SETTINGS);
    }

    @Test
    void oneFilePerMirroredHostOfRepositoriesAndVirtuals() {
        VirtualRepository all = virtual(NS, "all", null, upstream("team", 1));
        all.getSpec().setMirrorOf(List.of("registry.example.com:5000"));
        SortedMap<String, String> files = files(List.of(
                remote(NS, "hub", "https://registry-1.docker.io", "docker.io"),
                remote(NS, "ghcr", "https://ghcr.io", "ghcr.io"), standard(NS, "team", false)), List.of(all));

        assertThat(files).containsOnlyKeys("docker.io.hosts.toml", "ghcr.io.hosts.toml",
                "registry.example.com_5000.hosts.toml");
        assertThat(files.get("docker.io.hosts.toml")).isEqualTo(HostsTomlRenderer.render(new HostsToml(NS, "docker.io",
                "https://registry-1.docker.io", "http://127.0.0.1:5050", SETTINGS.containerdVersion(),
                SETTINGS.dialTimeout(), null, false)));
        assertThat(files.get("registry.example.com_5000.hosts.toml"))
                .contains("server = \"https://registry.example.com:5000\"");
        Golden.assertMatches("node-mirror-configmap.yaml",
                Serialization.asYaml(NodeAgentRenderer.configMap(NS, files)));
    }

    /** A second claim on a host is refused by the planner: one file, the first claimant's mirror. */
    @Test
    void twoRepositoriesMirroringOneHostGiveOneFile() {
        SortedMap<String, String> files = files(List.of(remote(NS, "a", "https://registry-1.docker.io", "docker.io"),
                remote(NS, "b", "https://mirror.gcr.io", "docker.io")), List.of());

        assertThat(files).containsOnlyKeys("docker.io.hosts.toml");
    }

    @Test
    void daemonSetRunsTheProxyImageWithTheAgentEntryPoint() {
        DaemonSet daemonSet = NodeAgentRenderer.daemonSet(NS, ProxySettings.defaults(), SETTINGS);

        Golden.assertMatches("node-agent-daemonset.yaml", Serialization.asYaml(daemonSet));
        var pod = daemonSet.getSpec().getTemplate().getSpec();
        Container agent = pod.getContainers().get(0);
        assertThat(agent.getImage()).isEqualTo(ProxySettings.defaults().image());
        assertThat(agent.getCommand()).endsWith("-cp", NodeAgentRenderer.CLASSPATH, NodeAgentRenderer.MAIN_CLASS);
        assertThat(pod.getHostNetwork()).as("containerd reaches 127.0.0.1:5050 on the node").isTrue();
        assertThat(pod.getAutomountServiceAccountToken()).as("the agent makes no API call").isFalse();
        assertThat(agent.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("ENTREPOT_AGENT_PROXY_URL");
            assertThat(e.getValue()).isEqualTo("http://entrepot.team-a.svc:5000");
        });
        assertThat(pod.getVolumes()).filteredOn(v -> v.getHostPath() != null)
                .extracting(v -> v.getHostPath().getPath()).containsExactly("/etc/containerd/certs.d", "/etc/containerd");
        assertThat(agent.getVolumeMounts()).filteredOn(m -> m.getName().equals("containerd-config"))
                .singleElement().satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    }
}
