package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.upstream.UpstreamException;
import java.util.Map;
import org.jboss.logging.Logger;

/** How an upstream's failure reads to our client: the one mapping for manifests, blobs, tags, referrers and downloads. */
final class UpstreamErrors {
    private static final Logger LOG = Logger.getLogger(UpstreamErrors.class);

    private UpstreamErrors() {
    }

    /**
     * Why a blob download did not complete: upstream failures before the first byte keep their status (for
     * {@link #toOci} to map), anything later is the upstream's bad transfer.
     */
    static Throwable transferFailure(Digest digest, Throwable failure) {
        if (failure instanceof UpstreamException
                || failure instanceof OciException oci && oci.code() != OciErrorCode.DIGEST_INVALID) {
            return failure; // already said how it reads to a client
        }
        if (failure instanceof OciException oci && oci.code() == OciErrorCode.DIGEST_INVALID) {
            return new OciException(OciErrorCode.DIGEST_INVALID, 502, "upstream sent bytes that do not match "
                    + digest + "; nothing was stored", Map.of());
        }
        return new OciException(OciErrorCode.UNAVAILABLE, 502, "download of " + digest + " from upstream failed: "
                + failure.getMessage(), Map.of());
    }

    /**
     * @param unknown the code for "the upstream does not have it" (MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN)
     * @param what    what was asked for, for the message
     */
    static OciException toOci(Throwable failure, OciErrorCode unknown, String what) {
        if (failure instanceof OciException oci) {
            return oci;
        }
        if (failure instanceof UpstreamException up) {
            int status = up.status();
            if (status == 404) {
                return new OciException(unknown, what + " not found upstream");
            }
            if (status == 401 || status == 403) {
                // Docker Hub answers 401 for images that do not exist as well as for private ones.
                return new OciException(unknown, unknown.status(), what + " not found upstream (access refused: "
                        + "it does not exist, or the repository needs credentials)", Map.of());
            }
            if (status == 429) {
                long seconds = up.retryAfter() == null ? 10 : Math.max(1, up.retryAfter().toSeconds());
                return new OciException(OciErrorCode.TOOMANYREQUESTS, 429, "upstream rate limit reached for " + what
                        + " and nothing cached; retry after " + seconds + "s", Map.of("Retry-After", Long.toString(seconds)));
            }
            if (status == 0) {
                return new OciException(OciErrorCode.UNAVAILABLE, what + " is not cached and the upstream is "
                        + "unreachable: " + up.getMessage());
            }
            if (status >= 500) {
                return new OciException(OciErrorCode.UNAVAILABLE, what + " is not cached and the upstream failed: "
                        + up.getMessage());
            }
            return new OciException(OciErrorCode.UNAVAILABLE, 502, "unexpected upstream answer for " + what + ": "
                    + up.getMessage(), Map.of());
        }
        LOG.errorf(failure, "failure serving %s", what);
        return new OciException(OciErrorCode.UNKNOWN, "internal error serving " + what + ": " + failure);
    }
}
