package dev.entrepot.operator.render;

import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.ProxySettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.openshift.api.model.monitoring.v1.EndpointBuilder;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitorBuilder;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Pure renderers for the Kubernetes objects of one namespace's proxy. The pod template depends
 * on operator settings and on the namespace's store ({@link ProxyWorkload}) only: other repository
 * changes reach the proxy through the ConfigMap and the credentials Secret, whose mounted files the
 * kubelet refreshes in place (no subPath), so they never roll the Deployment. Changing image or
 * resources, or the store (which the proxy reads at start only), changes the template and rolls it.
 */
public final class ProxyWorkloadRenderer {

    public static final String NAME = "entrepot";
    public static final String CONFIG_MAP = "entrepot-config";
    public static final String CREDENTIALS_SECRET = "entrepot-credentials";
    public static final String STORE_CLAIM = "entrepot-store";
    /** The proxy pods' ServiceAccount: a TokenReview grant is bound to it while ServiceAccount auth is on. */
    public static final String SERVICE_ACCOUNT = NAME;
    /** Generated once per namespace: the token signing key and the operator user's password. */
    public static final String AUTH_SECRET = "entrepot-auth";
    /** The ClusterRole in deploy/10-rbac.yaml that allows creating TokenReviews. */
    public static final String TOKEN_REVIEW_ROLE = "entrepot-proxy-tokenreview";
    /** On the ClusterRoleBinding: the namespace whose proxy it serves (it is cluster-scoped itself). */
    public static final String NAMESPACE_LABEL = "entrepot.dev/namespace";
    public static final String CONFIG_KEY = "entrepot.yaml";
    public static final String CONFIG_DIR = "/etc/entrepot/config";
    public static final int PORT = 5000;
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "entrepot-operator";
    /** Label selector of every object the operator owns; its informers watch only these. */
    public static final String SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY;
    /** On the pod template: the store's revision, so that a changed store restarts the proxy. */
    public static final String STORE_ANNOTATION = "entrepot.dev/store";
    /** UID/GID of the Quarkus base images' default user; the store volume is group-writable for it. */
    static final long PROXY_GID = 185L;

    private ProxyWorkloadRenderer() {
    }

    public static SortedMap<String, String> selectorLabels() {
        SortedMap<String, String> labels = new TreeMap<>();
        labels.put("app.kubernetes.io/name", "entrepot-proxy");
        labels.put("app.kubernetes.io/instance", NAME);
        return labels;
    }

    public static SortedMap<String, String> labels() {
        SortedMap<String, String> labels = selectorLabels();
        labels.put("app.kubernetes.io/component", "cache-proxy");
        labels.put("app.kubernetes.io/part-of", "entrepot");
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        return labels;
    }

    private static ObjectMeta meta(String name, String namespace) {
        return new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(labels()).build();
    }

    public static ConfigMap configMap(String namespace, String entrepotYaml) {
        return new ConfigMapBuilder().withMetadata(meta(CONFIG_MAP, namespace))
                .withData(Map.of(CONFIG_KEY, entrepotYaml)).build();
    }

    /** @param files file name to base64 content, as in {@code NamespacePlan.credentialFiles()} */
    public static Secret credentials(String namespace, SortedMap<String, String> files) {
        return new SecretBuilder().withMetadata(meta(CREDENTIALS_SECRET, namespace)).withType("Opaque")
                .withData(new TreeMap<>(files)).build();
    }

    public static ServiceAccount serviceAccount(String namespace) {
        return new ServiceAccountBuilder().withMetadata(meta(SERVICE_ACCOUNT, namespace)).build();
    }

    /** @param data the token key and operator password, base64, as generated once (see AuthSecretDependentResource) */
    public static Secret authSecret(String namespace, SortedMap<String, String> data) {
        return new SecretBuilder().withMetadata(meta(AUTH_SECRET, namespace)).withType("Opaque")
                .withData(new TreeMap<>(data)).build();
    }

    public static String tokenReviewBindingName(String namespace) {
        return "entrepot-proxy-tokenreview-" + namespace;
    }

    /** Lets the namespace's proxy check ServiceAccount tokens; cluster-scoped, as TokenReviews are. */
    public static ClusterRoleBinding tokenReviewBinding(String namespace) {
        SortedMap<String, String> labels = labels();
        labels.put(NAMESPACE_LABEL, namespace);
        return new ClusterRoleBindingBuilder()
                .withNewMetadata().withName(tokenReviewBindingName(namespace)).withLabels(labels).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(TOKEN_REVIEW_ROLE).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(SERVICE_ACCOUNT).withNamespace(namespace)
                .endSubject()
                .build();
    }

    public static PersistentVolumeClaim storeClaim(String namespace, String size, String storageClass) {
        return new PersistentVolumeClaimBuilder().withMetadata(meta(STORE_CLAIM, namespace))
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storageClass)
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
                .endSpec().build();
    }

    /**
     * The claim as it should become, given the one that exists. A claim's spec is immutable but for
     * its requested size, which may only grow, and the server and the volume binder fill in
     * volumeMode, volumeName and the class: keep the actual spec and only raise the size.
     */
    public static PersistentVolumeClaim storeClaim(String namespace, String plannedSize, PersistentVolumeClaim actual) {
        Quantity current = actual.getSpec().getResources() == null ? null
                : actual.getSpec().getResources().getRequests().get("storage");
        Quantity size = current != null
                && Quantity.getAmountInBytes(current).compareTo(Quantity.getAmountInBytes(new Quantity(plannedSize))) >= 0
                ? current : new Quantity(plannedSize);
        return new PersistentVolumeClaimBuilder().withMetadata(meta(STORE_CLAIM, namespace))
                .withSpec(new PersistentVolumeClaimSpecBuilder(actual.getSpec())
                        .editOrNewResources().addToRequests("storage", size).endResources().build())
                .build();
    }

    public static Service service(String namespace) {
        return service(namespace, ProxyWorkload.filesystem());
    }

    /**
     * With several replicas a client keeps to one (ClientIP affinity): an upload session lives on the replica that
     * started it, and its next chunk must reach that replica. With one, the server's default, written out so that
     * going back to one replica is noticed.
     */
    public static Service service(String namespace, ProxyWorkload workload) {
        return new ServiceBuilder().withMetadata(meta(NAME, namespace))
                .withNewSpec()
                .withType("ClusterIP")
                .withSessionAffinity(workload.scaledOut() ? "ClientIP" : "None")
                .withSelector(selectorLabels())
                .addNewPort().withName("http").withProtocol("TCP").withPort(PORT)
                .withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build();
    }

    /**
     * Prometheus Operator scrape target for the proxy's /q/metrics, selecting the Service above. Over HTTPS the
     * certificate is not verified: metrics are not secret, and the proxy's name in it is the Service's.
     */
    public static ServiceMonitor serviceMonitor(String namespace, boolean tls) {
        var endpoint = new EndpointBuilder().withPort("http").withPath("/q/metrics").withInterval("30s");
        if (tls) {
            endpoint.withScheme("https").withNewTlsConfig().withInsecureSkipVerify(true).endTlsConfig();
        }
        return new ServiceMonitorBuilder().withMetadata(meta(NAME, namespace))
                .withNewSpec()
                .withNewSelector().withMatchLabels(selectorLabels()).endSelector()
                .withEndpoints(endpoint.build())
                .endSpec().build();
    }

    /** Voluntary disruptions (drains, cluster upgrades) take one replica at a time; only with several replicas. */
    public static PodDisruptionBudget disruptionBudget(String namespace) {
        return new PodDisruptionBudgetBuilder().withMetadata(meta(NAME, namespace))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(selectorLabels()).endSelector()
                .endSpec().build();
    }

    /** The filesystem store: one pod on the claim. */
    public static Deployment deployment(String namespace, ProxySettings settings) {
        return deployment(namespace, settings, ProxyWorkload.filesystem());
    }

    public static Deployment deployment(String namespace, ProxySettings settings, ProxyWorkload workload) {
        SortedMap<String, String> podAnnotations = new TreeMap<>();
        podAnnotations.put("prometheus.io/scrape", "true");
        podAnnotations.put("prometheus.io/port", String.valueOf(PORT));
        podAnnotations.put("prometheus.io/path", "/q/metrics");
        if (settings.tls()) {
            podAnnotations.put("prometheus.io/scheme", "https");
        }
        podAnnotations.put(STORE_ANNOTATION, workload.storeRevision());
        return new DeploymentBuilder().withMetadata(meta(NAME, namespace))
                .withNewSpec()
                .withReplicas(workload.replicas())
                .withRevisionHistoryLimit(3)
                .withStrategy(strategy(workload))
                .withNewSelector().withMatchLabels(selectorLabels()).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels()).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec()
                .addAllToTopologySpreadConstraints(spread(workload))
                .withServiceAccountName(SERVICE_ACCOUNT)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(30L)
                .withNewSecurityContext()
                .withRunAsNonRoot(true).withFsGroup(PROXY_GID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName("cache-proxy")
                .withImage(settings.image())
                .withImagePullPolicy(settings.imagePullPolicy())
                .addNewPort().withName("http").withContainerPort(PORT).withProtocol("TCP").endPort()
                .addNewEnv().withName("QUARKUS_HTTP_PORT").withValue(String.valueOf(PORT)).endEnv()
                .addNewEnv().withName("ENTREPOT_CONFIG").withValue(CONFIG_DIR + "/" + CONFIG_KEY).endEnv()
                .addAllToEnv(jvmOptions(settings))
                .withReadinessProbe(probe("/q/health/ready", 5, 5, 3, settings.tls()))
                .withLivenessProbe(probe("/q/health/live", 10, 10, 3, settings.tls()))
                .withNewResources()
                .addToRequests("cpu", new Quantity(settings.cpuRequest()))
                .addToRequests("memory", new Quantity(settings.memoryRequest()))
                .addToLimits("memory", new Quantity(settings.memoryLimit()))
                .endResources()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("credentials").withMountPath(NamespacePlanner.CREDENTIALS_DIR)
                .withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("auth").withMountPath(NamespacePlanner.AUTH_DIR).withReadOnly(true)
                .endVolumeMount()
                .addAllToVolumeMounts(tlsMounts(settings))
                .addNewVolumeMount().withName("store").withMountPath(NamespacePlanner.STORE_PATH).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName(CONFIG_MAP).endConfigMap().endVolume()
                // 0440: readable by the proxy's group (fsGroup) only.
                .addNewVolume().withName("credentials").withNewSecret().withSecretName(CREDENTIALS_SECRET)
                .withDefaultMode(0440).endSecret().endVolume()
                .addNewVolume().withName("auth").withNewSecret().withSecretName(AUTH_SECRET)
                .withDefaultMode(0440).endSecret().endVolume()
                .addAllToVolumes(tlsVolumes(settings))
                .addToVolumes(store(workload))
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec().build();
    }

    /**
     * On the claim (ReadWriteOnce, one pod owns it and holds the proxy's store lock): stop the old pod before starting
     * the new one. On emptyDirs: start a new pod before stopping an old one, never below the replica count.
     */
    private static DeploymentStrategy strategy(ProxyWorkload workload) {
        return workload.onClaim() ? new DeploymentStrategyBuilder().withType("Recreate").build()
                : new DeploymentStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
                        .withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1)).endRollingUpdate()
                        .build();
    }

    /** storage.path: the claim, or each pod's own emptyDir (cached content, local copies, upload staging). */
    private static Volume store(ProxyWorkload workload) {
        return workload.onClaim()
                ? new VolumeBuilder().withName("store").withNewPersistentVolumeClaim().withClaimName(STORE_CLAIM)
                        .endPersistentVolumeClaim().build()
                : new VolumeBuilder().withName("store").withNewEmptyDir()
                        .withSizeLimit(new Quantity(workload.scratchSize())).endEmptyDir().build();
    }

    /** Replicas on different nodes where the scheduler can, so that one node going leaves the others serving. */
    private static List<TopologySpreadConstraint> spread(ProxyWorkload workload) {
        return !workload.scaledOut() ? List.of() : List.of(new TopologySpreadConstraintBuilder()
                .withMaxSkew(1).withTopologyKey("kubernetes.io/hostname").withWhenUnsatisfiable("ScheduleAnyway")
                .withNewLabelSelector().withMatchLabels(selectorLabels()).endLabelSelector().build());
    }

    /** The image's entrypoint is plain java -jar: the JVM reads its options from JAVA_TOOL_OPTIONS. */
    private static List<EnvVar> jvmOptions(ProxySettings settings) {
        return settings.jvmOptions() == null || settings.jvmOptions().isBlank() ? List.of()
                : List.of(new EnvVarBuilder().withName("JAVA_TOOL_OPTIONS").withValue(settings.jvmOptions().strip())
                        .build());
    }

    /** The user's TLS Secret itself, not a copy: cert-manager's renewals reach the files in place (no subPath). */
    private static List<Volume> tlsVolumes(ProxySettings settings) {
        return !settings.tls() ? List.of() : List.of(new VolumeBuilder().withName("tls").withNewSecret()
                .withSecretName(settings.tlsSecret()).withDefaultMode(0440).endSecret().build());
    }

    private static List<VolumeMount> tlsMounts(ProxySettings settings) {
        return !settings.tls() ? List.of() : List.of(new VolumeMountBuilder().withName("tls")
                .withMountPath(NamespacePlanner.TLS_DIR).withReadOnly(true).build());
    }

    private static Probe probe(String path, int initialDelay, int period, int failures, boolean tls) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString("http"))
                .withScheme(tls ? "HTTPS" : null).endHttpGet()
                .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).withTimeoutSeconds(2)
                .withFailureThreshold(failures).build();
    }
}
