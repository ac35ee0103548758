package dev.entrepot.operator.plan;

import dev.entrepot.operator.config.OperatorConfig;

/** The operator-level settings the namespace proxy is built from, as plain data for pure renderers. */
public record ProxySettings(
        String image,
        String imagePullPolicy,
        String storageSize,
        String storageClass,
        String cpuRequest,
        String memoryRequest,
        String memoryLimit,
        String defaultTagTtl,
        String defaultRetention,
        boolean anonymousPull) {

    public static ProxySettings from(OperatorConfig config) {
        OperatorConfig.Proxy p = config.proxy();
        return new ProxySettings(p.image(), p.imagePullPolicy(), p.storageSize(), p.storageClass().orElse(null),
                p.cpuRequest(), p.memoryRequest(), p.memoryLimit(), p.defaultTagTtl(), p.defaultRetention(),
                p.anonymousPull());
    }

    /** Defaults matching OperatorConfig's, for tests and tools that run without Quarkus. */
    public static ProxySettings defaults() {
        return new ProxySettings("entrepot/cache-proxy:0.1.0-SNAPSHOT", "IfNotPresent", "20Gi", null,
                "250m", "256Mi", "1Gi", "5m", "720h", true);
    }
}
