package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.io.InputStreamBody;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.net.URI;
import java.util.Optional;

/**
 * A blob whose durable copy is in an object store and that is not read from a local copy yet: a byte range comes
 * straight from the object store (nothing is copied for it), the whole blob from the local copy or from one fill of
 * it that every reader shares (the first bytes go out at once, the last once the digest verified); or, with
 * redirects configured, the client is sent to the object store itself. Futures fail with
 * {@link dev.entrepot.proxy.oci.OciException}s only.
 */
public interface RemoteBlob {

    /**
     * Where to send the client instead of sending the bytes (a pre-signed URL of the object): present only when
     * redirects are configured and the object store has the blob. Never fails: a store that cannot be asked means
     * no redirect.
     */
    Future<Optional<URI>> redirect();

    /** The object's size; empty when the object store does not have the blob (then ask {@link #whole()}). */
    Future<Optional<Long>> size();

    /**
     * {@code length} bytes from {@code offset}, straight from the object store, as a paused stream to be read on
     * {@code context}. Not verified (a range cannot be): the object was when it was stored.
     */
    Future<InputStreamBody> range(long offset, long length, Context context);

    /** The whole blob: stored here, or arriving (from the object store or, for a cache, from its upstream). */
    Future<BlobSource> whole();
}
