package dev.entrepot.proxy.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every metric the proxy exports, named in one place. Micrometer's Prometheus naming adds {@code _total} to
 * counters and {@code _seconds} to timers, so {@code entrepot.requests} is scraped as {@code entrepot_requests_total}.
 * Counters are resolved once per repository so the hot path does no registry lookups.
 */
public final class ProxyMetrics {
    public static final String REQUESTS = "entrepot.requests";
    public static final String SERVED_BYTES = "entrepot.served.bytes";
    public static final String BLOB_REDIRECTS = "entrepot.blob.redirects";
    public static final String UPSTREAM_REQUESTS = "entrepot.upstream.requests";
    public static final String UPSTREAM_DURATION = "entrepot.upstream.duration";
    public static final String UPSTREAM_FETCHED_BYTES = "entrepot.upstream.fetched.bytes";
    public static final String COALESCED_REQUESTS = "entrepot.coalesced.requests";
    public static final String STORE_BYTES = "entrepot.store.bytes";
    public static final String STORE_EVICTIONS = "entrepot.store.evictions";
    public static final String MANIFEST_CACHE = "entrepot.manifest.cache";
    public static final String PUSHES = "entrepot.pushes";
    public static final String PUSHED_BYTES = "entrepot.pushed.bytes";
    public static final String HOSTED_BYTES = "entrepot.hosted.bytes";
    public static final String UPLOADS_ACTIVE = "entrepot.uploads.active";
    public static final String UPLOADS_EXPIRED = "entrepot.uploads.expired";
    public static final String GC_RUNS = "entrepot.gc.runs";
    public static final String GC_REMOVED_BLOBS = "entrepot.gc.removed.blobs";
    public static final String GC_REMOVED_BYTES = "entrepot.gc.removed.bytes";
    public static final String GC_DURATION = "entrepot.gc.duration";
    public static final String CLEANUP_DELETED = "entrepot.cleanup.deleted.manifests";
    public static final String NOTIFICATIONS = "entrepot.notifications";
    public static final String NOTIFICATIONS_PENDING = "entrepot.notifications.pending";
    public static final String VIRTUAL_REQUESTS = "entrepot.virtual.requests";
    public static final String VIRTUAL_FAILOVERS = "entrepot.virtual.failovers";
    public static final String VIRTUAL_RESOLUTION = "entrepot.virtual.resolution";

    public enum Kind { MANIFEST, BLOB, TAGS }

    public enum Result { HIT, MISS, STALE, ERROR }

    /** What a push stored: a blob (upload or mount) or a manifest. */
    public enum PushKind { BLOB, MANIFEST }

    private final MeterRegistry registry;
    private final Counter coalesced;
    private final Counter evictions;
    private final Map<String, RepositoryMetrics> repositories = new ConcurrentHashMap<>();
    private final Map<String, VirtualMetrics> virtuals = new ConcurrentHashMap<>();
    private final Map<String, EndpointMetrics> endpoints = new ConcurrentHashMap<>();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.coalesced = Counter.builder(COALESCED_REQUESTS)
                .description("Requests that joined a download already in flight instead of fetching upstream")
                .register(registry);
        this.evictions = Counter.builder(STORE_EVICTIONS)
                .description("Blobs removed from the store by size or retention limits")
                .register(registry);
    }

    public void storeBytes(Supplier<Number> bytes) {
        Gauge.builder(STORE_BYTES, bytes).description("Bytes held in the content-addressed store")
                .baseUnit("bytes").register(registry);
    }

    public void monitor(Cache<?, ?> cache, String name) {
        CaffeineCacheMetrics.monitor(registry, cache, MANIFEST_CACHE + "." + name);
    }

    public void hostedBytes(Supplier<Number> bytes) {
        Gauge.builder(HOSTED_BYTES, bytes).description("Bytes of hosted (pushed) content, never evicted")
                .baseUnit("bytes").register(registry);
    }

    public void activeUploads(Supplier<Number> count) {
        Gauge.builder(UPLOADS_ACTIVE, count).description("Blob upload sessions open").register(registry);
    }

    public void uploadsExpired(int count) {
        Counter.builder(UPLOADS_EXPIRED).description("Upload sessions ended because they were idle too long")
                .register(registry).increment(count);
    }

    /** A garbage collection that did not run: another was running, here or in a replica sharing the store. */
    public void gcSkipped() {
        Counter.builder(GC_RUNS).description("Garbage collections of hosted content by outcome")
                .tag("result", "skipped").register(registry).increment();
    }

    /** One garbage collection: {@code result} ok, failed or dry_run. */
    public void gc(String result, int blobs, long bytes, long nanos) {
        Counter.builder(GC_RUNS).description("Garbage collections of hosted content by outcome")
                .tag("result", result).register(registry).increment();
        if (!"dry_run".equals(result)) {
            Counter.builder(GC_REMOVED_BLOBS).description("Hosted blobs removed by garbage collection")
                    .register(registry).increment(blobs);
            Counter.builder(GC_REMOVED_BYTES).description("Bytes of hosted blobs removed by garbage collection")
                    .baseUnit("bytes").register(registry).increment(bytes);
        }
        Timer.builder(GC_DURATION).description("Time a garbage collection took").register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void cleanupDeleted(String repository, boolean dryRun, int manifests) {
        Counter.builder(CLEANUP_DELETED).description("Manifests a cleanup policy deleted (or would delete, dry run)")
                .tag("repository", repository).tag("dry_run", Boolean.toString(dryRun))
                .register(registry).increment(manifests);
    }

    public void coalesced() {
        coalesced.increment();
    }

    public void evicted() {
        evictions.increment();
    }

    /** The meters of one notification endpoint; {@code pending} is read at scrape time. */
    public EndpointMetrics endpoint(String name, Supplier<Number> pending) {
        return endpoints.computeIfAbsent(name, n -> {
            Gauge.builder(NOTIFICATIONS_PENDING, pending).description("Events waiting for delivery to an endpoint")
                    .tag("endpoint", n).register(registry);
            return new EndpointMetrics(n);
        });
    }

    /** Deliveries to one endpoint by outcome. */
    public final class EndpointMetrics {
        private final Counter delivered;
        private final Counter failed;
        private final Counter dropped;

        private EndpointMetrics(String endpoint) {
            this.delivered = outcome(endpoint, "delivered");
            this.failed = outcome(endpoint, "failed");
            this.dropped = outcome(endpoint, "dropped");
        }

        private Counter outcome(String endpoint, String result) {
            return Counter.builder(NOTIFICATIONS).description("Event deliveries by outcome (failed: a try that will "
                    + "be retried; dropped: given up after notifications.maxAge)")
                    .tag("endpoint", endpoint).tag("result", result).register(registry);
        }

        public void delivered() {
            delivered.increment();
        }

        public void failed() {
            failed.increment();
        }

        public void dropped() {
            dropped.increment();
        }
    }

    public VirtualMetrics virtual(String name) {
        return virtuals.computeIfAbsent(name, VirtualMetrics::new);
    }

    /** The meters of one virtual repository: which member served, which were skipped, how long resolving took. */
    public final class VirtualMetrics {
        private final String repository;
        private final Map<String, Counter> served = new ConcurrentHashMap<>();
        private final Map<String, Counter> failovers = new ConcurrentHashMap<>();
        private final Timer resolution;

        private VirtualMetrics(String repository) {
            this.repository = repository;
            this.resolution = Timer.builder(VIRTUAL_RESOLUTION)
                    .description("Time to find which member of a virtual repository has a tag (cache misses only)")
                    .tag("repository", repository).register(registry);
        }

        /** A request answered by {@code member}; {@code kind} manifest, blob or tags. */
        public void served(String member, Kind kind) {
            served.computeIfAbsent(member + "/" + kind, k -> Counter.builder(VIRTUAL_REQUESTS)
                    .description("Requests to a virtual repository by the member that answered")
                    .tag("repository", repository).tag("member", member).tag("kind", kind.name().toLowerCase())
                    .register(registry)).increment();
        }

        /** {@code member} could not answer (unreachable, 5xx, 429) and was skipped. */
        public void failover(String member) {
            failovers.computeIfAbsent(member, m -> Counter.builder(VIRTUAL_FAILOVERS)
                    .description("Members of a virtual repository skipped because they could not answer")
                    .tag("repository", repository).tag("member", m).register(registry)).increment();
        }

        public void resolved(long nanos) {
            resolution.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public RepositoryMetrics repository(String name) {
        return repositories.computeIfAbsent(name, RepositoryMetrics::new);
    }

    /** The meters of one repository. */
    public final class RepositoryMetrics {
        private final String repository;
        private final Map<Kind, Map<Result, Counter>> requests = new EnumMap<>(Kind.class);
        private final Map<Integer, Counter> upstreamByStatus = new ConcurrentHashMap<>();
        private final Counter served;
        private final Counter redirected;
        private final Counter fetched;
        private final Map<PushKind, Map<Boolean, Counter>> pushes = new EnumMap<>(PushKind.class);
        private final Counter pushedBytes;
        private final Timer upstreamDuration;

        private RepositoryMetrics(String repository) {
            this.repository = repository;
            for (Kind kind : Kind.values()) {
                Map<Result, Counter> byResult = new EnumMap<>(Result.class);
                for (Result result : Result.values()) {
                    byResult.put(result, Counter.builder(REQUESTS)
                            .description("Client requests by kind and cache result")
                            .tag("repository", repository)
                            .tag("kind", kind.name().toLowerCase())
                            .tag("result", result.name().toLowerCase())
                            .register(registry));
                }
                requests.put(kind, byResult);
            }
            this.served = Counter.builder(SERVED_BYTES).description("Body bytes sent to clients")
                    .tag("repository", repository).register(registry);
            this.redirected = Counter.builder(BLOB_REDIRECTS)
                    .description("Blob GETs answered with a redirect to the object store")
                    .tag("repository", repository).register(registry);
            this.fetched = Counter.builder(UPSTREAM_FETCHED_BYTES).description("Body bytes received from upstream")
                    .tag("repository", repository).register(registry);
            for (PushKind kind : PushKind.values()) {
                Map<Boolean, Counter> byOutcome = new HashMap<>();
                for (boolean ok : new boolean[] {true, false}) {
                    byOutcome.put(ok, Counter.builder(PUSHES).description("Blobs and manifests pushed, by outcome")
                            .tag("repository", repository).tag("kind", kind.name().toLowerCase())
                            .tag("result", ok ? "stored" : "error").register(registry));
                }
                pushes.put(kind, byOutcome);
            }
            this.pushedBytes = Counter.builder(PUSHED_BYTES).description("Body bytes received by blob uploads")
                    .tag("repository", repository).register(registry);
            this.upstreamDuration = Timer.builder(UPSTREAM_DURATION)
                    .description("Time to the upstream's response headers")
                    .tag("repository", repository).register(registry);
        }

        public void request(Kind kind, Result result) {
            requests.get(kind).get(result).increment();
        }

        public void served(long bytes) {
            served.increment(bytes);
        }

        public void redirected() {
            redirected.increment();
        }

        public void pushed(PushKind kind, boolean stored) {
            pushes.get(kind).get(stored).increment();
        }

        public void pushedBytes(long bytes) {
            pushedBytes.increment(bytes);
        }

        public void fetched(long bytes) {
            fetched.increment(bytes);
        }

        /** One upstream exchange; {@code status} 0 means no HTTP answer (connect error, timeout). */
        public void upstream(int status, long nanos) {
            upstreamByStatus.computeIfAbsent(status, s -> Counter.builder(UPSTREAM_REQUESTS)
                    .description("Requests sent upstream by HTTP status (0: no answer)")
                    .tag("repository", repository).tag("status", Integer.toString(s)).register(registry))
                    .increment();
            upstreamDuration.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
