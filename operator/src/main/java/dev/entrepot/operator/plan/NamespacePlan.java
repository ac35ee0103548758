package dev.entrepot.operator.plan;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import dev.entrepot.operator.render.ProxyConfig;

/**
 * Everything the operator derives from the repositories of one namespace: the proxy config,
 * the credential files to project, the store size, and per-resource problems for status.
 *
 * @param credentialFiles file name under {@link NamespacePlanner#CREDENTIALS_DIR} to base64 content
 * @param servedUpstreams for each served virtual repository, its upstreams as served ("a(100), b(80)")
 */
public record NamespacePlan(
        ProxyConfig config,
        SortedMap<String, String> credentialFiles,
        String storageSize,
        Map<Subject, List<Problem>> problems,
        Map<String, String> servedUpstreams) {

    public List<Problem> problemsOf(Subject subject) {
        return problems.getOrDefault(subject, List.of());
    }

    /** How many members a served virtual repository has; null when it is not served. */
    public Integer servedMembers(String virtualName) {
        return config.repositories().stream().filter(r -> r.name().equals(virtualName) && r.virtual() != null)
                .findFirst().map(r -> r.virtual().upstreams().size()).orElse(null);
    }

    public boolean serves(String repositoryName) {
        return config.repositories().stream().anyMatch(r -> r.name().equals(repositoryName));
    }
}
