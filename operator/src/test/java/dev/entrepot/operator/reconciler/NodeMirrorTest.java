package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.secret;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.entrepot.operator.ServerDefaults;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.render.NodeAgentRenderer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The node mirror in the namespace entrepot.operator.node-mirror.namespace names (node-mirror-ns in
 * the test configuration): hosts.toml files in a ConfigMap, the agent DaemonSet, NodeMirror from its
 * ready count, and nothing of it anywhere else.
 */
@QuarkusTest
@WithKubernetesTestServer
class NodeMirrorTest {

    private static final String NS = "node-mirror-ns";

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    private ClusterSteps steps;

    @BeforeEach
    void steps() {
        steps = new ClusterSteps(client);
    }

    private Optional<ConfigMap> hostsConfigMap(String ns) {
        return Optional.ofNullable(client.configMaps().inNamespace(ns).withName(NodeAgentRenderer.CONFIG_MAP).get());
    }

    private void agentsReady(int desired, int ready) {
        DaemonSet daemonSet = steps.await(DaemonSet.class, NS, NodeAgentRenderer.NAME);
        daemonSet.setStatus(new DaemonSetStatusBuilder().withDesiredNumberScheduled(desired).withNumberReady(ready)
                .withCurrentNumberScheduled(desired).withNumberMisscheduled(0).build());
        client.apps().daemonSets().inNamespace(NS).resource(daemonSet).updateStatus();
    }

    @Test
    void nodesGetHostsFilesAnAgentAndAStatusUntilTheLastRepositoryGoes() throws InterruptedException {
        steps.namespace(NS);
        client.resource(remote(NS, "hub", "https://registry-1.docker.io", "docker.io")).create();
        // Claims are granted in name order: other-hub comes after hub and is refused docker.io.
        client.resource(remote(NS, "other-hub", "https://mirror.gcr.io", "docker.io")).create();
        client.resource(standard(NS, "team", false)).create();
        VirtualRepository all = virtual(NS, "all", null, upstream("team", 10), upstream("hub", 5));
        all.getSpec().setMirrorOf(List.of("ghcr.io"));
        client.resource(all).create();

        ConfigMap files = Awaitility.await().atMost(ClusterSteps.TIMEOUT).until(() -> hostsConfigMap(NS),
                c -> c.isPresent() && c.get().getData() != null && c.get().getData().size() == 2).orElseThrow();
        assertThat(files.getData()).containsOnlyKeys("docker.io.hosts.toml", "ghcr.io.hosts.toml");
        assertThat(files.getData().get("docker.io.hosts.toml")).contains("server = \"https://registry-1.docker.io\"")
                .contains("[host.\"http://127.0.0.1:5050\"]");
        Awaitility.await().atMost(ClusterSteps.TIMEOUT).until(() -> steps.await(DaemonSet.class, NS, NodeAgentRenderer.NAME)
                .getMetadata().getOwnerReferences().size() == 4);
        DaemonSet agents = steps.await(DaemonSet.class, NS, NodeAgentRenderer.NAME);
        assertThat(agents.getMetadata().getOwnerReferences()).extracting(OwnerReference::getName)
                .containsExactlyInAnyOrder("hub", "other-hub", "team", "all");

        steps.awaitCondition(Repository.class, NS, "hub", "NodeMirror", "False", "NoNodes");
        steps.awaitCondition(Repository.class, NS, "other-hub", "Ready", "False", "MirrorConflict");
        agentsReady(3, 2);
        steps.awaitCondition(Repository.class, NS, "hub", "NodeMirror", "False", "NodesNotReady");
        agentsReady(3, 3);
        steps.awaitCondition(Repository.class, NS, "hub", "NodeMirror", "True", "NodesMirrored");
        steps.awaitCondition(VirtualRepository.class, NS, "all", "NodeMirror", "True", "NodesMirrored");
        assertThat(client.resources(Repository.class).inNamespace(NS).withName("hub").get().getStatus()
                .getMirroredHosts()).containsExactly("docker.io");
        Repository loser = client.resources(Repository.class).inNamespace(NS).withName("other-hub").get();
        assertThat(loser.getStatus().getMirroredHosts()).as("its claim on docker.io was refused").isNull();
        assertThat(ClusterSteps.condition(loser.getStatus(), "NodeMirror")).isEmpty();
        assertThat(ClusterSteps.condition(client.resources(Repository.class).inNamespace(NS).withName("team").get()
                .getStatus(), "NodeMirror")).as("mirrors nothing").isEmpty();

        // A host no repository mirrors any more leaves the ConfigMap: the agents give it back to the nodes.
        Awaitility.await().atMost(ClusterSteps.TIMEOUT).ignoreExceptionsInstanceOf(KubernetesClientException.class)
                .until(() -> {
                    client.resources(VirtualRepository.class).inNamespace(NS).withName("all").edit(v -> {
                        v.getSpec().setMirrorOf(List.of());
                        return v;
                    });
                    return true;
                });
        Awaitility.await().atMost(ClusterSteps.TIMEOUT).until(() -> hostsConfigMap(NS).map(c -> c.getData().keySet())
                .orElseThrow().equals(java.util.Set.of("docker.io.hosts.toml")));

        steadyStateMakesNoWrites();

        client.resources(VirtualRepository.class).inNamespace(NS).delete();
        client.resources(Repository.class).inNamespace(NS).delete();
        Awaitility.await().atMost(ClusterSteps.TIMEOUT).until(() -> hostsConfigMap(NS).isEmpty()
                && client.apps().daemonSets().inNamespace(NS).withName(NodeAgentRenderer.NAME).get() == null);
    }

    /** With the defaults a real server adds to the DaemonSet, a reconciliation writes nothing of the node mirror. */
    private void steadyStateMakesNoWrites() throws InterruptedException {
        DaemonSet actual = steps.await(DaemonSet.class, NS, NodeAgentRenderer.NAME);
        DaemonSet defaulted = ServerDefaults.fill(actual, "daemonset");
        assertThat(defaulted).as("with server defaults").isNotEqualTo(actual);
        client.resource(defaulted).update();
        Thread.sleep(1000);
        drainRequests();
        String daemonSetVersion = steps.await(DaemonSet.class, NS, NodeAgentRenderer.NAME).getMetadata().getResourceVersion();
        String configMapVersion = hostsConfigMap(NS).orElseThrow().getMetadata().getResourceVersion();

        client.resource(secret(NS, "unrelated", "x", "y")).create(); // any Secret event reconciles the namespace
        Thread.sleep(1500);

        List<String> writes = new ArrayList<>();
        for (RecordedRequest r : drainRequests()) {
            if (!r.getMethod().equals("GET") && (r.getPath().contains("/daemonsets")
                    || r.getPath().contains("/configmaps/" + NodeAgentRenderer.CONFIG_MAP))) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        assertThat(writes).as("node mirror writes after a no-op reconciliation").isEmpty();
        assertThat(steps.await(DaemonSet.class, NS, NodeAgentRenderer.NAME).getMetadata().getResourceVersion())
                .isEqualTo(daemonSetVersion);
        assertThat(hostsConfigMap(NS).orElseThrow().getMetadata().getResourceVersion()).isEqualTo(configMapVersion);
    }

    @Test
    void otherNamespacesGetNoNodeMirror() {
        String ns = steps.namespace("no-node-mirror-ns");
        client.resource(remote(ns, "hub", "https://registry-1.docker.io", "docker.io")).create();

        steps.awaitCondition(Repository.class, ns, "hub", "Ready", "False", "ProxyUnavailable");
        assertThat(hostsConfigMap(ns)).isEmpty();
        assertThat(client.apps().daemonSets().inNamespace(ns).list().getItems()).isEmpty();
        Repository hub = client.resources(Repository.class).inNamespace(ns).withName("hub").get();
        assertThat(ClusterSteps.condition(hub.getStatus(), "NodeMirror")).isEmpty();
        assertThat(hub.getStatus().getMirroredHosts()).isNull();
    }

    private List<RecordedRequest> drainRequests() throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            requests.add(request);
        }
        return requests;
    }
}
