package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;

/**
 * Blobs of a store whose durable copy is in an object store, with a local copy in front (hosted content with
 * {@code storage.type: s3}): how a GET of one is answered.
 */
public interface TieredBlobs {

    /**
     * The local copy (pinned) when it is here and GETs are not redirected, else the object store's answers
     * ({@link RemoteBlob}). Memory only.
     */
    BlobSource source(Digest digest);
}
