package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.secret;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static dev.entrepot.operator.Fixtures.withCredentials;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.entrepot.operator.Fixtures;
import dev.entrepot.operator.ServerDefaults;
import dev.entrepot.operator.crd.v1alpha1.common.Condition;
import dev.entrepot.operator.crd.v1alpha1.common.ServingStatus;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.probe.UpstreamProbe;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

/** The running operator against the fabric8 mock API server (CRUD mode); one namespace per test. */
@QuarkusTest
@WithKubernetesTestServer
class NamespaceProxyReconcilerTest {

    private static final Duration TIMEOUT = ClusterSteps.TIMEOUT;

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    FakeUpstreamProbe probe;

    @Inject
    FakeProxyProbe proxy;

    private ClusterSteps steps;

    @BeforeEach
    void steps() {
        steps = new ClusterSteps(client);
    }

    private String namespace(String name) {
        return steps.namespace(name);
    }

    private <T extends HasMetadata> T await(Class<T> type, String ns, String name) {
        return steps.await(type, ns, name);
    }

    private String config(String ns) {
        return steps.config(ns);
    }

    private static Optional<Condition> condition(ServingStatus status, String type) {
        return ClusterSteps.condition(status, type);
    }

    private void awaitCondition(Class<? extends HasMetadata> type, String ns, String name, String conditionType,
            String status, String reason) {
        steps.awaitCondition(type, ns, name, conditionType, status, reason);
    }

    private void makeProxyAvailable(String ns) {
        steps.makeProxyAvailable(ns);
    }

    @Test
    void remoteRepositoryGetsAProxyAndStatus() {
        String ns = namespace("remote-ns");
        client.resource(secret(ns, "hub", "bob", "s3cret")).create();
        Repository repo = client.resource(
                withCredentials(remote(ns, "dockerhub", "https://registry-1.docker.io", "docker.io"), "hub")).create();

        String yaml = config(ns);
        assertThat(yaml).contains("name: dockerhub").contains("url: https://registry-1.docker.io")
                .contains("usernameFile: /etc/entrepot/credentials/hub_username").contains("- docker.io");
        Secret credentials = await(Secret.class, ns, ProxyWorkloadRenderer.CREDENTIALS_SECRET);
        assertThat(credentials.getData()).containsKeys("hub_username", "hub_password");
        Deployment deployment = await(Deployment.class, ns, ProxyWorkloadRenderer.NAME);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("entrepot/cache-proxy:0.1.0-SNAPSHOT");
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .as("entrepot.operator.proxy.jvm-options, by default").anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
                    assertThat(e.getValue()).isEqualTo("-XX:MaxRAMPercentage=50 -Xms32m -XX:MetaspaceSize=64m"
                            + " -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC");
                });
        assertThat(await(Service.class, ns, ProxyWorkloadRenderer.NAME).getSpec().getPorts().get(0).getPort())
                .isEqualTo(5000);
        assertThat(await(PersistentVolumeClaim.class, ns, ProxyWorkloadRenderer.STORE_CLAIM)
                .getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("20Gi");
        assertThat(deployment.getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid)
                .containsExactly(repo.getMetadata().getUid());

        awaitCondition(Repository.class, ns, "dockerhub", "Ready", "False", "ProxyUnavailable");
        awaitCondition(Repository.class, ns, "dockerhub", "UpstreamReachable", "True", "Reachable");
        makeProxyAvailable(ns);
        awaitCondition(Repository.class, ns, "dockerhub", "Ready", "Unknown", "ProxyUnreachable");
        // The proxy answers later (its Service's endpoints lag): no event, the operator asks again by itself.
        proxy.applied(ns, yaml);
        awaitCondition(Repository.class, ns, "dockerhub", "Ready", "True", "Serving");
        Repository current = client.resources(Repository.class).inNamespace(ns).withName("dockerhub").get();
        assertThat(current.getStatus().getUrl()).isEqualTo("entrepot.remote-ns.svc:5000/dockerhub");
        assertThat(current.getStatus().getObservedGeneration()).isEqualTo(current.getMetadata().getGeneration());
    }

    @Test
    void unreachableUpstreamIsReported() {
        String ns = namespace("unreachable-ns");
        probe.answer("https://down.example", UpstreamProbe.Result.unreachable("cannot reach https://down.example/v2/"));
        client.resource(remote(ns, "down", "https://down.example")).create();

        awaitCondition(Repository.class, ns, "down", "UpstreamReachable", "False", "Unreachable");
        assertThat(condition(client.resources(Repository.class).inNamespace(ns).withName("down").get().getStatus(),
                "UpstreamReachable").orElseThrow().getMessage()).contains("down.example");
    }

    @Test
    void repositoryChangeUpdatesTheConfigMapButNotTheDeployment() {
        String ns = namespace("change-ns");
        client.resource(remote(ns, "quay", "https://quay.io")).create();
        assertThat(config(ns)).contains("tagTtl: 5m");
        Deployment before = await(Deployment.class, ns, ProxyWorkloadRenderer.NAME);

        long generationBefore = client.resources(Repository.class).inNamespace(ns).withName("quay").get()
                .getMetadata().getGeneration();
        // Status writes by the operator may race the update (409): retry with a fresh copy.
        Awaitility.await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(KubernetesClientException.class).until(() -> {
            Repository repo = client.resources(Repository.class).inNamespace(ns).withName("quay").get();
            repo.getSpec().getRemote().setTagTtl("30s");
            client.resource(repo).update();
            return true;
        });

        Awaitility.await().atMost(TIMEOUT).until(() -> config(ns).contains("tagTtl: 30s"));
        Deployment after = client.apps().deployments().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get();
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(after.getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            Repository updated = client.resources(Repository.class).inNamespace(ns).withName("quay").get();
            assertThat(updated.getMetadata().getGeneration()).isGreaterThan(generationBefore);
            assertThat(updated.getStatus().getObservedGeneration()).isEqualTo(updated.getMetadata().getGeneration());
            assertThat(condition(updated.getStatus(), "Ready").orElseThrow().getObservedGeneration())
                    .isEqualTo(updated.getMetadata().getGeneration());
        });
    }

    @Test
    void rotatedCredentialsUpdateTheCopiedSecretButNotTheDeployment() {
        String ns = namespace("rotate-ns");
        client.resource(secret(ns, "hub", "bob", "old")).create();
        client.resource(withCredentials(remote(ns, "dockerhub", "https://registry-1.docker.io"), "hub")).create();
        Awaitility.await().atMost(TIMEOUT).until(() -> config(ns).contains("passwordFile"));
        Deployment before = await(Deployment.class, ns, ProxyWorkloadRenderer.NAME);
        String configVersion = client.configMaps().inNamespace(ns).withName(ProxyWorkloadRenderer.CONFIG_MAP).get()
                .getMetadata().getResourceVersion();

        client.resource(secret(ns, "hub", "bob", "new")).update();

        Awaitility.await().atMost(TIMEOUT).until(() -> client.secrets().inNamespace(ns)
                .withName(ProxyWorkloadRenderer.CREDENTIALS_SECRET).get().getData().get("hub_password")
                .equals(Fixtures.b64("new")));
        assertThat(client.apps().deployments().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get()
                .getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(client.configMaps().inNamespace(ns).withName(ProxyWorkloadRenderer.CONFIG_MAP).get()
                .getMetadata().getResourceVersion()).as("file paths did not change").isEqualTo(configVersion);
    }

    @Test
    void driftOfAnOwnedObjectIsReverted() {
        String ns = namespace("drift-ns");
        client.resource(standard(ns, "team", false)).create();
        Deployment deployment = await(Deployment.class, ns, ProxyWorkloadRenderer.NAME);
        String image = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();

        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("someone/else:latest");
        client.resource(deployment).update();
        ConfigMap configMap = await(ConfigMap.class, ns, ProxyWorkloadRenderer.CONFIG_MAP);
        configMap.getData().put(ProxyWorkloadRenderer.CONFIG_KEY, "repositories: []\n");
        client.resource(configMap).update();

        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get()
                    .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(image);
            assertThat(config(ns)).contains("name: team");
        });
    }

    @Test
    void missingSecretIsReportedUntilItAppears() {
        String ns = namespace("secret-ns");
        client.resource(withCredentials(remote(ns, "private", "https://registry.example.com"), "creds")).create();

        awaitCondition(Repository.class, ns, "private", "Ready", "False", "SecretNotFound");
        assertThat(config(ns)).contains("name: private").doesNotContain("usernameFile");

        client.resource(secret(ns, "creds", "alice", "pw")).create();
        Awaitility.await().atMost(TIMEOUT).until(() -> config(ns).contains("usernameFile: /etc/entrepot/credentials/creds_username"));
        awaitCondition(Repository.class, ns, "private", "Ready", "False", "ProxyUnavailable");
    }

    @Test
    void virtualRepositoryResolvesOnlyKnownRepositories() {
        String ns = namespace("virtual-ns");
        client.resource(standard(ns, "team", true)).create();
        client.resource(virtual(ns, "all", "team", upstream("team", 100), upstream("dockerhub", 80))).create();

        awaitCondition(VirtualRepository.class, ns, "all", "Resolved", "False", "UnknownRepository");
        VirtualRepository all = client.resources(VirtualRepository.class).inNamespace(ns).withName("all").get();
        assertThat(condition(all.getStatus(), "Resolved").orElseThrow().getMessage()).contains("dockerhub");
        assertThat(condition(all.getStatus(), "Ready").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(all.getStatus().getUpstreams()).isEqualTo("team(100)");

        client.resource(remote(ns, "dockerhub", "https://registry-1.docker.io")).create();
        awaitCondition(VirtualRepository.class, ns, "all", "Resolved", "True", "AllUpstreamsResolved");
        assertThat(client.resources(VirtualRepository.class).inNamespace(ns).withName("all").get()
                .getStatus().getUpstreams()).isEqualTo("team(100), dockerhub(80)");
        assertThat(client.resources(VirtualRepository.class).inNamespace(ns).withName("all").get()
                .getStatus().getMembers()).isEqualTo(2);
        assertThat(config(ns)).contains("repository: dockerhub");
    }

    @Test
    void deletingTheLastRepositoryRemovesTheProxy() {
        String ns = namespace("delete-ns");
        Repository a = client.resource(standard(ns, "a", false)).create();
        Repository b = client.resource(standard(ns, "b", false)).create();
        Awaitility.await().atMost(TIMEOUT).until(() -> {
            Deployment d = client.apps().deployments().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get();
            return d != null && d.getMetadata().getOwnerReferences().size() == 2;
        });

        client.resource(a).delete();
        Awaitility.await().atMost(TIMEOUT).until(() -> !config(ns).contains("name: a"));
        // The Deployment depends on the ConfigMap: it is written after it, in the same reconciliation.
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.apps().deployments().inNamespace(ns)
                .withName(ProxyWorkloadRenderer.NAME).get().getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getName).containsExactly("b"));

        client.resource(b).delete();
        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get()).isNull();
            assertThat(client.configMaps().inNamespace(ns).withName(ProxyWorkloadRenderer.CONFIG_MAP).get()).isNull();
            assertThat(client.services().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get()).isNull();
            assertThat(client.persistentVolumeClaims().inNamespace(ns).withName(ProxyWorkloadRenderer.STORE_CLAIM).get())
                    .isNull();
            assertThat(client.secrets().inNamespace(ns).withName(ProxyWorkloadRenderer.CREDENTIALS_SECRET).get()).isNull();
        });
    }

    @Test
    void steadyStateMakesNoWrites() throws InterruptedException {
        String ns = namespace("steady-ns");
        client.resource(remote(ns, "hub", "https://registry-1.docker.io", "docker.io")).create();
        client.resource(standard(ns, "team", false)).create();
        client.resource(virtual(ns, "all", "team", upstream("team", 2), upstream("hub", 1))).create();
        // The mock drops the status on a PUT of the Deployment (a real server keeps it): set it once all owners are in.
        Awaitility.await().atMost(TIMEOUT).until(() -> await(Deployment.class, ns, ProxyWorkloadRenderer.NAME)
                .getMetadata().getOwnerReferences().size() == 3);
        proxy.applied(ns, Awaitility.await().atMost(TIMEOUT).until(() -> config(ns), c -> c.contains("name: all")));
        makeProxyAvailable(ns);
        awaitCondition(Repository.class, ns, "hub", "Ready", "True", "Serving");
        awaitCondition(VirtualRepository.class, ns, "all", "Ready", "True", "Serving");
        Thread.sleep(1000);
        drainRequests();

        // A real API server answers with its defaults filled in (probe successThreshold, clusterIP,
        // volumeMode ...); the mock stores objects as sent, so the test adds what a real one added.
        int probesBefore = probe.calls();
        List<String> ownWrites = new ArrayList<>();
        ownWrites.add(fillServerDefaults(Deployment.class, ns, ProxyWorkloadRenderer.NAME, "deployment"));
        ownWrites.add(fillServerDefaults(Service.class, ns, ProxyWorkloadRenderer.NAME, "service"));
        ownWrites.add(fillServerDefaults(PersistentVolumeClaim.class, ns, ProxyWorkloadRenderer.STORE_CLAIM, "pvc"));
        Map<String, String> versionsBefore = resourceVersions(ns);
        Awaitility.await().atMost(TIMEOUT).until(() -> probe.calls() > probesBefore);

        // Any Secret event reconciles the namespace (it could be a referenced one).
        int probesAfterDefaults = probe.calls();
        client.resource(secret(ns, "unrelated", "x", "y")).create();
        Awaitility.await().atMost(TIMEOUT).until(() -> probe.calls() > probesAfterDefaults);
        Thread.sleep(1000);

        List<String> writes = drainRequests().stream()
                .filter(r -> !r.getMethod().equals("GET"))
                .map(r -> r.getMethod() + " " + r.getPath())
                .filter(w -> !w.startsWith("POST /api/v1/namespaces/steady-ns/secrets"))
                .toList();
        assertThat(writes).as("writes after no-op reconciliations: only the test's own").containsExactlyInAnyOrderElementsOf(
                ownWrites);
        assertThat(resourceVersions(ns)).as("resourceVersions after no-op reconciliations").isEqualTo(versionsBefore);
        assertThat(client.apps().deployments().inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get().getSpec()
                .getTemplate().getSpec().getContainers().get(0).getLivenessProbe().getSuccessThreshold())
                .as("server default kept").isEqualTo(1);
    }

    /** Updates the object as a real server would have stored it; returns the write, as the mock records it. */
    private <T extends HasMetadata> String fillServerDefaults(Class<T> type, String ns, String name, String golden) {
        T defaulted = ServerDefaults.fill(await(type, ns, name), golden);
        assertThat(defaulted).as("%s with server defaults", golden)
                .isNotEqualTo(client.resources(type).inNamespace(ns).withName(name).get());
        client.resource(defaulted).update();
        String apiVersion = HasMetadata.getApiVersion(type);
        return "PUT " + (apiVersion.contains("/") ? "/apis/" : "/api/") + apiVersion + "/namespaces/" + ns + "/"
                + HasMetadata.getPlural(type) + "/" + name;
    }

    /** resourceVersion of every owned object and custom resource of the namespace, by kind/name. */
    private Map<String, String> resourceVersions(String ns) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.addAll(client.configMaps().inNamespace(ns).list().getItems());
        objects.addAll(client.apps().deployments().inNamespace(ns).list().getItems());
        objects.addAll(client.services().inNamespace(ns).list().getItems());
        objects.addAll(client.persistentVolumeClaims().inNamespace(ns).list().getItems());
        objects.addAll(client.secrets().inNamespace(ns).withLabel(ProxyWorkloadRenderer.MANAGED_BY_LABEL).list().getItems());
        objects.addAll(client.resources(Repository.class).inNamespace(ns).list().getItems());
        objects.addAll(client.resources(VirtualRepository.class).inNamespace(ns).list().getItems());
        Map<String, String> versions = new TreeMap<>();
        objects.forEach(o -> versions.put(o.getKind() + "/" + o.getMetadata().getName(),
                o.getMetadata().getResourceVersion()));
        assertThat(versions).hasSizeGreaterThanOrEqualTo(8);
        return versions;
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
