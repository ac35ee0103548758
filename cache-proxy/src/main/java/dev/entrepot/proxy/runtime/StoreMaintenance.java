package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Enforces {@code storage.maxSize} (least recently used first) and {@code remote.retention}. Runs on a pool
 * thread, one pass at a time; pinned blobs (being read or written) are never removed.
 */
final class StoreMaintenance {
    private static final Logger LOG = Logger.getLogger(StoreMaintenance.class);

    private final FsBlobStore blobs;
    private final Supplier<EntrepotConfig> config;
    private final Executor pool;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();

    StoreMaintenance(FsBlobStore blobs, Supplier<EntrepotConfig> config, Executor pool, Clock clock) {
        this.blobs = blobs;
        this.config = config;
        this.pool = pool;
        this.clock = clock;
    }

    /** Cheap: called after every stored blob; only schedules work when over the limit. */
    void afterStore() {
        EntrepotConfig current = config.get();
        if (current.storage().maxSize() != null && blobs.totalBytes() > current.storage().maxSize().bytes()) {
            schedule();
        }
    }

    void schedule() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        pool.execute(() -> {
            try {
                run();
            } catch (RuntimeException e) {
                LOG.error("store maintenance failed", e);
            } finally {
                running.set(false);
            }
        });
    }

    private void run() {
        EntrepotConfig current = config.get();
        retention(current).ifPresent(keep -> blobs.evictUnusedSince(clock.millis() - keep.toMillis()));
        if (current.storage().maxSize() != null) {
            blobs.evictToSize(current.storage().maxSize().bytes());
        }
        blobs.persistAccessTimes(Duration.ofMinutes(1)); // a kill -9 loses at most a minute of them
    }

    /**
     * The store is shared, so a blob may only go when no repository wants it any more: the longest retention of
     * the remote repositories, and none at all if one of them keeps content forever.
     */
    static Optional<Duration> retention(EntrepotConfig config) {
        Duration longest = null;
        for (EntrepotConfig.Repository r : config.repositories()) {
            if (r.mode() != EntrepotConfig.Mode.REMOTE) {
                continue;
            }
            if (r.remote().retention() == null) {
                return Optional.empty();
            }
            if (longest == null || r.remote().retention().compareTo(longest) > 0) {
                longest = r.remote().retention();
            }
        }
        return Optional.ofNullable(longest);
    }
}
