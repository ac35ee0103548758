package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.standard;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** entrepot.operator.namespaces restricts the operator to the listed namespaces. */
@QuarkusTest
@TestProfile(WatchedNamespacesTest.OnlyServedNs.class)
@WithKubernetesTestServer
class WatchedNamespacesTest {

    public static class OnlyServedNs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("entrepot.operator.namespaces", "served-ns,other-served-ns");
        }
    }

    @Inject
    KubernetesClient client;

    @Test
    void repositoriesOutsideTheWatchedNamespacesAreLeftAlone() throws InterruptedException {
        for (String ns : new String[] {"ignored-ns", "served-ns"}) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
            client.resource(standard(ns, "team", false)).create();
        }

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> client.resources(Repository.class)
                .inNamespace("served-ns").withName("team").get().getStatus() != null);
        assertThat(client.configMaps().inNamespace("served-ns").withName(ProxyWorkloadRenderer.CONFIG_MAP).get())
                .isNotNull();
        // Give a (wrong) reconciliation of ignored-ns the same time it took served-ns, and more.
        Thread.sleep(1500);
        assertThat(client.configMaps().inNamespace("ignored-ns").withName(ProxyWorkloadRenderer.CONFIG_MAP).get())
                .isNull();
        assertThat(client.apps().deployments().inNamespace("ignored-ns").list().getItems()).isEmpty();
        assertThat(client.resources(Repository.class).inNamespace("ignored-ns").withName("team").get().getStatus())
                .isNull();
    }
}
