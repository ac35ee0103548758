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
public record EntrepotConfig(Storage storage, List<Repository> repositories, Auth auth) {

    /**
     * Content-addressed store on disk; {@code maxSize} (null: unbounded) bounds cached content only, hosted content
     * is never evicted. Idle upload sessions end after {@code uploadExpiry}.
     */
    public record Storage(Path path, ByteSize maxSize, Duration uploadExpiry, Gc gc) {
    }

    /**
     * Garbage collection of hosted content: every {@code interval} (zero: on demand only); blobs and blob links
     * younger than {@code gracePeriod} are kept even when nothing references them yet (a push in progress).
     */
    public record Gc(Duration interval, Duration gracePeriod) {
    }

    public record Repository(String name, Mode mode, List<String> mirrorOf, Remote remote, Standard standard,
                             Virtual virtual) {
    }

    public enum Mode {
        @JsonProperty("remote") REMOTE,
        @JsonProperty("standard") STANDARD,
        @JsonProperty("virtual") VIRTUAL
    }

    /** A pull-through cache of {@code url}. */
    public record Remote(URI url, Credentials credentials, Duration tagTtl, Duration retention) {
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

    public record Auth(Boolean anonymousPull, List<User> users) {
    }

    public record User(String name, Path passwordFile, Role role) {
    }

    public enum Role {
        @JsonProperty("reader") READER,
        @JsonProperty("writer") WRITER
    }
}
