package dev.entrepot.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Operator configuration (application.properties, or env such as ENTREPOT_OPERATOR_PROXY_IMAGE). */
@ConfigMapping(prefix = "entrepot.operator")
public interface OperatorConfig {

    /** Namespaces to serve; all namespaces when absent. */
    Optional<Set<String>> namespaces();

    Proxy proxy();

    UpstreamProbe upstreamProbe();

    ServiceMonitor serviceMonitor();

    NodeMirror nodeMirror();

    interface Proxy {
        /** cache-proxy container image. */
        @WithDefault("entrepot/cache-proxy:0.1.0-SNAPSHOT")
        String image();

        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /** Store volume size when no Repository of the namespace asks for more. */
        @WithDefault("20Gi")
        String storageSize();

        /** StorageClass of the store volume; the cluster default when absent. */
        Optional<String> storageClass();

        /**
         * Proxy pods of each namespace whose store is S3 (a Repository sets spec.storage.s3): they share hosted
         * content through the bucket, each with its own emptyDir for cached content and upload staging. A namespace
         * with the filesystem store runs one pod whatever this says (its ReadWriteOnce volume has one owner).
         */
        @WithDefault("1")
        int replicas();

        @WithDefault("250m")
        String cpuRequest();

        @WithDefault("256Mi")
        String memoryRequest();

        /** Peak RSS of a proxy serving a 1 GiB blob cold to 8 clients is about 160 MiB with the JVM options below. */
        @WithDefault("512Mi")
        String memoryLimit();

        /**
         * JVM options of the proxy container, rendered as its JAVA_TOOL_OPTIONS (the image's entrypoint takes none of
         * its own): the heap half the memory limit, direct buffers bounded, the serial collector for one or two CPUs
         * and a small heap; an initial heap of 32 MiB and a first metaspace GC threshold of 64 MiB, so the start
         * (~28 MiB of class metadata) runs without a full GC and with 7 young pauses instead of 25 (the JVM's 1/64 of
         * a 512 MiB limit is an 8 MiB heap). A value replaces the whole default.
         */
        @WithDefault(DEFAULT_JVM_OPTIONS)
        String jvmOptions();

        String DEFAULT_JVM_OPTIONS = "-XX:MaxRAMPercentage=50 -Xms32m -XX:MetaspaceSize=64m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC";

        /** tagTtl rendered for remote repositories that do not set one. */
        @WithDefault("5m")
        String defaultTagTtl();

        /** retention rendered for remote repositories that do not set one. */
        @WithDefault("720h")
        String defaultRetention();

        /** Rendered as auth.anonymousPull: whether repositories whose spec.access does not say are pulled anonymously. */
        @WithDefault("true")
        boolean anonymousPull();

        /**
         * Name of a Secret of type kubernetes.io/tls in each served namespace (e.g. a cert-manager Certificate's):
         * every proxy then speaks HTTPS only, with that certificate. Unset: plain HTTP.
         */
        Optional<String> tlsSecret();

        /** Audiences a ServiceAccount token must be meant for (auth.kubernetes.audiences); unset: the API server's. */
        Optional<List<String>> tokenAudiences();

        Probe probe();

        Counts counts();

        /** Per-repository counts in status (GET /api/v1/repositories of each proxy). */
        interface Counts {
            @WithDefault("true")
            boolean enabled();

            /** How long the counts of a proxy are reused before it is asked again. */
            @WithDefault("5m")
            Duration refresh();
        }

        /** Asking each proxy (GET http://entrepot.<namespace>.svc:5000/q/health/ready) what it serves, for Ready. */
        interface Probe {
            @WithDefault("true")
            boolean enabled();

            @WithDefault("2s")
            Duration timeout();

            /** How long an answer is reused; while a proxy lags behind the ConfigMap it is asked again after this. */
            @WithDefault("10s")
            Duration cacheFor();
        }
    }

    interface UpstreamProbe {
        /** Whether to probe upstream registries for the UpstreamReachable condition. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("3s")
        Duration timeout();

        /** How long a probe result is reused before the upstream is asked again. */
        @WithDefault("60s")
        Duration cacheFor();
    }

    /**
     * Every node's containerd pulls the mirrored registries through one namespace's proxy: a node
     * agent DaemonSet there writes hosts.toml files and serves the mirror address they name.
     */
    interface NodeMirror {
        /** The namespace whose proxy nodes pull through; unset: no node agent anywhere. */
        Optional<String> namespace();

        /** containerd version of the nodes, e.g. 1.7 or 2.1: decides which hosts.toml fields are rendered. */
        @WithDefault("1.7")
        String containerdVersion();

        /** containerd's hosts directory on the nodes (its registry config_path). */
        @WithDefault("/etc/containerd/certs.d")
        String hostsDir();

        /** containerd's config file on the nodes, read by the agent to check config_path. */
        @WithDefault("/etc/containerd/config.toml")
        String containerdConfig();

        /** Port of the mirror the agent serves on each node's loopback address. */
        @WithDefault("5050")
        int port();

        /** Port of the agent's readiness, status and metrics on each node's address. */
        @WithDefault("5051")
        int statusPort();

        /** hosts.toml dial_timeout, rendered for containerd 2.1 and later only. */
        @WithDefault("1s")
        Duration dialTimeout();
    }

    interface ServiceMonitor {
        /** Create a ServiceMonitor per proxy when the Prometheus Operator's CRD is installed. */
        @WithDefault("true")
        boolean enabled();

        /** How often to look for the CRD again while it is absent. */
        @WithDefault("5m")
        Duration crdCheckInterval();
    }
}
