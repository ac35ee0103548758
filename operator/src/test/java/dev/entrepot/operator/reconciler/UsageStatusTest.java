package dev.entrepot.operator.reconciler;

import static dev.entrepot.operator.Fixtures.secret;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.common.Usage;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.probe.ProxyListing.Counts;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The proxy's counts reach status.usage (and the IMAGES and SIZE columns) once it serves the latest config; a
 * failed listing keeps the last counts, and unchanged counts cause no status write.
 */
@QuarkusTest
@WithKubernetesTestServer
class UsageStatusTest {

    @Inject
    KubernetesClient client;

    @Inject
    FakeProxyProbe proxy;

    @Inject
    FakeProxyListing listing;

    private Repository team(String ns) {
        return client.resources(Repository.class).inNamespace(ns).withName("team").get();
    }

    @Test
    void countsReachStatusAndStayPutWhenTheListingFails() throws InterruptedException {
        ClusterSteps steps = new ClusterSteps(client);
        String ns = steps.namespace("usage-ns");
        client.resource(standard(ns, "team", false)).create();
        client.resource(virtual(ns, "all", null, upstream("team", 1))).create();
        proxy.applied(ns, Awaitility.await().atMost(ClusterSteps.TIMEOUT).until(() -> steps.config(ns),
                c -> c.contains("name: all")));
        listing.answer(ns, Map.of("team", new Counts(2, 3, 4, 5L * 1024 * 1024 * 1024 / 2),
                "all", new Counts(2, 3, 4, 1536)));
        steps.makeProxyAvailable(ns);

        Awaitility.await().atMost(ClusterSteps.TIMEOUT).ignoreExceptions().untilAsserted(() -> {
            assertThat(team(ns).getStatus().getUsage()).isEqualTo(new Usage(2, 3, 4, 5L * 1024 * 1024 * 1024 / 2));
            assertThat(client.resources(VirtualRepository.class).inNamespace(ns).withName("all").get().getStatus()
                    .getUsage()).isEqualTo(new Usage(2, 3, 4, 1536));
        });
        assertThat(team(ns).getStatus().getUsage().getSize()).isEqualTo("2.5Gi");
        String settled = team(ns).getMetadata().getResourceVersion();

        listing.fail(ns, "the proxy did not answer");
        int calls = listing.calls(ns);
        // Any Secret of the namespace reconciles it (the operator watches them all).
        client.resource(secret(ns, "unrelated", "a", "b")).create();
        Awaitility.await().atMost(ClusterSteps.TIMEOUT).until(() -> listing.calls(ns) > calls);
        Repository after = team(ns);
        assertThat(after.getStatus().getUsage()).as("the last counts stay").isEqualTo(new Usage(2, 3, 4,
                5L * 1024 * 1024 * 1024 / 2));
        assertThat(after.getMetadata().getResourceVersion()).as("nothing changed, nothing written").isEqualTo(settled);
    }
}
