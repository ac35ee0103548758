package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.repository.ImageEvents;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.TagChanges;
import dev.entrepot.proxy.repository.TieredBlobs;
import dev.entrepot.proxy.store.HostedBlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.UploadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * What every hosted repository shares, and what outlives a config reload: the hosted blob store and metadata, the
 * upload sessions (and which of them a request is using now), the warm manifest memory, the locks that order
 * writes and the guard between pushes and the garbage collector.
 */
public final class HostedStores {
    private final HostedBlobStore blobs;
    private final HostedMetadataStore metadata;
    private final UploadStore uploads;
    private final ManifestCache manifests;
    private final Executor disk;
    private final Vertx vertx;
    private final Clock clock;
    private final TagChanges tagChanges;
    private final ImageEvents events;
    private final ImageLocks locks = new ImageLocks();
    private final CollectionGuard guard;
    private final Set<String> busyUploads = ConcurrentHashMap.newKeySet();
    private final TieredBlobs tiered;

    /**
     * @param disk       threads that write request bodies to disk
     * @param tagChanges told of every tag write and delete (virtual repositories forget what tags resolved to)
     * @param events     told of pushes and deletes (notifications)
     */
    public HostedStores(HostedBlobStore blobs, HostedMetadataStore metadata, UploadStore uploads,
                        ManifestCache manifests, Executor disk, Vertx vertx, Clock clock, TagChanges tagChanges,
                        ImageEvents events) {
        this(blobs, metadata, uploads, manifests, disk, vertx, clock, tagChanges, events, null);
    }

    /**
     * @param tiered how GETs read blobs whose durable copy is in an object store (null: {@code blobs} is on disk, and
     *               a GET reads the stored file)
     */
    public HostedStores(HostedBlobStore blobs, HostedMetadataStore metadata, UploadStore uploads,
                        ManifestCache manifests, Executor disk, Vertx vertx, Clock clock, TagChanges tagChanges,
                        ImageEvents events, TieredBlobs tiered) {
        this.tiered = tiered;
        this.blobs = blobs;
        this.metadata = metadata;
        this.uploads = uploads;
        this.manifests = manifests;
        this.disk = disk;
        this.vertx = vertx;
        this.clock = clock;
        this.tagChanges = tagChanges;
        this.events = events;
        this.guard = new CollectionGuard(blobs.uses());
    }

    ImageEvents events() {
        return events;
    }

    HostedBlobStore blobs() {
        return blobs;
    }

    /** How a GET reads a blob of an object store; null when the blobs are on disk. */
    TieredBlobs tiered() {
        return tiered;
    }

    HostedMetadataStore metadata() {
        return metadata;
    }

    UploadStore uploads() {
        return uploads;
    }

    ManifestCache manifests() {
        return manifests;
    }

    Executor disk() {
        return disk;
    }

    Vertx vertx() {
        return vertx;
    }

    Clock clock() {
        return clock;
    }

    TagChanges tagChanges() {
        return tagChanges;
    }

    ImageLocks locks() {
        return locks;
    }

    CollectionGuard guard() {
        return guard;
    }

    /** One request at a time per upload session; false when another holds it. */
    boolean claimUpload(String id) {
        return busyUploads.add(id);
    }

    void releaseUpload(String id) {
        busyUploads.remove(id);
    }

    /** Store work off the event loop; failures become OCI errors ({@link StoreErrors}). */
    <T> Future<T> blocking(String what, Callable<T> work) {
        return vertx.<T>executeBlocking(work, false).recover(e -> Future.failedFuture(StoreErrors.toOci(e, what)));
    }
}
