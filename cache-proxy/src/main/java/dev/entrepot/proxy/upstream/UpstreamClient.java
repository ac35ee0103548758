package dev.entrepot.proxy.upstream;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * The registry a remote repository caches. Failures are {@link UpstreamException}s carrying the upstream's
 * status (0 when it could not be reached).
 */
public interface UpstreamClient {

    /** GET a manifest by tag or digest, body read whole (manifests are small and bounded). */
    Future<Manifest> getManifest(ImageName name, String reference);

    /** HEAD a manifest: what a tag points to now, without the body. */
    Future<Head> headManifest(ImageName name, String reference);

    /** GET a blob: a paused 200 response the caller streams (and must resume or reset). */
    Future<HttpClientResponse> openBlob(ImageName name, Digest digest);

    Future<Head> headBlob(ImageName name, Digest digest);

    /** GET {@code /v2/<name>/<suffix>} (tags/list, referrers), body bounded by {@code maxBytes}. */
    Future<Body> get(ImageName name, String suffix, int maxBytes);

    record Manifest(byte[] bytes, String mediaType, String digestHeader) {
    }

    /** {@code digest} may be null when the upstream does not say; {@code size} -1 when unknown. */
    record Head(Digest digest, String mediaType, long size) {
    }

    record Body(int status, String contentType, String link, Buffer bytes) {
    }
}
