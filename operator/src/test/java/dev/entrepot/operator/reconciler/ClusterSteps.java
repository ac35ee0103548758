package dev.entrepot.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import org.awaitility.Awaitility;

import dev.entrepot.operator.crd.v1alpha1.common.Condition;
import dev.entrepot.operator.crd.v1alpha1.common.ServingStatus;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** What the reconciler tests do on the mock API server and wait for, shared by them. */
final class ClusterSteps {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final KubernetesClient client;

    ClusterSteps(KubernetesClient client) {
        this.client = client;
    }

    String namespace(String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return name;
    }

    <T extends HasMetadata> T await(Class<T> type, String ns, String name) {
        return Awaitility.await().atMost(TIMEOUT).until(() -> client.resources(type).inNamespace(ns).withName(name).get(),
                r -> r != null);
    }

    /** The rendered entrepot.yaml, once there is one. */
    String config(String ns) {
        return Awaitility.await().atMost(TIMEOUT).until(() -> Optional.ofNullable(client.configMaps().inNamespace(ns)
                .withName(ProxyWorkloadRenderer.CONFIG_MAP).get()).map(c -> c.getData().get("entrepot.yaml")).orElse(""),
                s -> !s.isEmpty());
    }

    static Optional<Condition> condition(ServingStatus status, String type) {
        return status == null ? Optional.empty()
                : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    Condition currentCondition(Class<? extends HasMetadata> type, String ns, String name, String conditionType) {
        return condition(status(type, ns, name), conditionType).orElseThrow();
    }

    void awaitCondition(Class<? extends HasMetadata> type, String ns, String name, String conditionType,
            String status, String reason) {
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() ->
                assertThat(condition(status(type, ns, name), conditionType)).as("%s condition of %s", conditionType, name)
                        .hasValueSatisfying(c -> {
                            assertThat(c.getStatus()).isEqualTo(status);
                            assertThat(c.getReason()).isEqualTo(reason);
                        }));
    }

    private ServingStatus status(Class<? extends HasMetadata> type, String ns, String name) {
        HasMetadata resource = client.resources(type).inNamespace(ns).withName(name).get();
        return resource instanceof Repository r ? r.getStatus() : ((VirtualRepository) resource).getStatus();
    }

    /** What the deployment controller would write once the pod is ready (the mock server runs no controllers). */
    void makeProxyAvailable(String ns) {
        Deployment deployment = await(Deployment.class, ns, ProxyWorkloadRenderer.NAME);
        deployment.setStatus(new DeploymentStatusBuilder().withReplicas(1).withReadyReplicas(1)
                .withAvailableReplicas(1).build());
        client.apps().deployments().inNamespace(ns).resource(deployment).updateStatus();
    }
}
