package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;

/**
 * Blobs as the objects of an object store (an S3 bucket): the durable copy behind a local one, which may be read
 * from directly, whole or in part, without the local copy being there. Blocking (network I/O): call off the event
 * loop.
 */
public interface BlobObjects {

    /** The object's size; empty when the object store has no (trusted) object for the digest. */
    Optional<Long> objectSize(Digest digest) throws IOException;

    /**
     * The object's bytes from {@code offset} on ({@code length} of them, -1 for the rest); empty when there is no
     * (trusted) object. Bytes read this way are not verified here: a reader of the whole object verifies the digest.
     */
    Optional<ObjectBody> readObject(Digest digest, long offset, long length) throws IOException;

    /** Whether clients are sent to the object store for blob GETs ({@link #redirectUrl}); by default not. */
    default boolean redirects() {
        return false;
    }

    /**
     * A URL a client may GET the object from itself, without this process, for the configured time (a pre-signed
     * URL); empty when redirects are off. Does not ask whether the object exists. May block (credentials).
     */
    default Optional<URI> redirectUrl(Digest digest) {
        return Optional.empty();
    }

    /**
     * An object being read: {@code length} bytes come ({@code -1}: not announced). Closing the stream before its
     * end aborts the request.
     */
    record ObjectBody(InputStream stream, long length) {
    }
}
