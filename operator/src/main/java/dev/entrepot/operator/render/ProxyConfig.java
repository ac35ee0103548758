package dev.entrepot.operator.render;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The operator's view of entrepot.yaml, field for field as in DESIGN.md. The proxy rejects
 * unknown fields, so nothing may be added here that the contract does not define.
 */
@JsonPropertyOrder({"storage", "repositories", "auth"})
public record ProxyConfig(Storage storage, List<RepositoryEntry> repositories, Auth auth) {

    @JsonPropertyOrder({"path", "maxSize"})
    public record Storage(String path, String maxSize) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"name", "mode", "mirrorOf", "remote", "standard", "virtual"})
    public record RepositoryEntry(String name, String mode, List<String> mirrorOf, Remote remote,
            Standard standard, Virtual virtual) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"url", "credentials", "tagTtl", "retention"})
    public record Remote(String url, Credentials credentials, String tagTtl, String retention) {
    }

    @JsonPropertyOrder({"usernameFile", "passwordFile"})
    public record Credentials(String usernameFile, String passwordFile) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"immutableTags", "cleanup"})
    public record Standard(boolean immutableTags, Cleanup cleanup) {
    }

    /** dryRun is always written, so what the proxy deletes never hinges on its default. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"dryRun", "keepRecent", "deleteUntaggedOlderThan"})
    public record Cleanup(boolean dryRun, Integer keepRecent, String deleteUntaggedOlderThan) {
    }

    /** resolutionTtl and equalPriority are written only when set: absent, the proxy's defaults apply. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"upstreams", "pushTo", "resolutionTtl", "equalPriority"})
    public record Virtual(List<Upstream> upstreams, String pushTo, String resolutionTtl, String equalPriority) {
    }

    @JsonPropertyOrder({"repository", "priority"})
    public record Upstream(String repository, int priority) {
    }

    public record Auth(boolean anonymousPull) {
    }
}
