package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.config.EntrepotConfig.S3Storage;
import dev.entrepot.proxy.store.AdoptingBlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.SharedBlobs;
import dev.entrepot.proxy.store.TieredBlobStore;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.store.fs.FsHostedMetadataStore;
import dev.entrepot.proxy.store.fs.FsUploadStore;
import dev.entrepot.proxy.store.s3.Bucket;
import dev.entrepot.proxy.store.s3.S3BlobStore;
import dev.entrepot.proxy.store.s3.S3MetadataStore;
import dev.entrepot.proxy.store.s3.S3Settings;
import dev.entrepot.proxy.store.s3.S3SharedBlobs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The stores of hosted content that {@code storage.type} asks for: on disk under {@code storage.path/hosted}, or in an
 * S3 bucket (under the key area {@code hosted/}) with its local tier in {@code storage.path/hosted-s3}. Upload sessions
 * stay on disk in {@code storage.path/uploads} either way; a commit moves or uploads the verified bytes. With a bucket,
 * cached blobs are shared through it too ({@link S3SharedBlobs}), while the cache itself stays on local disk.
 */
final class HostedStorage implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HostedStorage.class);
    /** Multipart uploads of blobs last as long as one commit: a day-old one was left by a process that died. */
    static final Duration ABANDONED_UPLOAD = Duration.ofDays(1);
    private static final int PART_THREADS = 4;
    private static final String AREA = "hosted/";
    /** How long a replica's claim to fetch a cached blob lives unrenewed: how long others wait if it dies. */
    static final Duration FETCH_LEASE = Duration.ofSeconds(30);
    /** How long a replica waits at most for another's fetch (a multi-GB layer from a slow upstream) before its own. */
    static final Duration FETCH_WAIT = Duration.ofMinutes(15);

    private final AdoptingBlobStore blobs;
    private final HostedMetadataStore metadata;
    private final FsUploadStore uploads;
    private final Bucket bucket;
    private final ExecutorService parts;
    private final SharedBlobs shared;

    private HostedStorage(AdoptingBlobStore blobs, HostedMetadataStore metadata, FsUploadStore uploads, Bucket bucket,
                          ExecutorService parts, Clock clock, Duration redirectTtl) {
        this.blobs = blobs;
        this.metadata = metadata;
        this.uploads = uploads;
        this.bucket = bucket;
        this.parts = parts;
        this.shared = bucket == null ? SharedBlobs.NONE : new S3SharedBlobs(bucket, parts, clock, FETCH_LEASE,
                redirectTtl);
    }

    static HostedStorage open(EntrepotConfig.Storage storage, Clock clock) throws IOException {
        return open(storage, clock, null);
    }

    /** {@code indexer}: where the filesystem store's start-up scan runs (null: before this returns). */
    static HostedStorage open(EntrepotConfig.Storage storage, Clock clock, Executor indexer) throws IOException {
        Path root = storage.path();
        if (storage.type() != EntrepotConfig.StorageType.S3) {
            FsBlobStore blobs = new FsBlobStore(root.resolve("hosted"), clock, (digest, size) -> { }, indexer);
            return new HostedStorage(blobs, new FsHostedMetadataStore(root.resolve("hosted"), blobs, clock),
                    new FsUploadStore(root.resolve("uploads"), blobs, clock), null, null, clock, null);
        }
        S3Storage s3 = storage.s3();
        S3Settings settings = new S3Settings(s3.bucket(), s3.endpoint(), s3.region(), s3.prefix(), s3.pathStyle(),
                s3.accessKeyIdFile(), s3.secretAccessKeyFile(), s3.credentialsFile(), s3.profile(),
                s3.partSize().bytes());
        Bucket bucket = Bucket.connect(settings);
        AtomicInteger n = new AtomicInteger();
        ExecutorService parts = Executors.newFixedThreadPool(PART_THREADS, task -> {
            Thread t = new Thread(task, "entrepot-s3-part-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            S3BlobStore blobs = new S3BlobStore(bucket, AREA, root.resolve("hosted-s3"), s3.localCacheSize().bytes(),
                    clock, parts, s3.redirectValidity());
            return new HostedStorage(blobs, new S3MetadataStore(bucket, AREA, blobs, clock),
                    new FsUploadStore(root.resolve("uploads"), blobs, clock), bucket, parts, clock,
                    s3.redirectValidity());
        } catch (IOException | RuntimeException e) {
            parts.shutdown();
            bucket.close();
            throw new IOException("storage.s3: cannot use bucket " + s3.bucket() + ": " + e.getMessage(), e);
        }
    }

    AdoptingBlobStore blobs() {
        return blobs;
    }

    /** The blob store when its durable copy is in the bucket (GETs then read it through {@code TierFills}). */
    Optional<TieredBlobStore> tiered() {
        return blobs instanceof TieredBlobStore tiered ? Optional.of(tiered) : Optional.empty();
    }

    HostedMetadataStore metadata() {
        return metadata;
    }

    FsUploadStore uploads() {
        return uploads;
    }

    /** Cached blobs shared with other replicas through the bucket ({@code cache/}); nothing on local disk. */
    SharedBlobs sharedCache() {
        return shared;
    }

    boolean inBucket() {
        return bucket != null;
    }

    /** Aborts multipart uploads a dead process left in the bucket (invisible, but billed). Blocking; never throws. */
    void abortAbandonedUploads() {
        if (blobs instanceof S3BlobStore s3) {
            try {
                s3.abortAbandonedUploads(ABANDONED_UPLOAD);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot list or abort abandoned uploads in the bucket: %s", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        if (shared instanceof S3SharedBlobs s3) {
            s3.close();
        }
        if (parts != null) {
            parts.shutdown();
        }
        if (bucket != null) {
            bucket.close();
        }
    }
}
