package dev.entrepot.proxy.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code entrepot.yaml} contract between the operator and the proxy (see DESIGN.md). Data only:
 * {@link ConfigLoader} parses, applies defaults and validates.
 */
public record EntrepotConfig(Storage storage, List<Repository> repositories, Auth auth, Tls tls,
                             Notifications notifications) {

    public EntrepotConfig(Storage storage, List<Repository> repositories, Auth auth) {
        this(storage, repositories, auth, null, new Notifications(null, NotificationsConfig.DEFAULT_MAX_AGE, List.of()));
    }

    /**
     * Content-addressed store on disk; {@code maxSize} (null: unbounded) bounds cached content only, hosted content
     * is never evicted. Idle upload sessions end after {@code uploadExpiry}. With {@code type: s3} hosted content
     * lives in the bucket of {@code s3}; {@code path} keeps cached content, upload sessions and the bucket's local
     * tier.
     */
    public record Storage(Path path, ByteSize maxSize, Duration uploadExpiry, Gc gc, StorageType type, S3Storage s3) {

        public Storage(Path path, ByteSize maxSize, Duration uploadExpiry, Gc gc) {
            this(path, maxSize, uploadExpiry, gc, StorageType.FILESYSTEM, null);
        }
    }

    /** Where hosted content lives: on {@code storage.path}, or in an S3-compatible bucket. */
    public enum StorageType {
        @JsonProperty("filesystem") FILESYSTEM,
        @JsonProperty("s3") S3
    }

    /**
     * An S3-compatible bucket: {@code endpoint} absent means AWS (the region's endpoint); {@code pathStyle} puts the
     * bucket in the path rather than the host name (MinIO, Ceph and most S3-compatible stores need it). Credentials
     * from the two key files (a mounted Secret), else a profile of an AWS credentials file, else the SDK's default
     * chain (environment, web identity, instance profile). Every key goes under {@code prefix}. Blobs above
     * {@code partSize} go up in parts; {@code localCacheSize} bounds the local disk copy blobs are served from. With
     * {@code redirect} a blob GET of a blob in the bucket is answered with a redirect to a pre-signed URL valid for
     * {@code redirectTtl}, as distribution does.
     */
    public record S3Storage(String bucket, URI endpoint, String region, String prefix, Boolean pathStyle,
                            Path accessKeyIdFile, Path secretAccessKeyFile, Path credentialsFile, String profile,
                            ByteSize partSize, ByteSize localCacheSize, Boolean redirect, Duration redirectTtl) {

        public S3Storage(String bucket, URI endpoint, String region, String prefix, Boolean pathStyle,
                         Path accessKeyIdFile, Path secretAccessKeyFile, Path credentialsFile, String profile,
                         ByteSize partSize, ByteSize localCacheSize) {
            this(bucket, endpoint, region, prefix, pathStyle, accessKeyIdFile, secretAccessKeyFile, credentialsFile,
                    profile, partSize, localCacheSize, null, null);
        }

        /** How long a redirect's URL is valid; null when blob GETs are not redirected. */
        public Duration redirectValidity() {
            return Boolean.TRUE.equals(redirect) ? redirectTtl : null;
        }
    }

    /**
     * Garbage collection of hosted content: every {@code interval} (zero: on demand only); blobs and blob links
     * younger than {@code gracePeriod} are kept even when nothing references them yet (a push in progress).
     */
    public record Gc(Duration interval, Duration gracePeriod) {
    }

    /** {@code anonymousPull} overrides {@code auth.anonymousPull} for this repository (null: inherit it). */
    public record Repository(String name, Mode mode, List<String> mirrorOf, Remote remote, Standard standard,
                             Virtual virtual, Boolean anonymousPull) {

        public Repository(String name, Mode mode, List<String> mirrorOf, Remote remote, Standard standard,
                          Virtual virtual) {
            this(name, mode, mirrorOf, remote, standard, virtual, null);
        }
    }

    public enum Mode {
        @JsonProperty("remote") REMOTE,
        @JsonProperty("standard") STANDARD,
        @JsonProperty("virtual") VIRTUAL
    }

    /**
     * A pull-through cache of {@code url}: tags fresh for {@code tagTtl}; a manifest the upstream does not have is
     * believed missing for {@code notFoundTtl} (zero: ask every time).
     */
    public record Remote(URI url, Credentials credentials, Duration tagTtl, Duration retention, Duration notFoundTtl) {
    }

    /** Upstream credentials read from files (Kubernetes Secret mounts). */
    public record Credentials(Path usernameFile, Path passwordFile) {
    }

    /** Hosted repository (push): tags may be made immutable; optional cleanup policy. */
    public record Standard(Boolean immutableTags, Cleanup cleanup) {
    }

    /**
     * Artifact Registry-style cleanup, run before each garbage collection: untagged manifests older than
     * {@code deleteUntaggedOlderThan} go, except the {@code keepRecent} newest versions of each image. With
     * {@code dryRun} (the default) it only logs what it would delete.
     */
    public record Cleanup(Boolean dryRun, Integer keepRecent, Duration deleteUntaggedOlderThan) {
    }

    /**
     * One endpoint over several repositories by priority. Which member answered a tag is remembered for
     * {@code resolutionTtl}; {@code equalPriority} says how members of one priority are asked.
     */
    public record Virtual(List<Upstream> upstreams, String pushTo, Duration resolutionTtl, EqualPriority equalPriority) {
    }

    /** {@code fastest}: ask every member of a priority at once, the first that has it answers; {@code ordered}: in the order listed. */
    public enum EqualPriority {
        @JsonProperty("fastest") FASTEST,
        @JsonProperty("ordered") ORDERED
    }

    public record Upstream(String repository, Integer priority) {
    }

    /**
     * Who may pull and push. {@code token} present turns the Docker token flow on (challenges say Bearer);
     * {@code kubernetes} lets ServiceAccount tokens stand in for passwords.
     */
    public record Auth(Boolean anonymousPull, List<User> users, Token token, Kubernetes kubernetes) {

        public Auth(Boolean anonymousPull, List<User> users) {
            this(anonymousPull, users, null, null);
        }
    }

    /**
     * A user whose password (plain, or a bcrypt hash) is the content of {@code passwordFile}; {@code role} applies to
     * {@code repositories} (null: every repository). A name may appear more than once (same password file): the
     * grants add up.
     */
    public record User(String name, Path passwordFile, Role role, List<String> repositories) {

        public User(String name, Path passwordFile, Role role) {
            this(name, passwordFile, role, null);
        }
    }

    /**
     * The token endpoint ({@code /token}): {@code service} names it in challenges and tokens; tokens are signed with
     * the PKCS#8 PEM key in {@code signingKeyFile} (RSA or EC; absent: a key generated per process) and last
     * {@code ttl}; refresh tokens (asked for with {@code offline_token}/{@code access_type=offline}) {@code refreshTtl}.
     * {@code realm} overrides the token URL challenges name (default: the scheme and host the request came to).
     */
    public record Token(String service, Path signingKeyFile, Duration ttl, Duration refreshTtl, URI realm) {
    }

    /**
     * ServiceAccount tokens as passwords, checked with the TokenReview API ({@code audiences}: those the token must
     * be meant for; empty: the API server's), results remembered for {@code cacheTtl}.
     */
    public record Kubernetes(Boolean enabled, List<String> audiences, Duration cacheTtl, List<Binding> bindings) {
    }

    /** {@code serviceAccount} is {@code namespace:name} or {@code namespace:*}; repositories null: all. */
    public record Binding(String serviceAccount, Role role, List<String> repositories) {
    }

    /** HTTPS on the proxy port from PEM files (re-read when they change; a different tls block takes a restart). */
    public record Tls(Path certFile, Path keyFile) {
    }

    public enum Role {
        @JsonProperty("reader") READER,
        @JsonProperty("writer") WRITER
    }

    /**
     * Image change events (CloudEvents over HTTP POST) to {@code endpoints}; {@code host} is how events name the
     * registry in image references (default: how the client addressed it); undelivered events are dropped after
     * {@code maxAge}.
     */
    public record Notifications(String host, Duration maxAge, List<Endpoint> endpoints) {
    }

    /**
     * One receiver: {@code headersFile} holds {@code Name: value} lines (a shared secret); {@code events} filters by
     * kind (default insert and delete); {@code repositories} by repository (default all).
     */
    public record Endpoint(String name, URI url, Path headersFile, List<EventKind> events, List<String> repositories) {
    }

    public enum EventKind {
        /** A manifest pushed or a tag set. */
        @JsonProperty("insert") INSERT,
        /** A manifest or tag deleted. */
        @JsonProperty("delete") DELETE,
        /** A manifest first cached from an upstream (opt-in: list it, with {@code repositories} to choose). */
        @JsonProperty("cached") CACHED
    }
}
