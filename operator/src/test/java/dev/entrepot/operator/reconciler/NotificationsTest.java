package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.b64;
import static dev.entrepot.operator.Fixtures.endpoint;
import static dev.entrepot.operator.Fixtures.opaque;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.withNotifications;
import static dev.entrepot.operator.reconciler.ClusterSteps.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import dev.entrepot.operator.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * spec.notifications end to end on the mock API server: the headers Secret is watched, so its arrival, a change of
 * its content and a broken version each re-render the endpoint, the copied headers and the repository's status.
 */
@QuarkusTest
@WithKubernetesTestServer
class NotificationsTest {

    private static final String ENDPOINT = "- name: ci-hook\n      url: https://ci.example/hook\n"
            + "      headersFile: /etc/entrepot/credentials/hook_headers\n      repositories:\n        - team\n";

    @Inject
    KubernetesClient client;

    private Map<String, String> copies(String ns) {
        return Optional.ofNullable(client.secrets().inNamespace(ns).withName(ProxyWorkloadRenderer.CREDENTIALS_SECRET)
                .get()).map(Secret::getData).orElse(Map.of());
    }

    @Test
    void theHeadersSecretIsWatchedAndCopied() {
        ClusterSteps steps = new ClusterSteps(client);
        String ns = steps.namespace("notifications-ns");
        client.resource(withNotifications(standard(ns, "team", false),
                endpoint("ci-hook", "https://ci.example/hook", "hook"))).create();

        steps.awaitCondition(Repository.class, ns, "team", StatusAggregator.READY, "False", "SecretNotFound");
        assertThat(steps.config(ns)).doesNotContain("notifications:");

        client.resource(opaque(ns, "hook", Map.of("headers", "Authorization: Bearer first\n"))).create();
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(steps.config(ns)).contains(ENDPOINT));
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(copies(ns))
                .containsEntry("hook_headers", b64("Authorization: Bearer first\n")));

        Secret rotated = client.secrets().inNamespace(ns).withName("hook").get();
        rotated.getData().put("headers", b64("Authorization: Bearer second\n"));
        client.resource(rotated).update();
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(copies(ns))
                .containsEntry("hook_headers", b64("Authorization: Bearer second\n")));

        Secret broken = client.secrets().inNamespace(ns).withName("hook").get();
        broken.getData().put("headers", b64("Authorization Bearer third\n"));
        client.resource(broken).update();
        steps.awaitCondition(Repository.class, ns, "team", StatusAggregator.READY, "False", "SecretInvalid");
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(steps.config(ns)).doesNotContain("notifications:");
            assertThat(copies(ns)).doesNotContainKey("hook_headers");
        });
    }
}
