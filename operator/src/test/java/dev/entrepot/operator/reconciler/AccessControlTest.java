package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.access;
import static dev.entrepot.operator.Fixtures.b64;
import static dev.entrepot.operator.Fixtures.basicAuth;
import static dev.entrepot.operator.Fixtures.serviceAccount;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.withAccess;
import static dev.entrepot.operator.reconciler.ClusterSteps.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.common.Role;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import dev.entrepot.operator.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * spec.access end to end on the mock API server: users from basic-auth Secrets reach entrepot.yaml and the
 * credentials Secret, a password change re-renders, a missing Secret is a clear status, the generated key and
 * operator password stay put, and the TokenReview binding exists exactly while a ServiceAccount is granted.
 */
@QuarkusTest
@WithKubernetesTestServer
class AccessControlTest {

    @Inject
    KubernetesClient client;

    @Inject
    FakeProxyProbe proxy;

    private Secret secret(String ns, String name) {
        return client.secrets().inNamespace(ns).withName(name).get();
    }

    private static String decoded(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    @Test
    void usersServiceAccountsAndTheirSecretsFollowTheRepositories() {
        ClusterSteps steps = new ClusterSteps(client);
        String ns = steps.namespace("access-ns");
        client.resource(basicAuth(ns, "ci-login", "ci", "first")).create();
        client.resource(withAccess(standard(ns, "team", false), access(false, List.of(), List.of("ci-login"),
                serviceAccount(null, "builder", Role.WRITER)))).create();

        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(steps.config(ns))
                .contains("- name: ci\n      passwordFile: /etc/entrepot/credentials/ci-login_password\n      role: writer")
                .contains("serviceAccount: access-ns:builder").contains("signingKeyFile: /etc/entrepot/auth/token-key.pem")
                .contains("anonymousPull: false"));
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(secret(ns,
                ProxyWorkloadRenderer.CREDENTIALS_SECRET).getData()).containsEntry("ci-login_password", b64("first")));
        Secret auth = steps.await(Secret.class, ns, ProxyWorkloadRenderer.AUTH_SECRET);
        assertThat(decoded(auth, NamespacePlanner.TOKEN_KEY)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(decoded(auth, NamespacePlanner.OPERATOR_PASSWORD)).hasSizeGreaterThanOrEqualTo(43);
        assertThat(steps.await(ServiceAccount.class, ns, ProxyWorkloadRenderer.SERVICE_ACCOUNT)).isNotNull();
        ClusterRoleBinding binding = Awaitility.await().atMost(TIMEOUT).until(() -> client.rbac().clusterRoleBindings()
                .withName(ProxyWorkloadRenderer.tokenReviewBindingName(ns)).get(), b -> b != null);
        assertThat(binding.getRoleRef().getName()).isEqualTo(ProxyWorkloadRenderer.TOKEN_REVIEW_ROLE);
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(ProxyWorkloadRenderer.SERVICE_ACCOUNT);
            assertThat(s.getNamespace()).isEqualTo(ns);
        });
        assertThat(binding.getMetadata().getOwnerReferences()).as("cluster-scoped: owned by the Namespace")
                .singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("Namespace"));

        // A rotated password reaches the proxy's copy (which it re-reads); the generated values stay.
        Secret rotated = secret(ns, "ci-login");
        rotated.getData().put("password", b64("second"));
        client.resource(rotated).update();
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(secret(ns,
                ProxyWorkloadRenderer.CREDENTIALS_SECRET).getData()).containsEntry("ci-login_password", b64("second")));
        assertThat(secret(ns, ProxyWorkloadRenderer.AUTH_SECRET).getData()).isEqualTo(auth.getData());

        // The operator asks the closed proxy as its own user, with the generated password.
        steps.makeProxyAvailable(ns);
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(proxy.lastEndpoint(ns)).isNotNull();
            assertThat(proxy.lastEndpoint(ns).username()).isEqualTo(NamespacePlanner.OPERATOR_USER);
            assertThat(proxy.lastEndpoint(ns).password()).isEqualTo(decoded(auth, NamespacePlanner.OPERATOR_PASSWORD));
        });

        // The Secret goes: the repository's grants are withdrawn, its status says which Secret, and why.
        client.resource(secret(ns, "ci-login")).delete();
        steps.awaitCondition(Repository.class, ns, "team", StatusAggregator.READY, "False", "SecretNotFound");
        assertThat(steps.currentCondition(Repository.class, ns, "team", StatusAggregator.READY).getMessage())
                .startsWith("Secret ci-login (spec.access.writers[0]) not found in the namespace;");
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(steps.config(ns))
                .doesNotContain("- name: ci\n").doesNotContain("serviceAccount:").contains("name: entrepot-operator"));
        Awaitility.await().atMost(TIMEOUT).until(() -> client.rbac().clusterRoleBindings()
                .withName(ProxyWorkloadRenderer.tokenReviewBindingName(ns)).get() == null);
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(Optional.ofNullable(secret(ns,
                ProxyWorkloadRenderer.CREDENTIALS_SECRET).getData()).orElse(Map.of())).doesNotContainKey("ci-login_password"));
    }
}
