package dev.entrepot.operator.plan;

import dev.entrepot.operator.config.OperatorConfig;
import java.util.List;

/** The operator-level settings the namespace proxy is built from, as plain data for pure renderers. */
public record ProxySettings(
        String image,
        String imagePullPolicy,
        String storageSize,
        String storageClass,
        String cpuRequest,
        String memoryRequest,
        String memoryLimit,
        String jvmOptions,
        String defaultTagTtl,
        String defaultRetention,
        boolean anonymousPull,
        String tlsSecret,
        List<String> tokenAudiences,
        int replicas) {

    /**
     * @param tlsSecret null: plain HTTP; else the kubernetes.io/tls Secret of that name in each namespace
     * @param replicas proxy pods per namespace whose store is S3 (a filesystem store runs one); below 1 counts as 1
     */
    public ProxySettings {
        tokenAudiences = tokenAudiences == null ? List.of() : List.copyOf(tokenAudiences);
        replicas = Math.max(1, replicas);
    }

    /** With the default JVM options, plain HTTP, the API server's token audiences and one replica. */
    public ProxySettings(String image, String imagePullPolicy, String storageSize, String storageClass,
            String cpuRequest, String memoryRequest, String memoryLimit, String defaultTagTtl, String defaultRetention,
            boolean anonymousPull) {
        this(image, imagePullPolicy, storageSize, storageClass, cpuRequest, memoryRequest, memoryLimit,
                OperatorConfig.Proxy.DEFAULT_JVM_OPTIONS, defaultTagTtl, defaultRetention, anonymousPull, null, List.of(),
                1);
    }

    public boolean tls() {
        return tlsSecret != null;
    }

    public ProxySettings withTlsSecret(String secretName) {
        return new ProxySettings(image, imagePullPolicy, storageSize, storageClass, cpuRequest, memoryRequest,
                memoryLimit, jvmOptions, defaultTagTtl, defaultRetention, anonymousPull, secretName, tokenAudiences,
                replicas);
    }

    public ProxySettings withTokenAudiences(List<String> audiences) {
        return new ProxySettings(image, imagePullPolicy, storageSize, storageClass, cpuRequest, memoryRequest,
                memoryLimit, jvmOptions, defaultTagTtl, defaultRetention, anonymousPull, tlsSecret, audiences, replicas);
    }

    /** @param options the proxy container's JAVA_TOOL_OPTIONS; blank: none rendered (the JVM's own defaults) */
    public ProxySettings withJvmOptions(String options) {
        return new ProxySettings(image, imagePullPolicy, storageSize, storageClass, cpuRequest, memoryRequest,
                memoryLimit, options, defaultTagTtl, defaultRetention, anonymousPull, tlsSecret, tokenAudiences,
                replicas);
    }

    public ProxySettings withReplicas(int count) {
        return new ProxySettings(image, imagePullPolicy, storageSize, storageClass, cpuRequest, memoryRequest,
                memoryLimit, jvmOptions, defaultTagTtl, defaultRetention, anonymousPull, tlsSecret, tokenAudiences,
                count);
    }

    public static ProxySettings from(OperatorConfig config) {
        OperatorConfig.Proxy p = config.proxy();
        return new ProxySettings(p.image(), p.imagePullPolicy(), p.storageSize(), p.storageClass().orElse(null),
                p.cpuRequest(), p.memoryRequest(), p.memoryLimit(), p.jvmOptions(), p.defaultTagTtl(), p.defaultRetention(),
                p.anonymousPull(), p.tlsSecret().filter(name -> !name.isBlank()).orElse(null),
                p.tokenAudiences().orElse(List.of()), p.replicas());
    }

    /** Defaults matching OperatorConfig's, for tests and tools that run without Quarkus. */
    public static ProxySettings defaults() {
        return new ProxySettings("entrepot/cache-proxy:0.1.0-SNAPSHOT", "IfNotPresent", "20Gi", null,
                "250m", "256Mi", "512Mi", "5m", "720h", true);
    }
}
