package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.auth.AuthEnvironment;
import dev.entrepot.proxy.auth.SigningKey;
import dev.entrepot.proxy.cache.CacheStores;
import dev.entrepot.proxy.cache.InflightFetches;
import dev.entrepot.proxy.cache.TierFills;
import dev.entrepot.proxy.config.ByteSize;
import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.events.Notifier;
import dev.entrepot.proxy.hosted.GarbageCollector;
import dev.entrepot.proxy.hosted.HostedStores;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.TagChanges;
import dev.entrepot.proxy.store.AdoptingBlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.store.fs.FsMetadataStore;
import dev.entrepot.proxy.store.fs.FsUploadStore;
import dev.entrepot.proxy.store.fs.StoreLock;
import dev.entrepot.proxy.upstream.HttpUpstreamClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
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
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
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
    private ExecutorService housekeeping;
    private ExecutorService authChecks;
    private KubernetesClient kubernetes;
    private SigningKey generatedKey;
    private Vertx vertx;
    private StoreLock storeLock;
    private FsBlobStore cacheBlobs;
    private HostedMaintenance hostedMaintenance;
    private HttpClient http;
    private HttpClient events;
    private ConfigWatcher watcher;
    private long maintenanceTimer = -1;
    private long bucketTimer = -1;
    private HostedStorage hostedStorage;

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

        Path storage = config.storage().path();
        try {
            storeLock = StoreLock.acquire(storage); // before anything cleans temp files another process may own
        } catch (IllegalStateException e) {
            LOG.error("cannot start: " + e.getMessage());
            throw e;
        }
        this.vertx = vertx;
        disk = Executors.newFixedThreadPool(settings.diskThreads(), daemonThreads("entrepot-disk-"));
        // bcrypt checks and TokenReviews: a few threads of their own, so a flood of wrong passwords stays here
        authChecks = Executors.newFixedThreadPool(2, daemonThreads("entrepot-auth-"));
        AuthEnvironment authEnvironment = new AuthEnvironment(clock, authChecks, this::kubernetes, this::generatedKey);
        housekeeping = Executors.newSingleThreadExecutor(daemonThreads("entrepot-housekeeping-"));
        // Cached content (evictable) and hosted content (the user's only copy, never evicted) live apart. Each store's
        // index is built on a thread of its own, off the start path; until it is done, lookups look at the disk.
        ThreadFactory indexThreads = daemonThreads("entrepot-index-");
        Executor indexer = task -> indexThreads.newThread(task).start();
        FsBlobStore blobs = new FsBlobStore(storage, clock, (digest, size) -> metrics.evicted(), indexer);
        cacheBlobs = blobs;
        FsMetadataStore metadata = new FsMetadataStore(storage, blobs, clock);
        metrics.storeBytes(blobs::totalBytes);
        try {
            hostedStorage = HostedStorage.open(config.storage(), clock, indexer); // storage.type: disk or a bucket
        } catch (IOException e) {
            LOG.error("cannot start: " + e.getMessage());
            throw e;
        }
        AdoptingBlobStore hostedBlobs = hostedStorage.blobs();
        HostedMetadataStore hostedMetadata = hostedStorage.metadata();
        FsUploadStore uploads = hostedStorage.uploads();
        metrics.hostedBytes(hostedBlobs::totalBytes);
        metrics.activeUploads(() -> {
            try {
                return uploads.count();
            } catch (IOException e) {
                return Double.NaN;
            }
        });

        StoreMaintenance[] maintenance = new StoreMaintenance[1];
        InflightFetches fetches = new InflightFetches(vertx, blobs, disk, metrics, digest -> maintenance[0].afterStore(),
                hostedStorage.sharedCache(), HostedStorage.FETCH_WAIT);
        ManifestCache manifests = new ManifestCache(ByteSize.parse(settings.manifestCacheSize()).bytes(), metrics);

        ProxySettings.Upstream up = settings.upstream();
        http = vertx.createHttpClient(HttpUpstreamClient.options(up.connectTimeout()),
                new PoolOptions().setHttp1MaxSize(up.maxConnections()));
        HttpUpstreamClient.Settings upstreamSettings = new HttpUpstreamClient.Settings(up.connectTimeout(),
                up.idleTimeout(), up.metadataTimeout(), up.connectRetries(), up.retryBackoff());

        events = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(4));
        Notifier notifier = new Notifier(storage, vertx, events, metrics, clock);
        CacheStores cache = new CacheStores(blobs, metadata, fetches, manifests, vertx, clock, notifier);
        TagChanges tagChanges = new TagChanges();
        // With a bucket, a GET of a hosted blob not on this disk streams it from the bucket as its local copy is made.
        TierFills tierFills = hostedStorage.tiered().map(tiered -> new TierFills(vertx, tiered, disk)).orElse(null);
        HostedStores hosted = new HostedStores(hostedBlobs, hostedMetadata, uploads, manifests, disk, vertx, clock,
                tagChanges, notifier, tierFills);
        UpstreamStatuses upstreams = new UpstreamStatuses(clock);
        RepositoryFactory factory = new RepositoryFactory(vertx, http, upstreamSettings, cache, hosted, tagChanges, metrics,
                upstreams);
        ProxyRuntime runtime = new ProxyRuntime(factory, upstreams, manifests, blobs, storage, authEnvironment, notifier,
                config, source, loaded);
        hostedMaintenance = new HostedMaintenance(new GarbageCollector(hosted), uploads, () -> runtime, metrics,
                housekeeping, clock);

        maintenance[0] = new StoreMaintenance(blobs, runtime::config, disk, clock);
        blobs.whenIndexed().thenRun(maintenance[0]::schedule); // eviction needs the whole index
        if (hostedStorage.inBucket()) {
            housekeeping.execute(hostedStorage::abortAbandonedUploads);
            bucketTimer = vertx.setPeriodic(Duration.ofHours(1).toMillis(),
                    id -> housekeeping.execute(hostedStorage::abortAbandonedUploads));
        }
        maintenanceTimer = vertx.setPeriodic(settings.maintenanceInterval().toMillis(), id -> {
            maintenance[0].schedule();
            hostedMaintenance.tick();
            notifier.kick();
        });
        if (file != null) {
            watcher = new ConfigWatcher(vertx, file, runtime, loaded);
            watcher.start(settings.configPollInterval().toMillis());
        }
        return runtime;
    }

    @Produces
    @Singleton
    HostedMaintenance hostedMaintenance(ProxyRuntime runtime) {
        return hostedMaintenance;
    }

    /** In-cluster config (or kubeconfig) on first use: only ServiceAccount auth talks to Kubernetes. */
    private synchronized KubernetesClient kubernetes() {
        if (kubernetes == null) {
            kubernetes = new KubernetesClientBuilder().withHttpClientFactory(new VertxHttpClientFactory(vertx)).build();
        }
        return kubernetes;
    }

    /** One per process, kept across reloads (a reload must not end every token). */
    private synchronized SigningKey generatedKey() {
        if (generatedKey == null) {
            generatedKey = SigningKey.generate();
            LOG.info("signing tokens with a key generated for this process (auth.token.signingKeyFile is not set): "
                    + "tokens end with it and are not valid on other replicas");
        }
        return generatedKey;
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
        if (bucketTimer >= 0) {
            vertx.cancelTimer(bucketTimer);
        }
        if (http != null) {
            http.close();
        }
        if (events != null) {
            events.close();
        }
        if (disk != null) {
            disk.shutdown();
        }
        if (housekeeping != null) {
            housekeeping.shutdown();
        }
        if (authChecks != null) {
            authChecks.shutdown();
        }
        synchronized (this) {
            if (kubernetes != null) {
                kubernetes.close();
            }
        }
        if (cacheBlobs != null) {
            cacheBlobs.persistAccessTimes(Duration.ZERO); // last-pulled times and eviction order for the next start
        }
        if (hostedStorage != null) {
            hostedStorage.close();
        }
        if (storeLock != null) {
            try {
                storeLock.close();
            } catch (IOException e) {
                LOG.debugf("releasing the store lock: %s", e.getMessage());
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

}
