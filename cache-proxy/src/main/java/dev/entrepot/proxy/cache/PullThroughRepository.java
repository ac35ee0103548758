package dev.entrepot.proxy.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.cache.InflightFetches.Source;
import dev.entrepot.proxy.metrics.ProxyMetrics.Kind;
import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.metrics.ProxyMetrics.Result;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.ManifestContent;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.MetadataStore;
import dev.entrepot.proxy.store.StoredManifest;
import dev.entrepot.proxy.store.TagRecord;
import dev.entrepot.proxy.upstream.UpstreamClient;
import dev.entrepot.proxy.upstream.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * A remote repository: the pull side of the API served from the local store, filled from the upstream on a
 * miss. Manifests go memory → disk → upstream, with tag freshness decided by {@link FreshnessPolicy}; blobs go
 * store → one shared download ({@link InflightFetches}). Concurrent resolutions of one manifest share one
 * upstream exchange.
 */
public final class PullThroughRepository implements Repository {
    private static final Logger LOG = Logger.getLogger(PullThroughRepository.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LIST_BYTES = 4 * 1024 * 1024;

    private record Resolved(ManifestContent content, Result result) {
    }

    private final String name;
    private final boolean dockerHub;
    private final UpstreamClient upstream;
    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final InflightFetches fetches;
    private final ManifestCache cache;
    private final FreshnessPolicy freshness;
    private final RepositoryMetrics metrics;
    private final Vertx vertx;
    private final Clock clock;
    private final Map<ManifestCache.Key, Future<Resolved>> resolving = new ConcurrentHashMap<>();

    public PullThroughRepository(String name, boolean dockerHub, UpstreamClient upstream, BlobStore blobs,
                                 MetadataStore metadata, InflightFetches fetches, ManifestCache cache,
                                 FreshnessPolicy freshness, RepositoryMetrics metrics, Vertx vertx, Clock clock) {
        this.name = name;
        this.dockerHub = dockerHub;
        this.upstream = upstream;
        this.blobs = blobs;
        this.metadata = metadata;
        this.fetches = fetches;
        this.cache = cache;
        this.freshness = freshness;
        this.metrics = metrics;
        this.vertx = vertx;
        this.clock = clock;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean normalizesDockerHubNames() {
        return dockerHub;
    }

    // ---- manifests -------------------------------------------------------------------------------------------

    @Override
    public Future<ManifestContent> manifest(ImageName image, Reference reference) {
        ManifestCache.Key key = new ManifestCache.Key(name, image, reference.toString());
        ManifestCache.Entry warm = cache.get(key);
        if (warm != null && (reference instanceof Reference.ByDigest || isFresh(warm.checkedAtMillis()))) {
            metrics.request(Kind.MANIFEST, Result.HIT);
            blobs.touch(warm.content().digest());
            return Future.succeededFuture(warm.content());
        }
        Promise<Resolved> mine = Promise.promise();
        Future<Resolved> running = resolving.putIfAbsent(key, mine.future());
        if (running == null) {
            running = mine.future();
            resolve(key, image, reference, warm).onComplete(ar -> {
                resolving.remove(key, mine.future());
                mine.handle(ar);
            });
        }
        return running.transform(ar -> {
            if (ar.succeeded()) {
                metrics.request(Kind.MANIFEST, ar.result().result());
                return Future.succeededFuture(ar.result().content());
            }
            metrics.request(Kind.MANIFEST, Result.ERROR);
            return Future.failedFuture(UpstreamErrors.toOci(ar.cause(), OciErrorCode.MANIFEST_UNKNOWN,
                    "manifest " + image + ":" + reference));
        });
    }

    private Future<Resolved> resolve(ManifestCache.Key key, ImageName image, Reference reference,
                                     ManifestCache.Entry warm) {
        if (reference instanceof Reference.ByDigest byDigest) {
            return blocking(() -> metadata.manifest(name, image, byDigest.digest()))
                    .compose(local -> {
                        if (local.isPresent()) {
                            ManifestContent content = toContent(local.get());
                            cache.put(key, new ManifestCache.Entry(content, 0));
                            return Future.succeededFuture(new Resolved(content, Result.HIT));
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
                cache.put(key, local);
                return Future.succeededFuture(new Resolved(local.content(), Result.HIT));
            }
            return revalidate(key, image, tag, local);
        });
    }

    /** A known but expired tag: HEAD the upstream; unchanged → fresh again, moved → fetch, failing → stale. */
    private Future<Resolved> revalidate(ManifestCache.Key key, ImageName image, String tag, ManifestCache.Entry local) {
        Reference reference = new Reference.Tag(tag);
        return upstream.headManifest(image, tag)
                .compose(head -> {
                    if (local.content().digest().equals(head.digest())) {
                        ManifestCache.Entry renewed = new ManifestCache.Entry(local.content(), clock.millis());
                        cache.put(key, renewed);
                        blocking(() -> {
                            metadata.putTag(name, image, tag, new TagRecord(head.digest(),
                                    Instant.ofEpochMilli(renewed.checkedAtMillis())));
                            return null;
                        });
                        return Future.succeededFuture(new Resolved(local.content(), Result.HIT));
                    }
                    return fetch(image, reference).map(content -> new Resolved(content, Result.MISS));
                })
                .recover(failure -> {
                    if (freshness.mayServeStale(failure)) {
                        LOG.debugf("serving stale %s/%s:%s: %s", name, image, tag, failure.getMessage());
                        return Future.succeededFuture(new Resolved(local.content(), Result.STALE));
                    }
                    if (failure instanceof UpstreamException up && up.status() == 404) {
                        cache.invalidate(key);
                        blocking(() -> {
                            metadata.removeTag(name, image, tag);
                            return null;
                        });
                    }
                    return Future.failedFuture(failure);
                });
    }

    /** GET from upstream, verify, store (disk, then memory) and answer the content. */
    private Future<ManifestContent> fetch(ImageName image, Reference reference) {
        return upstream.getManifest(image, reference.toString())
                .map(fetched -> ManifestBytes.verify(fetched, reference))
                .compose(content -> blocking(() -> {
                    metadata.putManifest(name, image, new StoredManifest(content.digest(), content.mediaType(),
                            content.bytes()));
                    if (reference instanceof Reference.Tag tag) {
                        metadata.putTag(name, image, tag.name(), new TagRecord(content.digest(), clock.instant()));
                    }
                    return content;
                }).recover(e -> {
                    LOG.warnf("could not store manifest %s/%s@%s (served anyway): %s", name, image,
                            content.digest(), e.getMessage());
                    return Future.succeededFuture(content);
                }))
                .onSuccess(content -> {
                    long now = clock.millis();
                    cache.put(new ManifestCache.Key(name, image, content.digest().toString()),
                            new ManifestCache.Entry(content, now));
                    if (reference instanceof Reference.Tag) {
                        cache.put(new ManifestCache.Key(name, image, reference.toString()),
                                new ManifestCache.Entry(content, now));
                    }
                });
    }

    /** The tag as last stored on disk, or null. */
    private Future<ManifestCache.Entry> loadTag(ImageName image, String tag) {
        return blocking(() -> {
            Optional<TagRecord> record = metadata.tag(name, image, tag);
            if (record.isEmpty()) {
                return null;
            }
            return metadata.manifest(name, image, record.get().digest())
                    .map(m -> new ManifestCache.Entry(toContent(m), record.get().checkedAt().toEpochMilli()))
                    .orElse(null);
        });
    }

    private boolean isFresh(long checkedAtMillis) {
        return freshness.isFresh(checkedAtMillis, clock.millis());
    }

    private static ManifestContent toContent(StoredManifest m) {
        return new ManifestContent(m.digest(), m.mediaType(), m.bytes());
    }

    // ---- blobs -----------------------------------------------------------------------------------------------

    @Override
    public Future<Source> blob(ImageName image, Digest digest) {
        return fetches.fetch(digest, () -> upstream.openBlob(image, digest), metrics).transform(ar -> {
            if (ar.succeeded()) {
                if (ar.result() instanceof Source.Growing growing) {
                    // A miss is only known to be a miss, not an error, once the download verified.
                    growing.download().done().onComplete(done ->
                            metrics.request(Kind.BLOB, done.succeeded() ? Result.MISS : Result.ERROR));
                } else {
                    metrics.request(Kind.BLOB, Result.HIT);
                }
                return Future.succeededFuture(ar.result());
            }
            metrics.request(Kind.BLOB, Result.ERROR);
            return Future.failedFuture(UpstreamErrors.toOci(ar.cause(), OciErrorCode.BLOB_UNKNOWN,
                    "blob " + digest + " of " + image));
        });
    }

    @Override
    public Future<Long> blobSize(ImageName image, Digest digest) {
        Optional<BlobLease> stored = blobs.open(digest);
        if (stored.isPresent()) {
            try (BlobLease lease = stored.get()) {
                return Future.succeededFuture(lease.size());
            }
        }
        return upstream.headBlob(image, digest)
                .<Long>map(head -> {
                    if (head.size() < 0) {
                        throw new OciException(OciErrorCode.UNAVAILABLE, 502,
                                "upstream did not tell the size of blob " + digest, Map.of());
                    }
                    return head.size();
                })
                .recover(e -> Future.failedFuture(UpstreamErrors.toOci(e, OciErrorCode.BLOB_UNKNOWN,
                        "blob " + digest + " of " + image)));
    }

    // ---- tags, referrers, catalog ----------------------------------------------------------------------------

    @Override
    public Future<TagPage> tags(ImageName image, Integer n, String last) {
        StringBuilder query = new StringBuilder("tags/list");
        String sep = "?";
        if (n != null) {
            query.append(sep).append("n=").append(n);
            sep = "&";
        }
        if (last != null) {
            query.append(sep).append("last=").append(URLEncoder.encode(last, StandardCharsets.UTF_8));
        }
        return upstream.get(image, query.toString(), MAX_LIST_BYTES)
                .map(body -> {
                    List<String> tags = new ArrayList<>();
                    try {
                        JsonNode list = JSON.readTree(body.bytes().getBytes()).path("tags");
                        list.forEach(t -> tags.add(t.asText()));
                    } catch (IOException e) {
                        throw new OciException(OciErrorCode.UNAVAILABLE, 502, "upstream tag list is not JSON", Map.of());
                    }
                    metrics.request(Kind.TAGS, Result.MISS);
                    if (body.link() == null) {
                        // Upstreams that do not paginate (distribution 2.8 ignores n and last, and does not sort)
                        // answer everything: paginate here. On a real last page this changes nothing.
                        return Pages.page(tags.stream().sorted().toList(), n, last);
                    }
                    // A short page is the last one, whatever Link the upstream sent.
                    return new TagPage(tags, n == null || tags.size() >= n);
                })
                .recover(failure -> {
                    if (!freshness.mayServeStale(failure)) {
                        metrics.request(Kind.TAGS, Result.ERROR);
                        return Future.failedFuture(UpstreamErrors.toOci(failure, OciErrorCode.NAME_UNKNOWN,
                                "tags of " + image));
                    }
                    return blocking(() -> metadata.tags(name, image)).compose(local -> {
                        if (local.isEmpty()) {
                            metrics.request(Kind.TAGS, Result.ERROR);
                            return Future.failedFuture(UpstreamErrors.toOci(failure, OciErrorCode.NAME_UNKNOWN,
                                    "tags of " + image));
                        }
                        metrics.request(Kind.TAGS, Result.STALE);
                        return Future.succeededFuture(Pages.page(local, n, last));
                    });
                });
    }

    @Override
    public Future<ManifestContent> referrers(ImageName image, Digest subject, String artifactType) {
        String suffix = "referrers/" + subject + (artifactType == null ? ""
                : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8));
        return upstream.get(image, suffix, MAX_LIST_BYTES)
                .map(body -> {
                    byte[] bytes = body.bytes().getBytes();
                    String type = body.contentType() == null ? MediaTypes.OCI_INDEX
                            : body.contentType().split(";", 2)[0].trim();
                    return new ManifestContent(Digest.sha256(bytes), type, bytes);
                })
                .recover(e -> Future.failedFuture(UpstreamErrors.toOci(e, OciErrorCode.MANIFEST_UNKNOWN,
                        "referrers of " + image + "@" + subject + " (the upstream may not offer the referrers API)")));
    }

    @Override
    public Future<List<String>> catalog() {
        return blocking(() -> metadata.names(name));
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }
}
