package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.standard;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** JOSDK's Micrometer reconcile metrics and the health checks are served by the running operator. */
@QuarkusTest
@WithKubernetesTestServer
class OperatorMetricsTest {

    @Inject
    KubernetesClient client;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    @TestHTTPResource("/q/health/ready")
    URI ready;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void reconcileMetricsAreExported() {
        String ns = "metrics-ns";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
        client.resource(standard(ns, "team", false)).create();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> client.configMaps().inNamespace(ns)
                .withName(ProxyWorkloadRenderer.CONFIG_MAP).get() != null);

        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String text = get(metrics);
            assertThat(text).contains("operator_sdk_reconciliations_started_total")
                    .contains("operator_sdk_reconciliations_success_total")
                    .contains("operator_sdk_events_received_total");
            assertThat(text.lines().filter(l -> l.startsWith("operator_sdk_reconciliations_started_total")))
                    .anyMatch(l -> l.contains("name=\"" + ns + "\""));
        });
    }

    @Test
    void healthEndpointAnswers() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(ready).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).contains("\"status\"");
    }

    private String get(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
