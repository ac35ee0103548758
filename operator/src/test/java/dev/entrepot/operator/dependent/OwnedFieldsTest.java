package dev.entrepot.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.entrepot.operator.ServerDefaults;
import dev.entrepot.operator.plan.NodeMirrorSettings;
import dev.entrepot.operator.plan.ProxySettings;
import dev.entrepot.operator.render.NodeAgentRenderer;
import dev.entrepot.operator.render.ProxyWorkload;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The rendered objects against what a real kube-apiserver returned for them (golden files in
 * golden/server-defaulted): its defaults must not count as drift, or every reconciliation writes.
 */
class OwnedFieldsTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private static Deployment deployment() {
        return ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults());
    }

    private static boolean match(HasMetadata desired, HasMetadata actual) {
        return OwnedFields.match(SERIALIZATION.convertValue(desired, JsonNode.class),
                SERIALIZATION.convertValue(actual, JsonNode.class));
    }

    private static Deployment defaultedDeployment(Consumer<Deployment> change) {
        Deployment actual = ServerDefaults.load("deployment", Deployment.class);
        change.accept(actual);
        return actual;
    }

    @Test
    void serverDefaultsAreNotDrift() {
        assertThat(match(deployment(), ServerDefaults.load("deployment", Deployment.class))).isTrue();
        assertThat(match(ProxyWorkloadRenderer.service("team-a"), ServerDefaults.load("service", Service.class)))
                .isTrue();
        assertThat(match(ProxyWorkloadRenderer.storeClaim("team-a", "20Gi", "fast"),
                ServerDefaults.load("pvc", PersistentVolumeClaim.class))).isTrue();
        // The server drops the empty data map the operator sends when no repository has credentials.
        assertThat(match(ProxyWorkloadRenderer.credentials("team-a", new TreeMap<>()),
                ServerDefaults.load("credentials-secret", Secret.class))).isTrue();
        assertThat(match(NodeAgentRenderer.daemonSet("team-a", ProxySettings.defaults(), NodeMirrorSettings.defaults("team-a")),
                ServerDefaults.load("daemonset", DaemonSet.class))).isTrue();
    }

    @Test
    void aChangedAgentSettingIsDrift() {
        DaemonSet actual = ServerDefaults.load("daemonset", DaemonSet.class);
        NodeMirrorSettings defaults = NodeMirrorSettings.defaults("team-a");
        NodeMirrorSettings otherPort = new NodeMirrorSettings(defaults.namespace(), defaults.containerdVersion(),
                defaults.hostsDir(), defaults.containerdConfig(), 5060, defaults.statusPort(), defaults.dialTimeout());

        assertThat(match(NodeAgentRenderer.daemonSet("team-a", ProxySettings.defaults(), otherPort), actual)).isFalse();
    }

    @Test
    void aBoundClaimIsNotDrift() {
        PersistentVolumeClaim bound = ServerDefaults.load("pvc-bound", PersistentVolumeClaim.class);
        assertThat(match(ProxyWorkloadRenderer.storeClaim("team-a", "20Gi", bound), bound)).isTrue();
        assertThat(match(ProxyWorkloadRenderer.storeClaim("team-a", "30Gi", bound), bound)).isFalse();
    }

    @Test
    void aChangedOrMissingOwnedFieldIsDrift() {
        assertThat(match(deployment(), defaultedDeployment(d -> d.getSpec().getTemplate().getSpec().getContainers()
                .get(0).setImage("someone/else:latest")))).isFalse();
        assertThat(match(deployment(), defaultedDeployment(d -> d.getSpec().getTemplate().getSpec().getVolumes()
                .remove(3)))).as("a removed volume").isFalse();
        assertThat(match(deployment(), defaultedDeployment(d -> d.getSpec().getTemplate().getSpec().getContainers()
                .get(0).getReadinessProbe().setPeriodSeconds(50)))).isFalse();
        assertThat(match(deployment(), defaultedDeployment(d -> d.getMetadata().getLabels()
                .remove(ProxyWorkloadRenderer.MANAGED_BY_LABEL)))).as("a removed label").isFalse();
    }

    /** Moving to or from several replicas changes fields the server would otherwise default: each is noticed. */
    @Test
    void aChangedStoreOrReplicaCountIsDrift() {
        Deployment recorded = ServerDefaults.load("deployment", Deployment.class);
        assertThat(match(ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults(),
                new ProxyWorkload(1, null, "s3-0123456789abcdef")), recorded)).as("another store revision").isFalse();
        assertThat(match(ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults(),
                new ProxyWorkload(3, "20Gi", "s3-0123456789abcdef")), recorded)).as("three replicas").isFalse();

        Service clientIp = ServerDefaults.load("service", Service.class);
        clientIp.getSpec().setSessionAffinity("ClientIP");
        assertThat(match(ProxyWorkloadRenderer.service("team-a"), clientIp)).as("back to one replica").isFalse();
        assertThat(match(ProxyWorkloadRenderer.service("team-a", new ProxyWorkload(3, "20Gi", "s3-0123456789abcdef")),
                ServerDefaults.load("service", Service.class))).isFalse();
    }

    @Test
    void addedEntriesInListsAreDrift() {
        Deployment desired = deployment();
        assertThat(match(desired, defaultedDeployment(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getEnv().add(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0)))))
                .isFalse();
    }

    @Test
    void quantitiesCompareByAmount() {
        ProxySettings settings = ProxySettings.defaults();
        Deployment desired = ProxyWorkloadRenderer.deployment("team-a", new ProxySettings(settings.image(),
                settings.imagePullPolicy(), settings.storageSize(), settings.storageClass(), "0.25", "256Mi", "512Mi",
                settings.defaultTagTtl(), settings.defaultRetention(), settings.anonymousPull()));
        // The server answers 0.25 as 250m (its canonical form), as in the recorded Deployment.
        assertThat(match(desired, ServerDefaults.load("deployment", Deployment.class))).isTrue();
        assertThat(match(desired, defaultedDeployment(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0)
                .getResources().getRequests().put("cpu", new Quantity("500m"))))).isFalse();
    }
}
