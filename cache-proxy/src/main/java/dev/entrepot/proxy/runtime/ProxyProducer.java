package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.cache.CacheStores;
import dev.entrepot.proxy.cache.InflightFetches;
import dev.entrepot.proxy.cache.ManifestCache;
import dev.entrepot.proxy.config.ByteSize;
import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.store.fs.FsMetadataStore;
import dev.entrepot.proxy.upstream.HttpUpstreamClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * All the wiring, top to bottom: config → store → shared download table and manifest cache → repositories
 * (each a pull-through decorator over the store with its own upstream client) → the routing table the API uses.
 */
@ApplicationScoped
public class ProxyProducer {
    private static final Logger LOG = Logger.getLogger(ProxyProducer.class);
    private ExecutorService disk;
    private HttpClient http;
    private ConfigWatcher watcher;
    private long maintenanceTimer = -1;

    @Produces
    @Singleton
    ProxyMetrics metrics(MeterRegistry registry) {
        return new ProxyMetrics(registry);
    }

    @Produces
    @Singleton
    ProxyRuntime runtime(ProxySettings settings, Vertx vertx, ProxyMetrics metrics) throws IOException {
        Path file = settings.config().orElse(null);
        byte[] loaded = file == null ? null : Files.readAllBytes(file);
        EntrepotConfig config;
        try {
            config = file == null ? ConfigLoader.embeddedDefault() : ConfigLoader.load(file);
        } catch (ConfigException e) {
            LOG.error("cannot start: " + e.getMessage());
            throw e;
        }
        String source = file == null ? "the embedded default (Docker Hub mirror)" : file.toString();
        Clock clock = Clock.systemUTC();

        disk = Executors.newFixedThreadPool(settings.diskThreads(), daemonThreads("entrepot-disk-"));
        Path storage = config.storage().path();
        FsBlobStore blobs = new FsBlobStore(storage, clock, (digest, size) -> metrics.evicted());
        FsMetadataStore metadata = new FsMetadataStore(storage, blobs, clock);
        metrics.storeBytes(blobs::totalBytes);

        StoreMaintenance[] maintenance = new StoreMaintenance[1];
        InflightFetches fetches = new InflightFetches(vertx, blobs, disk, metrics, digest -> maintenance[0].afterStore());
        ManifestCache manifests = new ManifestCache(ByteSize.parse(settings.manifestCacheSize()).bytes(), metrics);

        ProxySettings.Upstream up = settings.upstream();
        http = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout((int) up.connectTimeout().toMillis())
                        .setKeepAlive(true)
                        .setTryUseCompression(false),
                new PoolOptions().setHttp1MaxSize(up.maxConnections()));
        HttpUpstreamClient.Settings upstreamSettings = new HttpUpstreamClient.Settings(up.connectTimeout(),
                up.idleTimeout(), up.connectRetries(), up.retryBackoff());

        CacheStores cache = new CacheStores(blobs, metadata, fetches, manifests, vertx, clock);
        RepositoryFactory factory = new RepositoryFactory(vertx, http, upstreamSettings, cache, metrics);
        ProxyRuntime runtime = new ProxyRuntime(factory, manifests, blobs, storage, config, source);

        maintenance[0] = new StoreMaintenance(blobs, runtime::config, disk, clock);
        maintenance[0].schedule();
        maintenanceTimer = vertx.setPeriodic(settings.maintenanceInterval().toMillis(), id -> maintenance[0].schedule());
        if (file != null) {
            watcher = new ConfigWatcher(vertx, file, runtime, loaded);
            watcher.start(settings.configPollInterval().toMillis());
        }
        return runtime;
    }

    /** Build the runtime at start, so a bad config or an unusable store fails the process right away. */
    void onStart(@Observes StartupEvent event, ProxyRuntime runtime) {
        runtime.repositories();
    }

    void onStop(@Observes ShutdownEvent event, Vertx vertx) {
        if (watcher != null) {
            watcher.stop();
        }
        if (maintenanceTimer >= 0) {
            vertx.cancelTimer(maintenanceTimer);
        }
        if (http != null) {
            http.close();
        }
        if (disk != null) {
            disk.shutdown();
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

}
