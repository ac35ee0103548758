package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The blob store of hosted content: never evicted, blobs leave only through {@link #remove} by the garbage
 * collector, under the agreement {@link #uses} keeps with other processes sharing the store. Blocking: call off the
 * event loop.
 */
public interface HostedBlobStore extends BlobStore {

    /** One stored blob: its size and when it was last stored or read. */
    record Stat(Digest digest, long size, Instant lastUsed) {
    }

    /** Stores the blob {@code source} holds in another store, without sending its bytes through a client. */
    void linkFrom(BlobLease source, Digest digest) throws IOException;

    /**
     * The blob's size as the durable copy has it (asked of it, not of a local copy another process's collector may
     * have outlived); empty when it is not stored.
     */
    Optional<Long> storedSize(Digest digest) throws IOException;

    /** Deletes the blob unless it is being read; true when it is gone. The collector calls it within a removal. */
    boolean remove(Digest digest);

    /** Every stored blob, whichever process stored it (a snapshot). */
    List<Stat> list() throws IOException;

    /** How pushers and the collector agree on removals with other processes sharing the store. */
    BlobUses uses();
}
