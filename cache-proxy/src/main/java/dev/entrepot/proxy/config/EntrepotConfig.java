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

    /** Content-addressed store on disk; {@code maxSize} null means unbounded. */
    public record Storage(Path path, ByteSize maxSize) {
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

    /** Hosted repository (push). Parsed for the contract; served in a later release. */
    public record Standard(Boolean immutableTags) {
    }

    /** One endpoint over several repositories by priority. Parsed for the contract; served in a later release. */
    public record Virtual(List<Upstream> upstreams, String pushTo) {
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
