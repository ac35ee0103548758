package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.auth.AuthEnvironment;
import dev.entrepot.proxy.auth.ClientAuth;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.events.Notifier;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.Repositories;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The proxy's current state: the config generation in force and its routing table. A reload swaps both in one
 * step; requests already running finish on the repositories they started with.
 */
public final class ProxyRuntime {
    private static final Logger LOG = Logger.getLogger(ProxyRuntime.class);

    /**
     * What readiness reports about configuration; {@code sha256} is the hash of the file's bytes in force ("embedded"
     * for the built-in default), so whoever rendered the file (the operator) can tell it is applied.
     */
    public record ConfigState(String source, Instant appliedAt, String sha256, String lastError) {
    }

    private record Generation(EntrepotConfig config, Repositories repositories, ClientAuth clientAuth) {
    }

    private final RepositoryFactory factory;
    private final UpstreamStatuses upstreams;
    private final ManifestCache manifests;
    private final FsBlobStore blobs;
    private final Path storage;
    private final AuthEnvironment authEnvironment;
    private final Notifier notifier;
    private volatile Generation current;
    private volatile ConfigState state;

    ProxyRuntime(RepositoryFactory factory, UpstreamStatuses upstreams, ManifestCache manifests, FsBlobStore blobs, Path storage,
                 AuthEnvironment authEnvironment, Notifier notifier, EntrepotConfig initial, String source,
                 byte[] initialBytes) {
        this.factory = factory;
        this.upstreams = upstreams;
        this.manifests = manifests;
        this.blobs = blobs;
        this.storage = storage;
        this.authEnvironment = authEnvironment;
        this.notifier = notifier;
        this.current = new Generation(initial, factory.build(initial), ClientAuth.of(initial, authEnvironment));
        notifier.configure(initial.notifications());
        this.state = new ConfigState(source, Instant.now(), sha256(initialBytes), null);
        // the store's size: logged by each blob store once its index is built (off the start path)
        LOG.infof("serving %s from %s; store %s", describe(initial), source, storage);
        warnIfOpen(current);
    }

    public Repositories repositories() {
        return current.repositories();
    }

    public ClientAuth clientAuth() {
        return current.clientAuth();
    }

    public EntrepotConfig config() {
        return current.config();
    }

    public ConfigState configState() {
        return state;
    }

    /** The upstream status of each remote repository in force, in config order. */
    public List<UpstreamStatuses.Entry> upstreams() {
        return upstreams.of(current.config());
    }

    public FsBlobStore blobs() {
        return blobs;
    }

    public Path storage() {
        return storage;
    }

    /** Applies a new valid config (blocking: reads credential files). */
    void apply(EntrepotConfig next, String source, byte[] bytes) {
        if (!next.storage().path().toAbsolutePath().normalize().equals(storage.toAbsolutePath().normalize())) {
            LOG.warnf("%s moves storage.path to %s: that takes a restart; the store stays at %s until then",
                    source, next.storage().path(), storage);
        }
        EntrepotConfig.Storage was = current.config().storage();
        if (next.storage().type() != was.type() || !Objects.equals(next.storage().s3(), was.s3())) {
            LOG.warnf("%s changes storage.type or storage.s3: that takes a restart; hosted content stays where it is "
                    + "until then", source);
        }
        if (!Objects.equals(next.tls(), current.config().tls())) {
            LOG.warnf("%s changes the tls block: that takes a restart (the certificate files themselves are re-read "
                    + "as they change)", source);
        }
        ClientAuth clientAuth = ClientAuth.of(next, authEnvironment); // new users, passwords and bindings apply now
        Repositories repositories = factory.build(next);
        notifier.configure(next.notifications()); // may refuse (an unreadable headers file): the old config stays
        current = new Generation(next, repositories, clientAuth);
        // A repository name may now point elsewhere: drop what memory holds, the disk copies stay valid by digest.
        manifests.clear();
        state = new ConfigState(source, Instant.now(), sha256(bytes), null);
        LOG.infof("reloaded %s: serving %s", source, describe(next));
        warnIfOpen(current);
    }

    void rejected(String source, String error) {
        state = new ConfigState(state.source(), state.appliedAt(), state.sha256(), error);
        LOG.errorf("ignoring %s, keeping the configuration applied at %s: %s", source, state.appliedAt(), error);
    }

    private static String sha256(byte[] bytes) {
        return bytes == null ? "embedded" : Digest.sha256(bytes).hex();
    }

    private static void warnIfOpen(Generation generation) {
        boolean hosted = generation.config().repositories().stream()
                .anyMatch(r -> r.mode() == EntrepotConfig.Mode.STANDARD);
        if (hosted && generation.clientAuth().openForPushes()) {
            LOG.warn("standard repositories accept pushes and deletes from anyone who reaches this proxy: "
                    + "no auth.users are configured and ServiceAccount auth is off");
        }
    }

    private static String describe(EntrepotConfig config) {
        return config.repositories().stream()
                .map(r -> r.name() + " (" + r.mode().name().toLowerCase()
                        + (r.remote() != null ? " → " + r.remote().url() : "")
                        + (r.mirrorOf().isEmpty() ? "" : ", mirror of " + String.join(", ", r.mirrorOf())) + ")")
                .collect(Collectors.joining(", "));
    }
}
