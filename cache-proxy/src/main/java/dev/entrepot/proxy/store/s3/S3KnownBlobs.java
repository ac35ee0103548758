package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * What one process knows of the blobs of an {@link S3BlobStore} in the bucket: their sizes and last uses, from its
 * start-up listing, its own writes, and the blobs it read since. Other replicas' blobs join when first seen. Nothing
 * that matters to other replicas is decided from this: it serves sizes for metrics and last uses for retention.
 */
final class S3KnownBlobs {
    private static final Logger LOG = Logger.getLogger(S3KnownBlobs.class);

    private final Map<Digest, Known> known = new ConcurrentHashMap<>();
    private final AtomicLong totalBytes = new AtomicLong();
    private final Clock clock;
    /** Where the blobs are: {@code <area>blobs/}. */
    private final String under;

    private record Known(long size, long lastUsedMillis) {
    }

    S3KnownBlobs(String area, Clock clock) {
        this.under = area + "blobs/";
        this.clock = clock;
    }

    /** Lists the bucket's blobs (at start). */
    void load(Bucket bucket) throws IOException {
        for (Bucket.Listed object : bucket.list(under)) {
            Optional<Digest> digest = digestOf(object);
            if (digest.isPresent()) {
                known.put(digest.get(), new Known(object.size(), object.lastModified().toEpochMilli()));
                totalBytes.addAndGet(object.size());
            }
        }
        LOG.infof("blob store s3://%s/%s: %d blobs, %d bytes", bucket.name(), bucket.fullKey(under), known.size(),
                totalBytes.get());
    }

    void remember(Digest digest, long size) {
        Known before = known.putIfAbsent(digest, new Known(size, clock.millis()));
        if (before == null) {
            totalBytes.addAndGet(size);
        }
    }

    void forget(Digest digest) {
        Known gone = known.remove(digest);
        if (gone != null) {
            totalBytes.addAndGet(-gone.size());
        }
    }

    void touch(Digest digest) {
        known.computeIfPresent(digest, (d, k) -> new Known(k.size(), clock.millis()));
    }

    /** Null when not known. */
    Instant lastUsed(Digest digest) {
        Known k = known.get(digest);
        return k == null ? null : Instant.ofEpochMilli(k.lastUsedMillis());
    }

    /** A listed blob's last use: when it was stored, or read later by this process. */
    Instant lastUsed(Digest digest, Bucket.Listed object) {
        Known k = known.get(digest);
        return k == null || k.lastUsedMillis() < object.lastModified().toEpochMilli()
                ? object.lastModified() : Instant.ofEpochMilli(k.lastUsedMillis());
    }

    long totalBytes() {
        return totalBytes.get();
    }

    /** The digest a listed blob object is stored under; empty (and logged) for an object that is not a blob. */
    Optional<Digest> digestOf(Bucket.Listed object) {
        String[] parts = object.key().substring(under.length()).split("/");
        try {
            if (parts.length == 2) {
                return Optional.of(new Digest(parts[0], parts[1]));
            }
        } catch (OciException e) {
            // logged below
        }
        LOG.warnf("ignoring unexpected object in the blob store: %s", object.key());
        return Optional.empty();
    }
}
