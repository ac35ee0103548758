package dev.entrepot.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.Golden;
import dev.entrepot.operator.ServerDefaults;
import dev.entrepot.operator.plan.ProxySettings;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ProxyWorkloadRendererTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Test
    void deploymentMatchesGoldenFile() {
        Golden.assertMatches("deployment.yaml",
                SERIALIZATION.asYaml(ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults())));
    }

    /** The proxy image's entrypoint is plain java -jar: its JVM options travel in JAVA_TOOL_OPTIONS. */
    @Test
    void jvmOptionsAndMemoryBoundsComeFromTheOperatorSettings() {
        var container = ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults()).getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).singleElement()
                .satisfies(e -> assertThat(e.getValue())
                        .isEqualTo("-XX:MaxRAMPercentage=50 -Xms32m -XX:MetaspaceSize=64m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC"));
        assertThat(container.getResources().getLimits()).containsExactly(Map.entry("memory", new Quantity("512Mi")));
        assertThat(container.getResources().getRequests()).containsEntry("memory", new Quantity("256Mi"));

        var tuned = ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults()
                .withJvmOptions(" -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError ")).getSpec().getTemplate();
        assertThat(tuned.getSpec().getContainers().get(0).getEnv())
                .filteredOn(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEqualTo("-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"));
        assertThat(ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults().withJvmOptions(" ")).getSpec()
                .getTemplate().getSpec().getContainers().get(0).getEnv()).extracting(e -> e.getName())
                .as("blank: the JVM's own defaults").containsExactly("QUARKUS_HTTP_PORT", "ENTREPOT_CONFIG");
    }

    /**
     * HTTPS: the namespace's TLS Secret mounted as a directory, probes and the scrape annotation on https; the
     * generated auth Secret and the proxy's own ServiceAccount are there with or without TLS.
     */
    @Test
    void tlsDeploymentMatchesGoldenFile() {
        Deployment tls = ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults().withTlsSecret("entrepot-tls"));
        Golden.assertMatches("deployment-tls.yaml", SERIALIZATION.asYaml(tls));
        var pod = tls.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(ProxyWorkloadRenderer.SERVICE_ACCOUNT);
        assertThat(pod.getContainers().get(0).getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(pod.getContainers().get(0).getLivenessProbe().getHttpGet().getScheme()).isEqualTo("HTTPS");
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("tls");
            assertThat(v.getSecret().getSecretName()).isEqualTo("entrepot-tls");
        });
        assertThat(ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults()).getSpec().getTemplate().getSpec()
                .getContainers().get(0).getReadinessProbe().getHttpGet().getScheme()).as("plain HTTP").isNull();
    }

    /**
     * An S3 store and three replicas: each pod its own emptyDir (bounded by the volume's size) for storage.path, a
     * rolling update that starts a new pod before stopping an old one, replicas spread over nodes where possible, the
     * store's revision on the template; the Service keeps a client on one replica; a budget for drains.
     */
    @Test
    void scaledOutWorkloadMatchesGoldenFiles() {
        ProxyWorkload three = new ProxyWorkload(3, "50Gi", "s3-0123456789abcdef");
        Deployment deployment = ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults(), three);
        Golden.assertMatches("deployment-s3.yaml", SERIALIZATION.asYaml(deployment));
        Golden.assertMatches("service-s3.yaml", SERIALIZATION.asYaml(ProxyWorkloadRenderer.service("team-a", three)));
        Golden.assertMatches("pdb.yaml", SERIALIZATION.asYaml(ProxyWorkloadRenderer.disruptionBudget("team-a")));

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("store"))
                .singleElement().satisfies(v -> {
                    assertThat(v.getPersistentVolumeClaim()).as("a ReadWriteOnce claim cannot be shared").isNull();
                    assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("50Gi"));
                });
    }

    /** One replica with an S3 store keeps the claim (and its cache over restarts): one pod owns it, as before. */
    @Test
    void oneReplicaOnTheClaimIsRecreatedAndRestartsWithItsStore() {
        ProxyWorkload one = new ProxyWorkload(1, null, "s3-0123456789abcdef");
        Deployment deployment = ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults(), one);

        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("store"))
                .singleElement().satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
                        .isEqualTo(ProxyWorkloadRenderer.STORE_CLAIM));
        assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints()).isEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(ProxyWorkloadRenderer.STORE_ANNOTATION, "s3-0123456789abcdef");
        assertThat(deployment.getSpec().getTemplate())
                .as("another store: another template, so the proxy restarts and reads it")
                .isNotEqualTo(ProxyWorkloadRenderer.deployment("team-a", ProxySettings.defaults()).getSpec().getTemplate());
        assertThat(ProxyWorkloadRenderer.service("team-a", one).getSpec().getSessionAffinity()).isEqualTo("None");
    }

    @Test
    void tokenReviewBindingAndServiceAccountMatchGoldenFiles() {
        Golden.assertMatches("tokenreview-binding.yaml",
                SERIALIZATION.asYaml(ProxyWorkloadRenderer.tokenReviewBinding("team-a")));
        Golden.assertMatches("serviceaccount.yaml", SERIALIZATION.asYaml(ProxyWorkloadRenderer.serviceAccount("team-a")));
    }

    @Test
    void serviceMonitorOverHttpsSkipsVerification() {
        var endpoint = ProxyWorkloadRenderer.serviceMonitor("team-a", true).getSpec().getEndpoints().get(0);
        assertThat(endpoint.getScheme()).isEqualTo("https");
        assertThat(endpoint.getTlsConfig().getInsecureSkipVerify()).isTrue();
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
        var monitor = ProxyWorkloadRenderer.serviceMonitor("team-a", false);
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
