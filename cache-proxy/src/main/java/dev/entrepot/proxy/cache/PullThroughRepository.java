package dev.entrepot.proxy.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.metrics.ProxyMetrics.Kind;
import dev.entrepot.proxy.metrics.ProxyMetrics.Result;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.oci.ReferrersIndex;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.RemoteBlob;
import dev.entrepot.proxy.repository.ImageVersion;
import dev.entrepot.proxy.repository.ImageVersions;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.repository.Pages;
import dev.entrepot.proxy.repository.Pushable;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.upstream.UpstreamException;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A remote repository: the pull side of the API served from the local cache, filled from the upstream on a miss.
 * Manifests are {@link PullThroughManifests}' job; blobs go store → one shared download ({@link InflightFetches});
 * tag lists and referrers are asked upstream, with local fallbacks.
 */
public final class PullThroughRepository implements Repository {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LIST_BYTES = 4 * 1024 * 1024;

    private final Upstream upstream;
    private final CacheStores stores;
    private final PullThroughManifests manifests;

    public PullThroughRepository(Upstream upstream, CacheStores stores) {
        this.upstream = upstream;
        this.stores = stores;
        this.manifests = new PullThroughManifests(upstream, stores);
    }

    @Override
    public String name() {
        return upstream.repository();
    }

    @Override
    public Pushable pushable() {
        throw new OciException(OciErrorCode.UNSUPPORTED, "repository '" + name()
                + "' is a pull-through cache of " + "its upstream: it takes no pushes or deletes");
    }

    @Override
    public Future<ManifestContent> manifest(ImageName image, Reference reference) {
        return manifests.manifest(upstream.nameOf(image), reference);
    }

    @Override
    public Future<Optional<ManifestContent>> storedManifest(ImageName requested, Digest digest) {
        ImageName image = upstream.nameOf(requested);
        ManifestCache.Entry warm = stores.manifests().get(new ManifestCache.Key(name(), image, digest.toString()));
        if (warm != null) {
            return Future.succeededFuture(Optional.of(warm.content()));
        }
        return stores.vertx().executeBlocking(() -> stores.metadata().manifest(name(), image, digest), false);
    }

    // ---- blobs -----------------------------------------------------------------------------------------------

    /**
     * The stored blob, the download in flight, or (replicas sharing a bucket) what the bucket has: the whole blob
     * streamed from it, or a range read straight from it; else a new download from the upstream.
     */
    @Override
    public Future<BlobSource> blob(ImageName requested, Digest digest) {
        ImageName image = upstream.nameOf(requested);
        Optional<RemoteBlob> inBucket = stores.fetches().inBucket(digest, () -> fetch(image, digest),
                () -> upstream.metrics().request(Kind.BLOB, Result.HIT));
        if (inBucket.isPresent()) {
            return Future.succeededFuture(new BlobSource.Remote(inBucket.get()));
        }
        return fetch(image, digest);
    }

    private Future<BlobSource> fetch(ImageName image, Digest digest) {
        return stores.fetches().fetch(digest, () -> upstream.client().openBlob(image, digest), upstream.metrics())
                .transform(ar -> {
                    if (ar.succeeded()) {
                        if (ar.result() instanceof BlobSource.Growing growing) {
                            // A miss is only known to be a miss, not an error, once the download verified; it
                            // is counted then, before the client can have the last byte.
                            growing.blob().verification().onComplete(done -> upstream.metrics().request(Kind.BLOB,
                                    done.succeeded() ? Result.MISS : Result.ERROR));
                        } else {
                            upstream.metrics().request(Kind.BLOB, Result.HIT);
                        }
                        return Future.succeededFuture(ar.result());
                    }
                    upstream.metrics().request(Kind.BLOB, Result.ERROR);
                    return Future.failedFuture(UpstreamErrors.toOci(ar.cause(), OciErrorCode.BLOB_UNKNOWN,
                            "blob " + digest + " of " + image));
                });
    }

    @Override
    public Future<Optional<BlobLease>> storedBlob(ImageName name, Digest digest) {
        return stores.fetches().stored(digest);
    }

    @Override
    public Future<Long> blobSize(ImageName requested, Digest digest) {
        Optional<BlobLease> stored = stores.blobs().open(digest);
        if (stored.isPresent()) {
            try (BlobLease lease = stored.get()) {
                return Future.succeededFuture(lease.size());
            }
        }
        ImageName image = upstream.nameOf(requested);
        return upstream.client().headBlob(image, digest)
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
    public Future<Page> tags(ImageName requested, Integer n, String last) {
        ImageName image = upstream.nameOf(requested);
        StringBuilder query = new StringBuilder("tags/list");
        String sep = "?";
        if (n != null) {
            query.append(sep).append("n=").append(n);
            sep = "&";
        }
        if (last != null) {
            query.append(sep).append("last=").append(URLEncoder.encode(last, StandardCharsets.UTF_8));
        }
        return upstream.client().get(image, query.toString(), MAX_LIST_BYTES)
                .map(body -> {
                    List<String> tags = new ArrayList<>();
                    try {
                        JsonNode list = JSON.readTree(body.bytes().getBytes()).path("tags");
                        list.forEach(t -> tags.add(t.asText()));
                    } catch (IOException e) {
                        throw new OciException(OciErrorCode.UNAVAILABLE, 502, "upstream tag list is not JSON", Map.of());
                    }
                    upstream.metrics().request(Kind.TAGS, Result.MISS);
                    if (body.link() == null) {
                        // Upstreams that do not paginate (distribution 2.8 ignores n and last, and does not sort)
                        // answer everything: paginate here. On a real last page this changes nothing.
                        return Pages.page(tags.stream().sorted().toList(), n, last);
                    }
                    // A short page is the last one, whatever Link the upstream sent.
                    return new Page(tags, n == null || tags.size() >= n);
                })
                .recover(failure -> {
                    if (!upstream.freshness().mayServeStale(failure)) {
                        upstream.metrics().request(Kind.TAGS, Result.ERROR);
                        return Future.failedFuture(UpstreamErrors.toOci(failure, OciErrorCode.NAME_UNKNOWN,
                                "tags of " + image));
                    }
                    return stores.vertx().executeBlocking(() -> stores.metadata().tags(name(), image), false)
                            .compose(local -> {
                                if (local.isEmpty()) {
                                    upstream.metrics().request(Kind.TAGS, Result.ERROR);
                                    return Future.failedFuture(UpstreamErrors.toOci(failure, OciErrorCode.NAME_UNKNOWN,
                                            "tags of " + image));
                                }
                                upstream.metrics().request(Kind.TAGS, Result.STALE);
                                return Future.succeededFuture(Pages.page(local, n, last));
                            });
                });
    }

    /**
     * The upstream's referrers API; for upstreams without it (404), the referrers tag schema
     * ({@code <alg>-<hex>}) the spec gives for such registries, else an empty index. Filtered here either way.
     */
    @Override
    public Future<ManifestContent> referrers(ImageName requested, Digest subject, String artifactType) {
        ImageName image = upstream.nameOf(requested);
        String suffix = "referrers/" + subject + (artifactType == null ? ""
                : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8));
        return upstream.client().get(image, suffix, MAX_LIST_BYTES)
                .map(body -> ReferrersIndex.of(ReferrersIndex.descriptors(body.bytes().getBytes()), artifactType))
                .recover(e -> {
                    if (e instanceof UpstreamException up && up.status() == 404) {
                        return referrersTag(image, subject, artifactType);
                    }
                    return Future.failedFuture(UpstreamErrors.toOci(e, OciErrorCode.MANIFEST_UNKNOWN,
                            "referrers of " + image + "@" + subject));
                });
    }

    private Future<ManifestContent> referrersTag(ImageName image, Digest subject, String artifactType) {
        String tag = subject.algorithm() + "-" + subject.hex();
        return upstream.client().getManifest(image, tag)
                .map(fetched -> {
                    List<JsonNode> found = MediaTypes.OCI_INDEX.equals(ManifestBytes.mediaType(fetched.mediaType(),
                            fetched.bytes())) ? ReferrersIndex.descriptors(fetched.bytes()) : List.of();
                    return ReferrersIndex.of(found, artifactType);
                })
                .recover(e -> e instanceof UpstreamException up && up.status() == 404
                        ? Future.succeededFuture(ReferrersIndex.of(List.of(), artifactType))
                        : Future.failedFuture(UpstreamErrors.toOci(e, OciErrorCode.MANIFEST_UNKNOWN,
                        "referrers of " + image + "@" + subject)));
    }

    @Override
    public Future<List<ImageVersion>> versions(ImageName requested) {
        ImageName image = upstream.nameOf(requested);
        return stores.vertx().executeBlocking(() -> ImageVersions.of(stores.metadata(), name(), image,
                stores.blobs()::lastUsed), false);
    }

    @Override
    public Future<List<String>> catalog() {
        return stores.vertx().executeBlocking(() -> stores.metadata().names(name()), false);
    }
}
