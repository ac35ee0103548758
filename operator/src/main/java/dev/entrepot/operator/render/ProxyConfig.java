package dev.entrepot.operator.render;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The operator's view of entrepot.yaml, field for field as in DESIGN.md. The proxy rejects
 * unknown fields, so nothing may be added here that the contract does not define.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"storage", "repositories", "auth", "tls", "notifications"})
public record ProxyConfig(Storage storage, List<RepositoryEntry> repositories, Auth auth, Tls tls,
        Notifications notifications) {

    public ProxyConfig(Storage storage, List<RepositoryEntry> repositories, Auth auth) {
        this(storage, repositories, auth, null, null);
    }

    /** type and s3 are written only for the S3 store: absent, hosted content stays on the volume (filesystem). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"path", "maxSize", "type", "s3"})
    public record Storage(String path, String maxSize, String type, S3 s3) {

        public static final String S3_TYPE = "s3";

        public Storage(String path, String maxSize) {
            this(path, maxSize, null, null);
        }

        public Storage(String path, String maxSize, S3 s3) {
            this(path, maxSize, S3_TYPE, s3);
        }
    }

    /**
     * Hosted content in a bucket. endpoint, region, prefix and pathStyle null: the proxy's defaults (AWS, us-east-1,
     * none, false); the key files null: the AWS SDK's default chain. partSize is the proxy's default. redirect and
     * redirectTtl null: the proxy's defaults (no redirects, 20m).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"bucket", "endpoint", "region", "prefix", "pathStyle", "accessKeyIdFile", "secretAccessKeyFile",
            "localCacheSize", "redirect", "redirectTtl"})
    public record S3(String bucket, String endpoint, String region, String prefix, Boolean pathStyle,
            String accessKeyIdFile, String secretAccessKeyFile, String localCacheSize, Boolean redirect,
            String redirectTtl) {

        public S3(String bucket, String endpoint, String region, String prefix, Boolean pathStyle,
                String accessKeyIdFile, String secretAccessKeyFile, String localCacheSize) {
            this(bucket, endpoint, region, prefix, pathStyle, accessKeyIdFile, secretAccessKeyFile, localCacheSize,
                    null, null);
        }
    }

    /** anonymousPull is written only when the repository's spec.access sets it: absent, auth.anonymousPull applies. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"name", "mode", "mirrorOf", "anonymousPull", "remote", "standard", "virtual"})
    public record RepositoryEntry(String name, String mode, List<String> mirrorOf, Boolean anonymousPull, Remote remote,
            Standard standard, Virtual virtual) {

        public RepositoryEntry(String name, String mode, List<String> mirrorOf, Remote remote, Standard standard,
                Virtual virtual) {
            this(name, mode, mirrorOf, null, remote, standard, virtual);
        }
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

    /** users, token and kubernetes are written only when the namespace's repositories grant access to someone. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"anonymousPull", "users", "token", "kubernetes"})
    public record Auth(boolean anonymousPull, List<User> users, Token token, Kubernetes kubernetes) {

        public Auth(boolean anonymousPull) {
            this(anonymousPull, null, null, null);
        }
    }

    /** repositories null: the role applies to every repository. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "passwordFile", "role", "repositories"})
    public record User(String name, String passwordFile, String role, List<String> repositories) {
    }

    /** The Docker token flow, tokens signed with a key every replica and restart shares. */
    @JsonPropertyOrder({"signingKeyFile"})
    public record Token(String signingKeyFile) {
    }

    /** ServiceAccount tokens as passwords; audiences null: the API server's own. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"enabled", "audiences", "bindings"})
    public record Kubernetes(boolean enabled, List<String> audiences, List<Binding> bindings) {
    }

    /** serviceAccount is namespace:name or namespace:*. */
    @JsonPropertyOrder({"serviceAccount", "role", "repositories"})
    public record Binding(String serviceAccount, String role, List<String> repositories) {
    }

    @JsonPropertyOrder({"certFile", "keyFile"})
    public record Tls(String certFile, String keyFile) {
    }

    /** Image change events (CloudEvents) to HTTP endpoints; host and maxAge: the proxy's defaults. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"endpoints"})
    public record Notifications(List<Endpoint> endpoints) {
    }

    /** One receiver of image change events; events and repositories null: the proxy's defaults (insert, delete; all). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "url", "headersFile", "events", "repositories"})
    public record Endpoint(String name, String url, String headersFile, List<String> events, List<String> repositories) {
    }
}
