package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.hosted.GarbageCollector;
import dev.entrepot.proxy.hosted.HostedRepository;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.UploadStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Housekeeping of hosted content: idle upload sessions expire; every {@code storage.gc.interval} the cleanup
 * policies run, then a garbage collection. One run at a time, on a pool thread; also on demand (admin API).
 */
public final class HostedMaintenance {
    private static final Logger LOG = Logger.getLogger(HostedMaintenance.class);

    /** What one cleanup policy did. */
    public record Cleanup(String repository, boolean dryRun, List<String> deleted) {
    }

    /**
     * What one maintenance run did; {@code gc} is null when another collection was running (in this process, or in
     * another sharing the hosted store).
     */
    public record Report(List<Cleanup> cleanup, GarbageCollector.Report gc) {
    }

    private final GarbageCollector collector;
    private final UploadStore uploads;
    private final Supplier<ProxyRuntime> runtime;
    private final ProxyMetrics metrics;
    private final Executor pool;
    private final Clock clock;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile long lastRunMillis;

    HostedMaintenance(GarbageCollector collector, UploadStore uploads, Supplier<ProxyRuntime> runtime,
                      ProxyMetrics metrics, Executor pool, Clock clock) {
        this.collector = collector;
        this.uploads = uploads;
        this.runtime = runtime;
        this.metrics = metrics;
        this.pool = pool;
        this.clock = clock;
        this.lastRunMillis = clock.millis();
    }

    /** Called on the maintenance tick: expires uploads; starts cleanup and collection when they are due. */
    void tick() {
        if (!scheduled.compareAndSet(false, true)) {
            return;
        }
        pool.execute(() -> {
            try {
                EntrepotConfig config = runtime.get().config();
                int expired = uploads.expire(config.storage().uploadExpiry());
                if (expired > 0) {
                    LOG.infof("expired %d upload session(s) idle for more than %s", expired,
                            config.storage().uploadExpiry());
                    metrics.uploadsExpired(expired);
                }
                long interval = config.storage().gc().interval().toMillis();
                if (interval > 0 && clock.millis() - lastRunMillis >= interval) {
                    run(false);
                }
            } catch (Exception e) {
                LOG.error("hosted maintenance failed", e);
            } finally {
                scheduled.set(false);
            }
        });
    }

    /** Blocking: the cleanup policies (each as configured, dry run or not), then a collection. */
    public Report run(boolean dryRun) throws Exception {
        ProxyRuntime current = runtime.get();
        EntrepotConfig config = current.config();
        List<Cleanup> cleanups = new ArrayList<>();
        for (EntrepotConfig.Repository spec : config.repositories()) {
            EntrepotConfig.Cleanup policy = spec.standard() == null ? null : spec.standard().cleanup();
            Repository repository = current.repositories().named(spec.name());
            if (policy == null || !(repository instanceof HostedRepository hosted)) {
                continue;
            }
            boolean onlyReport = dryRun || policy.dryRun();
            List<String> deleted = hosted.cleanup(onlyReport, policy.keepRecent() == null ? 0 : policy.keepRecent(),
                    policy.deleteUntaggedOlderThan());
            metrics.cleanupDeleted(spec.name(), onlyReport, deleted.size());
            cleanups.add(new Cleanup(spec.name(), onlyReport, deleted));
        }
        long started = System.nanoTime();
        GarbageCollector.Report gc;
        try {
            gc = collector.collect(config.storage().gc().gracePeriod(), dryRun);
        } catch (Exception e) {
            metrics.gc("failed", 0, 0, System.nanoTime() - started);
            throw e;
        }
        if (gc == null) {
            metrics.gcSkipped();
        } else {
            metrics.gc(dryRun ? "dry_run" : "ok", gc.blobsRemoved(), gc.bytesRemoved(), gc.took().toNanos());
        }
        if (!dryRun) {
            lastRunMillis = clock.millis(); // skipped too: the collection that was running does this one's work
        }
        return new Report(List.copyOf(cleanups), gc);
    }
}
