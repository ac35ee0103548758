package dev.entrepot.operator.config;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator configuration (application.properties, or env such as ENTREPOT_OPERATOR_PROXY_IMAGE). */
@ConfigMapping(prefix = "entrepot.operator")
public interface OperatorConfig {

    /** Namespaces to serve; all namespaces when absent. */
    Optional<Set<String>> namespaces();

    Proxy proxy();

    UpstreamProbe upstreamProbe();

    ServiceMonitor serviceMonitor();

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

        @WithDefault("250m")
        String cpuRequest();

        @WithDefault("256Mi")
        String memoryRequest();

        @WithDefault("1Gi")
        String memoryLimit();

        /** tagTtl rendered for remote repositories that do not set one. */
        @WithDefault("5m")
        String defaultTagTtl();

        /** retention rendered for remote repositories that do not set one. */
        @WithDefault("720h")
        String defaultRetention();

        /** Rendered as auth.anonymousPull. */
        @WithDefault("true")
        boolean anonymousPull();

        Probe probe();

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

    interface ServiceMonitor {
        /** Create a ServiceMonitor per proxy when the Prometheus Operator's CRD is installed. */
        @WithDefault("true")
        boolean enabled();

        /** How often to look for the CRD again while it is absent. */
        @WithDefault("5m")
        Duration crdCheckInterval();
    }
}
