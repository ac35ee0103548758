package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The blob store of hosted content: never evicted, blobs leave only through {@link #remove} by the garbage
 * collector. Blocking: call off the event loop.
 */
public interface HostedBlobStore extends BlobStore {

    /** One stored blob: its size and when it was last stored or read. */
    record Stat(Digest digest, long size, Instant lastUsed) {
    }

    /** Stores the blob {@code source} holds in another store, without sending its bytes through a client. */
    void linkFrom(BlobLease source, Digest digest) throws IOException;

    /** Deletes the blob unless it is being read; true when it is gone. */
    boolean remove(Digest digest);

    /** Every stored blob (a snapshot). */
    List<Stat> list();
}
