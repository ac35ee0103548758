package dev.entrepot.operator.deploy;

import static dev.entrepot.operator.Fixtures.access;
import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.s3;
import static dev.entrepot.operator.Fixtures.s3Keys;
import static dev.entrepot.operator.Fixtures.secret;
import static dev.entrepot.operator.Fixtures.serviceAccount;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static dev.entrepot.operator.Fixtures.withAccess;
import static dev.entrepot.operator.Fixtures.withCredentials;
import static dev.entrepot.operator.Fixtures.withS3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.common.Role;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.deploy.OperatorRbac.Grant;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Runs the operator through a full lifecycle against a fresh mock API server and checks every
 * API call it made (from start-up on) against deploy/10-rbac.yaml: the ClusterRole must allow
 * each of them. The test's own calls go through a client with a different User-Agent.
 */
@QuarkusTest
@TestProfile(ObservedRbacTest.FreshServer.class)
@WithKubernetesTestServer
class ObservedRbacTest {

    /** A profile of its own: Quarkus restarts the app and the mock server, so start-up calls are recorded too. */
    public static class FreshServer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The DaemonSet's calls too, and with S3 the PodDisruptionBudget's.
            return Map.of("entrepot.operator.node-mirror.namespace", "rbac-ns", "entrepot.operator.proxy.replicas", "3");
        }
    }

    private static final String TEST_AGENT = "entrepot-rbac-test";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient operatorClient;

    @Test
    void everyCallTheOperatorMakesIsGrantedByTheClusterRole() throws Exception {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(
                new ConfigBuilder(operatorClient.getConfiguration()).withUserAgent(TEST_AGENT).build()).build()) {
            lifecycle(client, "rbac-ns");
        }

        Set<Grant> observed = new TreeSet<>();
        RecordedRequest request;
        while ((request = server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (!TEST_AGENT.equals(request.getHeader("User-Agent"))) {
                // Object names matter only where the ClusterRole restricts them (resourceNames).
                ApiCall.of(request.getMethod(), request.getPath()).map(g -> new Grant(g.group(), g.resource(), g.verb(),
                        g.resource().equals("customresourcedefinitions") ? g.resourceName() : null))
                        .ifPresent(observed::add);
            }
        }
        Set<Grant> granted = OperatorRbac.granted(clusterRole());

        assertThat(observed).as("calls made by the operator").contains(
                new Grant("", "namespaces", "watch", null),
                new Grant("apps", "deployments", "create", null),
                new Grant("apps", "daemonsets", "create", null),
                new Grant("apps", "daemonsets", "delete", null),
                new Grant("", "configmaps", "update", null),
                new Grant("", "configmaps", "delete", null),
                new Grant("entrepot.dev", "repositories/status", "update", null),
                new Grant("rbac.authorization.k8s.io", "clusterrolebindings", "create", null),
                new Grant("rbac.authorization.k8s.io", "clusterrolebindings", "delete", null),
                new Grant("policy", "poddisruptionbudgets", "create", null),
                new Grant("policy", "poddisruptionbudgets", "delete", null));
        assertThat(observed.stream().filter(call -> !allowed(call, granted)).toList())
                .as("calls the ClusterRole in deploy/10-rbac.yaml does not allow").isEmpty();
    }

    /** Create, change and delete everything, so that each dependent creates, updates and deletes. */
    private void lifecycle(KubernetesClient client, String ns) {
        client.resource(new CustomResourceDefinitionBuilder().withNewMetadata()
                .withName("servicemonitors.monitoring.coreos.com").endMetadata()
                .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                .withNewNames().withKind("ServiceMonitor").withPlural("servicemonitors").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion().endSpec().build()).create();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        client.resource(secret(ns, "hub", "bob", "one")).create();
        client.resource(withCredentials(remote(ns, "hub", "https://registry-1.docker.io", "docker.io"), "hub")).create();
        client.resource(s3Keys(ns, "minio-keys", "AKIA1", "s3cret")).create();
        client.resource(withS3(withAccess(standard(ns, "team", false),
                access(null, List.of(), List.of(), serviceAccount(null, "builder", Role.WRITER))),
                s3("images", "https://minio.storage.svc:9000", "minio-keys"))).create();
        client.resource(virtual(ns, "all", "team", upstream("team", 10), upstream("hub", 5))).create();
        awaitExists(client, ServiceMonitor.class, ns, ProxyWorkloadRenderer.NAME);
        awaitExists(client, PodDisruptionBudget.class, ns, ProxyWorkloadRenderer.NAME);
        Awaitility.await().atMost(TIMEOUT).until(() -> client.rbac().clusterRoleBindings()
                .withName(ProxyWorkloadRenderer.tokenReviewBindingName(ns)).get() != null);

        client.resource(secret(ns, "hub", "bob", "two")).update();
        // The operator writes status concurrently: an edit may meet a newer resourceVersion (409) and is retried.
        Awaitility.await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(KubernetesClientException.class).until(() -> {
            client.resources(Repository.class).inNamespace(ns).withName("team").edit(r -> {
                r.getSpec().getStandard().setImmutableTags(true);
                r.getSpec().setAccess(null);
                r.getSpec().setStorage(null);
                return r;
            });
            return true;
        });
        Awaitility.await().atMost(TIMEOUT).until(() -> client.configMaps().inNamespace(ns)
                .withName(ProxyWorkloadRenderer.CONFIG_MAP).get().getData().get(ProxyWorkloadRenderer.CONFIG_KEY)
                .contains("immutableTags: true"));
        Awaitility.await().atMost(TIMEOUT).until(() -> client.rbac().clusterRoleBindings()
                .withName(ProxyWorkloadRenderer.tokenReviewBindingName(ns)).get() == null);
        Awaitility.await().atMost(TIMEOUT).until(() -> client.policy().v1().podDisruptionBudget().inNamespace(ns)
                .withName(ProxyWorkloadRenderer.NAME).get() == null);

        client.resources(VirtualRepository.class).inNamespace(ns).delete();
        client.resources(Repository.class).inNamespace(ns).delete();
        Awaitility.await().atMost(TIMEOUT).until(() -> client.apps().deployments().inNamespace(ns)
                .withName(ProxyWorkloadRenderer.NAME).get() == null
                && client.configMaps().inNamespace(ns).withName(ProxyWorkloadRenderer.CONFIG_MAP).get() == null);
    }

    private static <T extends HasMetadata> void awaitExists(KubernetesClient client, Class<T> type, String ns,
            String name) {
        Awaitility.await().atMost(TIMEOUT).until(() -> client.resources(type).inNamespace(ns).withName(name).get() != null);
    }

    private static ClusterRole clusterRole() throws IOException {
        Object parsed = new KubernetesSerialization().unmarshal(Files.readString(Path.of("../deploy/10-rbac.yaml")));
        return ((List<?>) parsed).stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .filter(r -> r.getMetadata().getName().equals("entrepot-operator")).findFirst().orElseThrow();
    }

    private static boolean allowed(Grant call, Set<Grant> granted) {
        return granted.contains(call) || granted.contains(new Grant(call.group(), call.resource(), call.verb(), null));
    }

    /** Maps a REST call to the RBAC verb, group and resource the API server would authorize. */
    static final class ApiCall {

        static java.util.Optional<Grant> of(String method, String uri) {
            String path = uri.split("\\?", 2)[0];
            boolean watch = uri.contains("watch=true");
            String[] s = path.replaceFirst("^/", "").split("/");
            int start;
            String group;
            if (s.length >= 3 && s[0].equals("api")) {
                group = "";
                start = 2;
            } else if (s.length >= 4 && s[0].equals("apis")) {
                group = s[1];
                start = 3;
            } else {
                return java.util.Optional.empty(); // discovery and /version: open to every authenticated user
            }
            List<String> rest = List.of(s).subList(start, s.length);
            if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
                rest = rest.subList(2, rest.size());
            }
            String resource = rest.get(0) + (rest.size() >= 3 ? "/" + rest.get(2) : "");
            String name = rest.size() >= 2 ? rest.get(1) : null;
            String verb = switch (method) {
                case "GET" -> watch ? "watch" : name == null ? "list" : "get";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> name == null ? "deletecollection" : "delete";
                default -> method.toLowerCase(java.util.Locale.ROOT);
            };
            return java.util.Optional.of(new Grant(group, resource, verb, name));
        }

        private ApiCall() {
        }
    }
}
