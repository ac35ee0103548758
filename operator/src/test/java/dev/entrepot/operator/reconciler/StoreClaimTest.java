package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.withStorage;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * A bound claim's spec is immutable on a real API server but for its size (an update that drops
 * volumeName is refused with 422); the mock server accepts anything, so the test checks that the
 * operator's updates keep what the binder set.
 */
@QuarkusTest
@WithKubernetesTestServer
class StoreClaimTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Inject
    KubernetesClient client;

    private PersistentVolumeClaim claim(String ns) {
        return client.persistentVolumeClaims().inNamespace(ns).withName(ProxyWorkloadRenderer.STORE_CLAIM).get();
    }

    @Test
    void updatesOfABoundClaimKeepItsVolumeAndOnlyGrowIt() {
        String ns = "claim-ns";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        client.resource(standard(ns, "a", false)).create();
        PersistentVolumeClaim created = Awaitility.await().atMost(TIMEOUT).until(() -> claim(ns), c -> c != null);
        // As kube-controller-manager's binder and the server's defaulting would.
        created.getSpec().setVolumeName("pv-0001");
        created.getSpec().setVolumeMode("Filesystem");
        client.resource(created).update();

        client.resource(withStorage(standard(ns, "b", false), "60Gi")).create();

        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            PersistentVolumeClaim updated = claim(ns);
            assertThat(updated.getMetadata().getOwnerReferences()).hasSize(2);
            assertThat(updated.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("60Gi"));
            assertThat(updated.getSpec().getVolumeName()).isEqualTo("pv-0001");
            assertThat(updated.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        });
    }
}
