package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;

/**
 * Content-addressed blob storage shared by every repository. Everything here may block (disk I/O):
 * call it off the event loop, except {@link #open} which only touches memory and one stat.
 */
public interface BlobStore {

    /** The blob if stored, pinned against eviction until the lease is closed. */
    Optional<BlobLease> open(Digest digest);

    /** Starts writing a blob whose digest must turn out to be {@code expected}. */
    BlobWriter newWriter(Digest expected) throws IOException;

    /** Stores small content (manifests) after verifying it hashes to {@code digest}. */
    default void put(Digest digest, byte[] content) throws IOException {
        try (BlobWriter writer = newWriter(digest)) {
            writer.write(ByteBuffer.wrap(content));
            writer.commit();
        }
    }

    /** Reads small content (manifests) whole; empty when absent. Counts as a use (for eviction, last-pulled times). */
    Optional<byte[]> read(Digest digest, int maxBytes) throws IOException;

    /** Like {@link #read}, without counting as a use: for listings and other bookkeeping. */
    Optional<byte[]> peek(Digest digest, int maxBytes) throws IOException;

    /**
     * Records a use of a blob served from elsewhere (a manifest from the memory cache), so size and retention
     * eviction see it as recently used. Memory only: safe on the event loop.
     */
    void touch(Digest digest);

    /** When the blob was last stored, read or touched; null when it is not stored. Memory only. */
    Instant lastUsed(Digest digest);

    /** Bytes currently stored. */
    long totalBytes();
}
