package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static dev.entrepot.operator.Fixtures.withCleanup;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.probe.ProxyProbe.Report;
import dev.entrepot.operator.render.ProxyConfigRenderer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** Ready follows what the namespace's proxy says it applied and serves (FakeProxyProbe stands for it). */
@QuarkusTest
@WithKubernetesTestServer
class ProxyServingStatusTest {

    @Inject
    KubernetesClient client;

    @Inject
    FakeProxyProbe proxy;

    private ClusterSteps steps;

    @BeforeEach
    void steps() {
        steps = new ClusterSteps(client);
    }

    @Test
    void readyWaitsForTheProxyToLoadAChangedConfig() {
        String ns = steps.namespace("pending-ns");
        client.resource(standard(ns, "team", false)).create();
        String first = steps.config(ns);
        proxy.applied(ns, first);
        steps.makeProxyAvailable(ns);
        steps.awaitCondition(Repository.class, ns, "team", "Ready", "True", "Serving");

        // Status writes by the operator may race the edit (409): retry with a fresh copy.
        Awaitility.await().atMost(ClusterSteps.TIMEOUT).ignoreExceptionsInstanceOf(KubernetesClientException.class)
                .until(() -> {
                    Repository team = withCleanup(client.resources(Repository.class).inNamespace(ns).withName("team")
                            .get(), false, 5, "168h");
                    client.resource(team).update();
                    return true;
                });
        String second = Awaitility.await().atMost(ClusterSteps.TIMEOUT).until(() -> steps.config(ns),
                c -> c.contains("deleteUntaggedOlderThan: 168h"));
        steps.awaitCondition(Repository.class, ns, "team", "Ready", "False", "ConfigPending");
        assertThat(steps.currentCondition(Repository.class, ns, "team", "Ready").getMessage()).isEqualTo(
                "the proxy has not loaded the latest configuration yet (ConfigMap changes reach the pod within about"
                        + " a minute)");

        // The kubelet refreshes the mounted file and the proxy reloads it: nothing in the API server changes.
        proxy.applied(ns, second);
        steps.awaitCondition(Repository.class, ns, "team", "Ready", "True", "Serving");
    }

    @Test
    void aRejectedConfigIsReportedInTheProxysWords() {
        String ns = steps.namespace("rejected-ns");
        client.resource(standard(ns, "team", true)).create();
        steps.config(ns);
        String message = "invalid configuration /etc/entrepot/config/entrepot.yaml: repositories[0].standard:"
                + " unknown field 'immutableTags'";
        proxy.answer(ns, Report.answered(true, ProxyConfigRenderer.sha256("an older file"), Set.of("team"), Set.of(),
                message, "answered 200"));
        steps.makeProxyAvailable(ns);

        steps.awaitCondition(Repository.class, ns, "team", "Ready", "False", "ConfigRejected");
        assertThat(steps.currentCondition(Repository.class, ns, "team", "Ready").getMessage())
                .isEqualTo("the proxy keeps its previous configuration: " + message);
    }

    @Test
    void aVirtualRepositoryTheProxyDoesNotServeIsNotServed() {
        String ns = steps.namespace("unserved-ns");
        client.resource(standard(ns, "team", false)).create();
        client.resource(remote(ns, "hub", "https://registry-1.docker.io")).create();
        client.resource(virtual(ns, "all", "team", upstream("team", 100), upstream("hub", 80))).create();
        proxy.applied(ns, Awaitility.await().atMost(ClusterSteps.TIMEOUT).until(() -> steps.config(ns),
                c -> c.contains("name: all")), "all");
        steps.makeProxyAvailable(ns);

        steps.awaitCondition(VirtualRepository.class, ns, "all", "Ready", "False", "NotServed");
        assertThat(steps.currentCondition(VirtualRepository.class, ns, "all", "Ready").getMessage())
                .isEqualTo("this version of Entrepot does not serve virtual repositories yet");
        steps.awaitCondition(VirtualRepository.class, ns, "all", "Resolved", "True", "AllUpstreamsResolved");
        steps.awaitCondition(Repository.class, ns, "team", "Ready", "True", "Serving");
        steps.awaitCondition(Repository.class, ns, "hub", "Ready", "True", "Serving");
    }

    @Test
    void aProxyWithoutAvailableReplicaIsNotAsked() throws InterruptedException {
        String ns = steps.namespace("unasked-ns");
        client.resource(standard(ns, "team", false)).create();

        steps.awaitCondition(Repository.class, ns, "team", "Ready", "False", "ProxyUnavailable");
        Thread.sleep(500);
        assertThat(proxy.calls(ns)).isZero();
    }
}
