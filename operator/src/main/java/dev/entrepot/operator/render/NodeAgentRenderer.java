package dev.entrepot.operator.render;

import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import dev.entrepot.operator.plan.NodeMirrorSettings;
import dev.entrepot.operator.plan.ProxySettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;

/**
 * Pure renderers for the node mirror of one namespace: the ConfigMap of hosts.toml files (one per
 * mirrored registry host) and the node agent DaemonSet that writes them on every node and serves
 * the mirror address they name. The agent is the proxy's image with another entry point.
 */
public final class NodeAgentRenderer {

    public static final String NAME = "entrepot-node-agent";
    public static final String CONFIG_MAP = "entrepot-node-mirror";
    public static final String SOURCE_DIR = "/etc/entrepot/node-mirror";
    /** Where the node's containerd config directory is mounted, read-only, for the config_path check. */
    static final String HOST_CONFIG_ROOT = "/host";
    public static final String MAIN_CLASS = "dev.entrepot.proxy.agent.NodeAgent";
    /** The proxy image's jars as Quarkus' Jib extension lays them out (quarkus.jib.working-directory). */
    public static final String CLASSPATH = "/home/jboss/app/*:/home/jboss/lib/boot/*:/home/jboss/lib/main/*";
    /** A small JVM: the agent forwards bytes and writes a few files (about 75 MiB resident, measured). */
    public static final List<String> JAVA_OPTIONS = List.of("-Xmx32m", "-XX:MaxDirectMemorySize=32m",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=16m", "-Xss512k",
            "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1",
            "-XX:+ExitOnOutOfMemoryError");

    private NodeAgentRenderer() {
    }

    /** ConfigMap key of a host's file: ':' is no key character and '_' no host character. Read by the agent's MirrorSource. */
    public static String key(String registryHost) {
        return registryHost.replace(':', '_') + ".hosts.toml";
    }

    /** One hosts.toml per mirrorOf host the proxy serves (the planner has already refused double claims). */
    public static SortedMap<String, String> hostsFiles(ProxyConfig config, String namespace, NodeMirrorSettings settings) {
        SortedMap<String, String> files = new TreeMap<>();
        for (ProxyConfig.RepositoryEntry repository : config.repositories()) {
            for (String host : repository.mirrorOf()) {
                files.put(key(host), HostsTomlRenderer.render(new HostsToml(namespace, host, HostsToml.serverFor(host),
                        settings.mirrorUrl(), settings.containerdVersion(), settings.dialTimeout(), null, false)));
            }
        }
        return files;
    }

    public static SortedMap<String, String> selectorLabels() {
        SortedMap<String, String> labels = new TreeMap<>();
        labels.put("app.kubernetes.io/name", NAME);
        labels.put("app.kubernetes.io/instance", ProxyWorkloadRenderer.NAME);
        return labels;
    }

    public static SortedMap<String, String> labels() {
        SortedMap<String, String> labels = selectorLabels();
        labels.put("app.kubernetes.io/component", "node-agent");
        labels.put("app.kubernetes.io/part-of", "entrepot");
        labels.put(ProxyWorkloadRenderer.MANAGED_BY_LABEL, ProxyWorkloadRenderer.MANAGED_BY);
        return labels;
    }

    public static ConfigMap configMap(String namespace, SortedMap<String, String> files) {
        return new ConfigMapBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(CONFIG_MAP).withNamespace(namespace).withLabels(labels())
                        .build())
                .withData(new TreeMap<>(files)).build();
    }

    public static DaemonSet daemonSet(String namespace, ProxySettings proxy, NodeMirrorSettings settings) {
        SortedMap<String, String> annotations = new TreeMap<>();
        annotations.put("prometheus.io/scrape", "true");
        annotations.put("prometheus.io/port", String.valueOf(settings.statusPort()));
        annotations.put("prometheus.io/path", "/metrics");
        Path config = Path.of(settings.containerdConfig());
        String configDir = config.getParent().toString();
        List<String> command = new java.util.ArrayList<>(List.of("java"));
        command.addAll(JAVA_OPTIONS);
        command.addAll(List.of("-cp", CLASSPATH, MAIN_CLASS));
        return new DaemonSetBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(NAME).withNamespace(namespace).withLabels(labels()).build())
                .withNewSpec()
                .withRevisionHistoryLimit(3)
                .withNewSelector().withMatchLabels(selectorLabels()).endSelector()
                // All nodes at once: a restarting agent first puts the original files back, so pulls go
                // to the registries meanwhile, and a node whose containerd ignores the hosts directory
                // (its agent not Ready, by design) cannot hold a rollout up.
                .withNewUpdateStrategy().withType("RollingUpdate")
                .withNewRollingUpdate().withMaxUnavailable(new IntOrString("100%")).endRollingUpdate()
                .endUpdateStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels()).withAnnotations(annotations).endMetadata()
                .withNewSpec()
                // containerd reaches the mirror on the node's loopback address.
                .withHostNetwork(true)
                .withDnsPolicy("ClusterFirstWithHostNet")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds(30L)
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer()
                .withName("node-agent")
                .withImage(proxy.image())
                .withImagePullPolicy(proxy.imagePullPolicy())
                .withCommand(command)
                .withEnv(env(namespace, settings, configDir, config))
                .addNewPort().withName("status").withContainerPort(settings.statusPort()).withProtocol("TCP").endPort()
                .withReadinessProbe(probe("/ready", 2, 5))
                .withLivenessProbe(probe("/live", 10, 20))
                .withNewResources()
                .addToRequests("cpu", new Quantity("10m"))
                .addToRequests("memory", new Quantity("96Mi"))
                .addToLimits("memory", new Quantity("160Mi"))
                .endResources()
                // Root, to write the root-owned hosts directory; nothing else.
                .withNewSecurityContext()
                .withRunAsUser(0L).withRunAsNonRoot(false)
                .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount().withName("hosts-dir").withMountPath(settings.hostsDir()).endVolumeMount()
                .addNewVolumeMount().withName("containerd-config").withMountPath(HOST_CONFIG_ROOT + configDir)
                .withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("mirror-files").withMountPath(SOURCE_DIR).withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("hosts-dir").withNewHostPath().withPath(settings.hostsDir())
                .withType("DirectoryOrCreate").endHostPath().endVolume()
                .addNewVolume().withName("containerd-config").withNewHostPath().withPath(configDir)
                .withType("DirectoryOrCreate").endHostPath().endVolume()
                .addNewVolume().withName("mirror-files").withNewConfigMap().withName(CONFIG_MAP).endConfigMap().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec().build();
    }

    private static List<EnvVar> env(String namespace, NodeMirrorSettings settings, String configDir, Path config) {
        return List.of(
                env("ENTREPOT_AGENT_PROXY_URL", "http://" + ProxyWorkloadRenderer.NAME + "." + namespace + ".svc:"
                        + ProxyWorkloadRenderer.PORT),
                env("ENTREPOT_AGENT_LISTEN", "127.0.0.1:" + settings.port()),
                env("ENTREPOT_AGENT_STATUS_LISTEN", "0.0.0.0:" + settings.statusPort()),
                env("ENTREPOT_AGENT_SOURCE_DIR", SOURCE_DIR),
                env("ENTREPOT_AGENT_HOSTS_DIR", settings.hostsDir()),
                env("ENTREPOT_AGENT_CONTAINERD_CONFIG", HOST_CONFIG_ROOT + configDir + "/" + config.getFileName()),
                env("ENTREPOT_AGENT_CONTAINERD_VERSION", settings.containerdVersion().toString()),
                new EnvVarBuilder().withName("NODE_NAME").withNewValueFrom().withNewFieldRef()
                        .withFieldPath("spec.nodeName").endFieldRef().endValueFrom().build());
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static Probe probe(String path, int initialDelay, int period) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString("status")).endHttpGet()
                .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).withTimeoutSeconds(2)
                .withFailureThreshold(3).build();
    }
}
