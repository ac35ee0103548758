package dev.entrepot.proxy.runtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Process settings (application.properties, {@code -D} or env, e.g. {@code ENTREPOT_CONFIG}). What is cached
 * from where lives in {@code entrepot.yaml}; these are the knobs of the process itself.
 */
@ConfigMapping(prefix = "entrepot")
public interface ProxySettings {

    /** The {@code entrepot.yaml} to load and watch; absent → the embedded Docker Hub mirror default. */
    Optional<Path> config();

    /** How often the config file is checked for changes. */
    @WithDefault("2s")
    Duration configPollInterval();

    /** Memory for the warm manifest cache, e.g. {@code 64Mi}. */
    @WithDefault("64Mi")
    String manifestCacheSize();

    /** How often size and retention limits are enforced (also right after each stored blob). */
    @WithDefault("30s")
    Duration maintenanceInterval();

    /** Threads that write downloads to disk (each download stays on one at a time). */
    @WithDefault("4")
    int diskThreads();

    Upstream upstream();

    interface Upstream {
        /** TCP connect timeout per attempt. */
        @WithDefault("2s")
        Duration connectTimeout();

        /** No bytes from the upstream for this long fails a blob transfer. */
        @WithDefault("30s")
        Duration idleTimeout();

        /** No answer for this long fails a manifest, tag list or HEAD request (they are small: seconds are plenty). */
        @WithDefault("5s")
        Duration metadataTimeout();

        /** Extra attempts after a refused or dropped connection. */
        @WithDefault("2")
        int connectRetries();

        /** Backoff before the first retry; doubles each time. */
        @WithDefault("200ms")
        Duration retryBackoff();

        /** Connections per upstream host. */
        @WithDefault("64")
        int maxConnections();
    }
}
