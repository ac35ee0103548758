package dev.entrepot.proxy.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.entrepot.proxy.metrics.ProxyMetrics.Kind;
import dev.entrepot.proxy.metrics.ProxyMetrics.Result;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.ImageEvent;
import dev.entrepot.proxy.repository.ImageVersions;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.RequestHost;
import dev.entrepot.proxy.store.TagRecord;
import dev.entrepot.proxy.upstream.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Manifests of one remote repository: memory → disk → upstream, with tag freshness decided by
 * {@link FreshnessPolicy}. Concurrent resolutions of one manifest share one upstream exchange. Names given here are
 * already as the upstream knows them.
 */
final class PullThroughManifests {
    private static final Logger LOG = Logger.getLogger(PullThroughManifests.class);

    private record Resolved(ManifestContent content, Result result) {
    }

    private final Upstream upstream;
    private final CacheStores stores;
    private final String name;
    private final Map<ManifestCache.Key, Future<Resolved>> resolving = new ConcurrentHashMap<>();
    private final FailureLog failures;
    /** What the upstream said it does not have, for notFoundTtl: a hot 404 costs one upstream request per TTL. */
    private final Cache<ManifestCache.Key, Throwable> absent;

    PullThroughManifests(Upstream upstream, CacheStores stores) {
        this.upstream = upstream;
        this.stores = stores;
        this.name = upstream.repository();
        this.failures = new FailureLog(name);
        Duration ttl = upstream.freshness().notFoundTtl();
        this.absent = Caffeine.newBuilder().maximumSize(10_000).ticker(() -> stores.clock().millis() * 1_000_000L)
                .expireAfterWrite(ttl.isZero() ? Duration.ofNanos(1) : ttl).build();
    }

    Future<ManifestContent> manifest(ImageName image, Reference reference) {
        ManifestCache.Key key = new ManifestCache.Key(name, image, reference.toString());
        ManifestCache.Entry warm = stores.manifests().get(key);
        if (warm != null && (reference instanceof Reference.ByDigest || isFresh(warm.checkedAtMillis()))) {
            upstream.metrics().request(Kind.MANIFEST, Result.HIT);
            stores.blobs().touch(warm.content().digest());
            return Future.succeededFuture(warm.content());
        }
        Throwable knownAbsent = warm == null ? absent.getIfPresent(key) : null;
        if (knownAbsent != null) {
            upstream.metrics().request(Kind.MANIFEST, Result.ERROR);
            return Future.failedFuture(UpstreamErrors.toOci(knownAbsent, OciErrorCode.MANIFEST_UNKNOWN,
                    "manifest " + image + ":" + reference));
        }
        Promise<Resolved> mine = Promise.promise();
        Future<Resolved> running = resolving.putIfAbsent(key, mine.future());
        if (running == null) {
            running = mine.future();
            resolve(key, image, reference, warm).onComplete(ar -> {
                if (ar.failed() && upstream.freshness().isAbsence(ar.cause())
                        && !upstream.freshness().notFoundTtl().isZero()) {
                    absent.put(key, ar.cause());
                }
                resolving.remove(key, mine.future());
                mine.handle(ar);
            });
        }
        return running.transform(ar -> {
            if (ar.succeeded()) {
                upstream.metrics().request(Kind.MANIFEST, ar.result().result());
                return Future.succeededFuture(ar.result().content());
            }
            upstream.metrics().request(Kind.MANIFEST, Result.ERROR);
            failures.upstreamFailed(image, reference.toString(), ar.cause(), false);
            return Future.failedFuture(UpstreamErrors.toOci(ar.cause(), OciErrorCode.MANIFEST_UNKNOWN,
                    "manifest " + image + ":" + reference));
        });
    }

    private Future<Resolved> resolve(ManifestCache.Key key, ImageName image, Reference reference,
                                     ManifestCache.Entry warm) {
        if (reference instanceof Reference.ByDigest byDigest) {
            return blocking(() -> stores.metadata().manifest(name, image, byDigest.digest()))
                    .compose(local -> {
                        if (local.isPresent()) {
                            stores.manifests().put(key, new ManifestCache.Entry(local.get(), 0));
                            return Future.succeededFuture(new Resolved(local.get(), Result.HIT));
                        }
                        return fetch(image, reference).map(content -> new Resolved(content, Result.MISS));
                    });
        }
        String tag = ((Reference.Tag) reference).name();
        Future<ManifestCache.Entry> known = warm != null ? Future.succeededFuture(warm) : loadTag(image, tag);
        return known.compose(local -> {
            if (local == null) {
                return fetch(image, reference).map(content -> new Resolved(content, Result.MISS));
            }
            if (isFresh(local.checkedAtMillis())) {
                stores.manifests().put(key, local);
                return Future.succeededFuture(new Resolved(local.content(), Result.HIT));
            }
            return revalidate(key, image, tag, local);
        });
    }

    /** A known but expired tag: HEAD the upstream; unchanged → fresh again, moved → fetch, failing → stale. */
    private Future<Resolved> revalidate(ManifestCache.Key key, ImageName image, String tag, ManifestCache.Entry local) {
        Reference reference = new Reference.Tag(tag);
        return upstream.client().headManifest(image, tag)
                .compose(head -> {
                    if (local.content().digest().equals(head.digest())) {
                        ManifestCache.Entry renewed = new ManifestCache.Entry(local.content(), stores.clock().millis());
                        stores.manifests().put(key, renewed);
                        blocking(() -> {
                            stores.metadata().putTag(name, image, tag, new TagRecord(head.digest(),
                                    Instant.ofEpochMilli(renewed.checkedAtMillis())));
                            return null;
                        });
                        return Future.succeededFuture(new Resolved(local.content(), Result.HIT));
                    }
                    return fetch(image, reference).map(content -> new Resolved(content, Result.MISS));
                })
                .recover(failure -> {
                    if (upstream.freshness().mayServeStale(failure)) {
                        failures.upstreamFailed(image, tag, failure, true);
                        return Future.succeededFuture(new Resolved(local.content(), Result.STALE));
                    }
                    if (failure instanceof UpstreamException up && up.status() == 404) {
                        stores.manifests().invalidate(key);
                        blocking(() -> {
                            stores.metadata().removeTag(name, image, tag);
                            return null;
                        });
                    }
                    return Future.failedFuture(failure);
                });
    }

    /** GET from upstream, verify, store (disk, then memory) and answer the content. */
    private Future<ManifestContent> fetch(ImageName image, Reference reference) {
        String host = RequestHost.current();
        return upstream.client().getManifest(image, reference.toString())
                .map(fetched -> ManifestBytes.verify(fetched, reference))
                .compose(content -> blocking(() -> {
                    stores.metadata().putManifest(name, image, content);
                    if (reference instanceof Reference.Tag tag) {
                        stores.metadata().putTag(name, image, tag.name(),
                                new TagRecord(content.digest(), stores.clock().instant()));
                    }
                    stores.events().emit(new ImageEvent(ImageEvent.Kind.CACHED, name, image, content.digest(),
                            reference instanceof Reference.Tag t ? t.name() : null, content.mediaType(),
                            ImageVersions.sizeOf(stores.metadata(), name, image, content), host,
                            stores.clock().instant()));
                    return content;
                }).recover(e -> {
                    LOG.warnf("could not store manifest %s/%s@%s (served anyway): %s", name, image,
                            content.digest(), e.getMessage());
                    return Future.succeededFuture(content);
                }))
                .onSuccess(content -> {
                    long now = stores.clock().millis();
                    stores.manifests().put(new ManifestCache.Key(name, image, content.digest().toString()),
                            new ManifestCache.Entry(content, now));
                    if (reference instanceof Reference.Tag) {
                        stores.manifests().put(new ManifestCache.Key(name, image, reference.toString()),
                                new ManifestCache.Entry(content, now));
                    }
                });
    }

    /** The tag as last stored on disk, or null. */
    private Future<ManifestCache.Entry> loadTag(ImageName image, String tag) {
        return blocking(() -> {
            Optional<TagRecord> record = stores.metadata().tag(name, image, tag);
            if (record.isEmpty()) {
                return null;
            }
            return stores.metadata().manifest(name, image, record.get().digest())
                    .map(m -> new ManifestCache.Entry(m, record.get().checkedAt().toEpochMilli()))
                    .orElse(null);
        });
    }

    private boolean isFresh(long checkedAtMillis) {
        return upstream.freshness().isFresh(checkedAtMillis, stores.clock().millis());
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return stores.vertx().executeBlocking(work, false);
    }
}
