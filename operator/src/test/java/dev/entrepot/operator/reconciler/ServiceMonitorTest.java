package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.secret;
import static dev.entrepot.operator.Fixtures.standard;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The ServiceMonitor dependent: inactive without the Prometheus Operator CRD, created once it appears. */
@QuarkusTest
@WithKubernetesTestServer
class ServiceMonitorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Inject
    KubernetesClient client;

    @Test
    void serviceMonitorFollowsThePrometheusOperatorCrd() throws InterruptedException {
        String ns = "monitoring-ns";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        Repository repo = client.resource(standard(ns, "team", false)).create();
        Awaitility.await().atMost(TIMEOUT).until(() -> client.apps().deployments().inNamespace(ns)
                .withName(ProxyWorkloadRenderer.NAME).get() != null);
        assertThat(client.resources(CustomResourceDefinition.class).withName(HasCrd.NAME).get()).isNull();
        assertThat(client.resources(ServiceMonitor.class).inNamespace(ns).list().getItems())
                .as("no ServiceMonitor without the Prometheus Operator").isEmpty();

        client.resource(HasCrd.serviceMonitorCrd()).create();
        // The condition looks again after crd-check-interval (1s in tests) on the next reconciliation.
        Thread.sleep(1500);
        client.resource(secret(ns, "poke", "a", "b")).create();

        ServiceMonitor monitor = Awaitility.await().atMost(TIMEOUT).until(
                () -> client.resources(ServiceMonitor.class).inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get(),
                m -> m != null);
        Service service = client.services().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get();
        assertThat(service.getMetadata().getLabels())
                .containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
        assertThat(monitor.getSpec().getEndpoints()).extracting(Endpoint::getPort, Endpoint::getPath)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("http", "/q/metrics"));
        assertThat(monitor.getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid)
                .containsExactly(repo.getMetadata().getUid());
        assertThat(monitor.getMetadata().getLabels()).containsEntry(ProxyWorkloadRenderer.MANAGED_BY_LABEL,
                ProxyWorkloadRenderer.MANAGED_BY);

        client.resource(repo).delete();
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.resources(ServiceMonitor.class).inNamespace(ns).withName(ProxyWorkloadRenderer.NAME)
                    .get()).isNull();
            assertThat(client.resources(Deployment.class).inNamespace(ns).withName(ProxyWorkloadRenderer.NAME)
                    .get()).isNull();
        });
    }

    /** The CRD as the Prometheus Operator installs it, reduced to what the API server needs to serve it. */
    static final class HasCrd {
        static final String NAME = "servicemonitors.monitoring.coreos.com";

        static CustomResourceDefinition serviceMonitorCrd() {
            return new CustomResourceDefinitionBuilder().withNewMetadata().withName(NAME).endMetadata()
                    .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                    .withNewNames().withKind("ServiceMonitor").withListKind("ServiceMonitorList")
                    .withPlural("servicemonitors").withSingular("servicemonitor").endNames()
                    .addNewVersion().withName("v1").withServed(true).withStorage(true)
                    .withNewSchema().withNewOpenAPIV3Schema().withType("object")
                    .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                    .endVersion()
                    .endSpec().build();
        }

        private HasCrd() {
        }
    }
}
