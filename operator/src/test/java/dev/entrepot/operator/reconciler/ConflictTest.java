package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.standard;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceListBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Writes that lose a race. On a real API server, deleting one of several repositories makes the
 * garbage collector remove its owner reference from the proxy's objects while the operator
 * updates the same objects: the operator's update fails with 409 ("the object has been
 * modified", or "Precondition failed: UID in precondition" when the object was replaced). The
 * mock server has no garbage collector, so the test injects those answers.
 */
@QuarkusTest
@WithKubernetesTestServer
class ConflictTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger("").removeHandler(capture);
    }

    private static Status conflict(String kind, String message) {
        return new StatusBuilder().withStatus("Failure").withReason("Conflict").withCode(409)
                .withMessage("Operation cannot be fulfilled on " + kind + " \"entrepot\": " + message).build();
    }

    private List<String> ownerNames(Class<? extends HasMetadata> type, String ns) {
        HasMetadata object = client.resources(type).inNamespace(ns).withName(ProxyWorkloadRenderer.NAME).get();
        return object == null ? List.of()
                : object.getMetadata().getOwnerReferences().stream().map(OwnerReference::getName).toList();
    }

    private List<String> drainRequests() throws InterruptedException {
        List<String> requests = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            requests.add(request.getMethod() + " " + request.getPath());
        }
        return requests;
    }

    @Test
    void ownerReferenceUpdatesThatLoseARaceAreRetriedQuietly() {
        String ns = "race-ns";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        Repository a = client.resource(standard(ns, "a", false)).create();
        client.resource(standard(ns, "b", false)).create();
        Awaitility.await().atMost(TIMEOUT).until(() -> ownerNames(Deployment.class, ns).size() == 2
                && ownerNames(Service.class, ns).size() == 2);

        // Twice for the Deployment: during a rollout the deployment controller writes its status too.
        server.expect().put().withPath("/apis/apps/v1/namespaces/" + ns + "/deployments/entrepot")
                .andReturn(409, conflict("deployments.apps", "the object has been modified; please apply your "
                        + "changes to the latest version and try again")).times(2);
        server.expect().put().withPath("/api/v1/namespaces/" + ns + "/services/entrepot")
                .andReturn(409, conflict("services", "Precondition failed: UID in precondition: 1, UID in object "
                        + "meta: 2")).once();
        records.clear();
        client.resource(a).delete();

        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(ownerNames(Deployment.class, ns)).containsExactly("b");
            assertThat(ownerNames(Service.class, ns)).containsExactly("b");
        });
        assertThat(records).extracting(LogRecord::getMessage).filteredOn(m -> m.contains("changed since it was read"))
                .as("every injected conflict was met").hasSize(3);
        assertThat(records).filteredOn(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                || r.getThrown() != null).extracting(r -> r.getLoggerName() + ": " + r.getMessage())
                .as("warnings or stack traces").isEmpty();
    }

    /** The last owners deleted while the operator still sees them: the collector deletes the objects first. */
    @Test
    void anObjectDeletedMeanwhileIsNotRecreated() throws InterruptedException {
        String ns = "gone-ns";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        Repository a = client.resource(standard(ns, "a", false)).create();
        client.resource(standard(ns, "b", false)).create();
        Awaitility.await().atMost(TIMEOUT).until(() -> ownerNames(Service.class, ns).size() == 2);

        server.expect().put().withPath("/api/v1/namespaces/" + ns + "/services/entrepot")
                .andReturn(409, conflict("services", "StorageError: invalid object, Code: 4")).once();
        server.expect().get().withPath("/api/v1/namespaces/" + ns + "/services?fieldSelector=metadata.name%3Dentrepot")
                .andReturn(200, new ServiceListBuilder().withNewMetadata().withResourceVersion("1").endMetadata().build())
                .once();
        records.clear();
        drainRequests();
        client.resource(a).delete();

        Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(records).extracting(LogRecord::getMessage)
                .anyMatch(m -> m.contains("is gone")));
        // The Service is really still there in the mock: a later reconciliation brings its owners up to date.
        Awaitility.await().atMost(TIMEOUT).until(() -> ownerNames(Service.class, ns).equals(List.of("b")));
        assertThat(drainRequests()).as("no Service created from a stale view")
                .noneMatch(r -> r.startsWith("POST /api/v1/namespaces/" + ns + "/services"));
        assertThat(records).filteredOn(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                || r.getThrown() != null).extracting(r -> r.getLoggerName() + ": " + r.getMessage())
                .as("warnings or stack traces").isEmpty();
    }

    @Test
    void aStatusWriteThatLosesARaceIsNotAnError() throws InterruptedException {
        String ns = "status-race-ns";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        server.expect().put().withPath("/apis/entrepot.dev/v1alpha1/namespaces/" + ns + "/repositories/c/status")
                .andReturn(409, conflict("repositories.entrepot.dev", "the object has been modified")).once();
        records.clear();
        drainRequests();
        client.resource(standard(ns, "c", false)).create();

        // The next event (the proxy's objects appearing) reconciles again and writes the status.
        Awaitility.await().atMost(TIMEOUT).until(() -> {
            Repository c = client.resources(Repository.class).inNamespace(ns).withName("c").get();
            return c.getStatus() != null && !c.getStatus().getConditions().isEmpty();
        });
        assertThat(drainRequests()).as("status writes, the first one refused")
                .filteredOn(r -> r.equals("PUT /apis/entrepot.dev/v1alpha1/namespaces/" + ns + "/repositories/c/status"))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(records).filteredOn(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                || r.getThrown() != null).extracting(r -> r.getLoggerName() + ": " + r.getMessage())
                .as("warnings or stack traces").isEmpty();
    }
}
