package dev.entrepot.proxy.hosted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.metrics.ProxyMetrics.Kind;
import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.metrics.ProxyMetrics.Result;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.oci.ReferrersIndex;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.ImageVersion;
import dev.entrepot.proxy.repository.ImageVersions;
import dev.entrepot.proxy.repository.ManifestWriter;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.repository.Pages;
import dev.entrepot.proxy.repository.Pushable;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.BlobLease;
import io.vertx.core.Future;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A standard (hosted) repository: what teams push, served back exactly. Its content is the user's only copy: it
 * lives in the hosted store, which eviction never touches; it goes only by delete and garbage collection. Blobs are
 * scoped to the image they were pushed or mounted into, as the spec scopes them to a repository.
 */
public final class HostedRepository implements Repository, Pushable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final HostedStores stores;
    private final RepositoryMetrics metrics;
    private final HostedManifests manifests;
    private final HostedUploads uploads;
    private final CleanupPolicy cleanup;

    public HostedRepository(String name, boolean immutableTags, HostedStores stores, RepositoryMetrics metrics) {
        this.name = name;
        this.stores = stores;
        this.metrics = metrics;
        this.manifests = new HostedManifests(name, immutableTags, stores, metrics);
        this.uploads = new HostedUploads(name, stores, metrics);
        this.cleanup = new CleanupPolicy(name, manifests, stores);
    }

    /**
     * Applies a cleanup policy (blocking): untagged versions older than {@code untaggedOlderThan} beyond the
     * {@code keepRecent} newest of each image. Returns {@code name@digest} of what was (or would be) deleted.
     */
    public List<String> cleanup(boolean dryRun, int keepRecent, Duration untaggedOlderThan) throws Exception {
        return cleanup.run(dryRun, keepRecent, untaggedOlderThan);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Pushable pushable() {
        return this;
    }

    @Override
    public BlobUploads uploads() {
        return uploads;
    }

    @Override
    public ManifestWriter manifests() {
        return manifests;
    }

    @Override
    public Future<ManifestContent> manifest(ImageName image, Reference reference) {
        return manifests.get(image, reference).onComplete(ar ->
                metrics.request(Kind.MANIFEST, ar.succeeded() ? Result.HIT : Result.MISS));
    }

    @Override
    public Future<Optional<ManifestContent>> storedManifest(ImageName image, Digest digest) {
        return manifests.get(image, new Reference.ByDigest(digest)).map(Optional::of)
                .recover(e -> e instanceof OciException oci && oci.code() == OciErrorCode.MANIFEST_UNKNOWN
                        ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e));
    }

    @Override
    public Future<BlobSource> blob(ImageName image, Digest digest) {
        return heldBlob(image, digest).map(held -> held.orElseThrow(() -> new OciException(OciErrorCode.BLOB_UNKNOWN,
                        "blob " + digest + " is not in " + name + "/" + image)))
                .onComplete(ar -> metrics.request(Kind.BLOB, ar.succeeded() ? Result.HIT : Result.MISS));
    }

    /**
     * A linked blob: the stored file, or with an object store, the local copy when it is here and else the object
     * store's answers (a GET then streams the object while the local copy is made; nothing waits for a download).
     */
    @Override
    public Future<Optional<BlobSource>> heldBlob(ImageName image, Digest digest) {
        return stores.blocking("reading blob " + digest, () -> {
            if (stores.metadata().blobLinked(name, image, digest).isEmpty()) {
                return Optional.empty();
            }
            if (stores.tiered() != null) {
                return Optional.of(stores.tiered().source(digest));
            }
            return stores.blobs().open(digest).map(BlobSource.Stored::new);
        });
    }

    @Override
    public Future<Optional<BlobLease>> storedBlob(ImageName image, Digest digest) {
        return stores.blocking("reading blob " + digest, () ->
                stores.metadata().blobLinked(name, image, digest).isPresent()
                        ? stores.blobs().open(digest) : Optional.empty());
    }

    /**
     * A client told a blob is here may skip uploading it and refer to it in a manifest: a linked blob's use is
     * announced before the answer (which waits while a collector elsewhere removes it, then says it is gone).
     */
    @Override
    public Future<Long> blobSize(ImageName image, Digest digest) {
        return stores.blocking("looking up blob " + digest, () -> {
            Optional<Long> size = Optional.empty();
            if (stores.metadata().blobLinked(name, image, digest).isPresent()) {
                stores.blobs().uses().use(List.of(digest));
                if (stores.metadata().blobLinked(name, image, digest).isPresent()) {
                    size = stores.blobs().storedSize(digest);
                    size.ifPresent(s -> stores.blobs().touch(digest));
                }
            }
            return size.orElseThrow(() -> new OciException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in "
                    + name + "/" + image));
        });
    }

    @Override
    public Future<Page> tags(ImageName image, Integer n, String last) {
        return stores.blocking("listing tags of " + image, () -> {
            List<String> tags = stores.metadata().tags(name, image);
            if (tags.isEmpty() && stores.metadata().revisions(name, image).isEmpty()) {
                throw new OciException(OciErrorCode.NAME_UNKNOWN, "no image " + name + "/" + image);
            }
            return Pages.page(tags, n, last);
        }).onComplete(ar -> metrics.request(Kind.TAGS, ar.succeeded() ? Result.HIT : Result.MISS));
    }

    @Override
    public Future<ManifestContent> referrers(ImageName image, Digest subject, String artifactType) {
        return stores.blocking("listing referrers of " + subject, () -> {
            List<JsonNode> descriptors = new ArrayList<>();
            for (byte[] d : stores.metadata().referrers(name, image, subject)) {
                try {
                    descriptors.add(JSON.readTree(d));
                } catch (IOException e) {
                    throw new IOException("unreadable referrer record of " + subject + " in " + name + "/" + image, e);
                }
            }
            descriptors.sort((a, b) -> a.path("digest").asText().compareTo(b.path("digest").asText()));
            return ReferrersIndex.of(descriptors, artifactType);
        });
    }

    @Override
    public Future<List<ImageVersion>> versions(ImageName image) {
        return stores.blocking("listing " + name + "/" + image, () -> ImageVersions.of(stores.metadata(), name, image,
                digest -> null));
    }

    @Override
    public Future<List<String>> catalog() {
        return stores.blocking("listing images of " + name, () -> stores.metadata().names(name));
    }
}
