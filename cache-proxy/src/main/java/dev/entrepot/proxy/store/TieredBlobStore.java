package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.util.Optional;

/**
 * A blob store whose durable copy is in an object store, with a size-bounded local copy in front that reads are
 * served from: what serving needs to read a blob from the object store while its local copy is being made.
 */
public interface TieredBlobStore extends BlobObjects {

    /** The local copy, pinned until the lease is closed; empty when it is not here. Memory and one stat only. */
    Optional<BlobLease> openLocal(Digest digest);

    /**
     * A writer of the local copy of a blob the object store holds (nothing is sent to the object store): its commit
     * verifies the digest, then the blob joins the local tier, within its size bound. Blocking.
     */
    BlobWriter newLocalWriter(Digest digest) throws IOException;
}
