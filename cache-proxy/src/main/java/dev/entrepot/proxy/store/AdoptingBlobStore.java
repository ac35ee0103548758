package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A hosted blob store that takes in a whole file whose content the caller has verified to hash to the digest (a
 * finished upload), without the bytes passing through a {@link BlobWriter} again. Blocking.
 */
public interface AdoptingBlobStore extends HostedBlobStore {

    /**
     * Stores the verified file as the blob; the file is moved (or deleted once stored elsewhere) and must be on the
     * same filesystem as the store's own directory. Storing a blob that is already there only deletes the file.
     */
    void adopt(Path verified, Digest digest) throws IOException;
}
