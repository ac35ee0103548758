package dev.entrepot.operator.plan;

import dev.entrepot.operator.render.ProxyConfig;
import dev.entrepot.operator.render.ProxyWorkload;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Everything the operator derives from the repositories of one namespace: the proxy config,
 * the credential files to project, the store size and shape, and per-resource problems for status.
 *
 * @param tlsSecret the Secret the proxy's certificate comes from; null without TLS
 * @param credentialFiles file name under {@link NamespacePlanner#CREDENTIALS_DIR} to base64 content
 * @param servedUpstreams for each served virtual repository, its upstreams as served ("a(100), b(80)")
 * @param workload how many proxy pods run, on which volume
 * @param requestedReplicas the replicas the operator setting asks for (only an S3 store gets more than one)
 */
public record NamespacePlan(
        ProxyConfig config,
        String tlsSecret,
        SortedMap<String, String> credentialFiles,
        String storageSize,
        Map<Subject, List<Problem>> problems,
        Map<String, String> servedUpstreams,
        ProxyWorkload workload,
        int requestedReplicas) {

    public List<Problem> problemsOf(Subject subject) {
        return problems.getOrDefault(subject, List.of());
    }

    /** How many members a served virtual repository has; null when it is not served. */
    public Integer servedMembers(String virtualName) {
        return config.repositories().stream().filter(r -> r.name().equals(virtualName) && r.virtual() != null)
                .findFirst().map(r -> r.virtual().upstreams().size()).orElse(null);
    }

    /** Whether the proxy needs credentials for something: then the operator user is rendered and used. */
    public boolean closed() {
        return config.auth().users() != null;
    }

    /** Whether ServiceAccount tokens are checked (the proxy then needs RBAC for TokenReviews). */
    public boolean serviceAccountAuth() {
        return config.auth().kubernetes() != null;
    }

    /** Whether hosted content is in a bucket (storage.type s3), not on the volume. */
    public boolean s3() {
        return config.storage().s3() != null;
    }

    public boolean tls() {
        return config.tls() != null;
    }

    public boolean serves(String repositoryName) {
        return config.repositories().stream().anyMatch(r -> r.name().equals(repositoryName));
    }
}
