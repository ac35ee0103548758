package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.b64;
import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.s3;
import static dev.entrepot.operator.Fixtures.s3Keys;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.withS3;
import static dev.entrepot.operator.reconciler.ClusterSteps.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import dev.entrepot.operator.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * spec.storage.s3 with entrepot.operator.proxy.replicas=3 on the mock API server: the bucket and its copied keys in
 * the proxy's config, three replicas on emptyDirs with a disruption budget and client affinity; without the bucket
 * the namespace goes back to one replica on the claim, and the budget goes.
 */
@QuarkusTest
@TestProfile(S3StoreTest.ThreeReplicas.class)
@WithKubernetesTestServer
class S3StoreTest {

    public static class ThreeReplicas implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("entrepot.operator.proxy.replicas", "3");
        }
    }

    private static final String MINIO = "https://minio.storage.svc:9000";
    private static final String BUCKET = "  type: s3\n  s3:\n    bucket: images\n    endpoint: " + MINIO + "\n"
            + "    pathStyle: true\n    accessKeyIdFile: /etc/entrepot/credentials/minio-keys_accessKeyId\n"
            + "    secretAccessKeyFile: /etc/entrepot/credentials/minio-keys_secretAccessKey\n"
            + "    localCacheSize: 6144Mi\n";

    @Inject
    KubernetesClient client;

    private Deployment deployment(String ns) {
        return client.apps().deployments().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get();
    }

    private Volume store(String ns) {
        return deployment(ns).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("store")).findFirst().orElseThrow();
    }

    private PodDisruptionBudget budget(String ns) {
        return client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get();
    }

    private PersistentVolumeClaim claim(String ns) {
        return client.persistentVolumeClaims().inNamespace(ns).withName(ProxyWorkloadRenderer.STORE_CLAIM).get();
    }

    private Map<String, String> copies(String ns) {
        Secret copies = client.secrets().inNamespace(ns).withName(ProxyWorkloadRenderer.CREDENTIALS_SECRET).get();
        return copies == null || copies.getData() == null ? Map.of() : copies.getData();
    }

    private String affinity(String ns) {
        Service service = client.services().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get();
        return service == null ? null : service.getSpec().getSessionAffinity();
    }

    @Test
    void aBucketScalesTheProxyOutAndRemovingItBringsTheClaimBack() {
        ClusterSteps steps = new ClusterSteps(client);
        String ns = steps.namespace("s3-ns");
        client.resource(s3Keys(ns, "minio-keys", "AKIA1", "s3cret")).create();
        client.resource(withS3(standard(ns, "team", false), s3("images", MINIO, "minio-keys"))).create();
        client.resource(remote(ns, "hub", "https://registry-1.docker.io", "docker.io")).create();

        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(steps.config(ns)).contains(BUCKET);
            assertThat(copies(ns)).containsEntry("minio-keys_accessKeyId", b64("AKIA1"))
                    .containsEntry("minio-keys_secretAccessKey", b64("s3cret"));
            assertThat(deployment(ns).getSpec().getReplicas()).isEqualTo(3);
            assertThat(deployment(ns).getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
            assertThat(store(ns).getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("20Gi"));
            assertThat(affinity(ns)).isEqualTo("ClientIP");
            assertThat(budget(ns)).isNotNull();
            assertThat(budget(ns).getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        });
        assertThat(claim(ns)).as("no replica mounts it: not created").isNull();
        steps.awaitCondition(Repository.class, ns, "hub", StatusAggregator.REPLICAS, "True", "SharedStore");
        String revision = deployment(ns).getSpec().getTemplate().getMetadata().getAnnotations()
                .get(ProxyWorkloadRenderer.STORE_ANNOTATION);

        Secret rotated = client.secrets().inNamespace(ns).withName("minio-keys").get();
        rotated.getData().put("secretAccessKey", b64("rotated"));
        client.resource(rotated).update();
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment(ns).getSpec().getTemplate()
                .getMetadata().getAnnotations().get(ProxyWorkloadRenderer.STORE_ANNOTATION))
                .as("rotated keys restart the proxy, which reads them at start only").isNotEqualTo(revision));

        // The operator writes status concurrently: an edit may meet a newer resourceVersion (409) and is retried.
        Awaitility.await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(KubernetesClientException.class).until(() -> {
            client.resources(Repository.class).inNamespace(ns).withName("team").edit(r -> {
                r.getSpec().setStorage(null);
                return r;
            });
            return true;
        });

        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(steps.config(ns)).doesNotContain("type: s3").doesNotContain("s3:");
            assertThat(copies(ns)).doesNotContainKey("minio-keys_accessKeyId");
            assertThat(deployment(ns).getSpec().getReplicas()).isEqualTo(1);
            assertThat(deployment(ns).getSpec().getStrategy().getType()).isEqualTo("Recreate");
            assertThat(store(ns).getPersistentVolumeClaim().getClaimName()).isEqualTo(ProxyWorkloadRenderer.STORE_CLAIM);
            assertThat(claim(ns)).isNotNull();
            assertThat(affinity(ns)).isEqualTo("None");
            assertThat(budget(ns)).isNull();
        });
        steps.awaitCondition(Repository.class, ns, "team", StatusAggregator.REPLICAS, "False", "FilesystemStore");
    }
}
