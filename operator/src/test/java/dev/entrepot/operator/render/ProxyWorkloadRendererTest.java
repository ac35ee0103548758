package dev.entrepot.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.entrepot.operator.Golden;
import dev.entrepot.operator.ServerDefaults;
import dev.entrepot.operator.plan.ProxySettings;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

class ProxyWorkloadRendererTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Test
    void deploymentMatchesGoldenFile() {
        Golden.assertMatches("deployment.yaml",
                SERIALIZATION.asYaml(ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults())));
    }

    @Test
    void serviceAndClaimMatchGoldenFiles() {
        Golden.assertMatches("service.yaml", SERIALIZATION.asYaml(ProxyWorkloadRenderer.service("team-a")));
        Golden.assertMatches("pvc.yaml", SERIALIZATION.asYaml(ProxyWorkloadRenderer.storeClaim("team-a", "20Gi", "fast")));
    }

    /** A bound claim as a real server returned it: its spec is immutable but for the size. */
    @Test
    void anExistingClaimKeepsItsSpecAndOnlyGrows() {
        PersistentVolumeClaim bound = ServerDefaults.load("pvc-bound", PersistentVolumeClaim.class);

        PersistentVolumeClaim same = ProxyWorkloadRenderer.storeClaim("team-a", "10Gi", bound);
        assertThat(same.getSpec()).isEqualTo(bound.getSpec());

        PersistentVolumeClaim grown = ProxyWorkloadRenderer.storeClaim("team-a", "50Gi", bound);
        assertThat(grown.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("50Gi"));
        assertThat(grown.getSpec().getVolumeName()).isEqualTo("fast-pv-2");
        assertThat(grown.getSpec().getStorageClassName()).isEqualTo("fast");
        assertThat(grown.getSpec().getVolumeMode()).isEqualTo("Filesystem");
        assertThat(bound.getSpec().getResources().getRequests().get("storage")).as("actual untouched")
                .isEqualTo(new Quantity("20Gi"));
        assertThat(grown.getMetadata().getLabels()).isEqualTo(ProxyWorkloadRenderer.labels());
    }

    @Test
    void serviceMonitorScrapesTheServicesHttpPort() {
        var monitor = ProxyWorkloadRenderer.serviceMonitor("team-a");
        Golden.assertMatches("servicemonitor.yaml", SERIALIZATION.asYaml(monitor));
        var service = ProxyWorkloadRenderer.service("team-a");
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts()).extracting(p -> p.getName())
                .contains(monitor.getSpec().getEndpoints().get(0).getPort());
    }

    @Test
    void podTemplateDependsOnSettingsNotOnRepositories() {
        ProxySettings settings = ProxySettings.defaults();
        Deployment a = ProxyWorkloadRenderer.deployment("team-a", settings);
        Deployment b = ProxyWorkloadRenderer.deployment("team-a", settings);
        assertThat(a).isEqualTo(b);

        ProxySettings newImage = new ProxySettings("registry.example/cache-proxy:2", settings.imagePullPolicy(),
                settings.storageSize(), settings.storageClass(), settings.cpuRequest(), settings.memoryRequest(),
                settings.memoryLimit(), settings.defaultTagTtl(), settings.defaultRetention(), settings.anonymousPull());
        Deployment rolled = ProxyWorkloadRenderer.deployment("team-a", newImage);
        assertThat(rolled.getSpec().getTemplate()).isNotEqualTo(a.getSpec().getTemplate());
        assertThat(rolled.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.example/cache-proxy:2");
    }

    @Test
    void configIsMountedAsADirectorySoKubeletCanRefreshIt() {
        var container = ProxyWorkloadRenderer.deployment("ns", ProxySettings.defaults())
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getVolumeMounts()).allSatisfy(m -> assertThat(m.getSubPath()).isNull());
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("ENTREPOT_CONFIG");
            assertThat(e.getValue()).isEqualTo("/etc/entrepot/config/entrepot.yaml");
        });
    }

    @Test
    void credentialsSecretCarriesFilesVerbatim() {
        TreeMap<String, String> files = new TreeMap<>();
        files.put("hub_username", "Ym9i");
        var secret = ProxyWorkloadRenderer.credentials("ns", files);
        assertThat(secret.getData()).containsExactlyEntriesOf(files);
        assertThat(secret.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "entrepot-operator");
    }
}
