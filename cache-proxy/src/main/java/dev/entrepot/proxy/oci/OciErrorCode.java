package dev.entrepot.proxy.oci;

/** The error codes of the OCI distribution spec (plus the few distribution adds), each with its HTTP status. */
public enum OciErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    /** Not in the spec's table: a Range that does not overlap the blob (RFC 9110 416). */
    RANGE_NOT_SATISFIABLE(416, "requested range not satisfiable"),
    /** distribution's code for an upstream that cannot be reached or failed. */
    UNAVAILABLE(503, "service unavailable"),
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    /** distribution's code for a failure of the registry itself (never used for client mistakes). */
    UNKNOWN(500, "unknown error");

    private final int status;
    private final String defaultMessage;

    OciErrorCode(int status, String defaultMessage) {
        this.status = status;
        this.defaultMessage = defaultMessage;
    }

    public int status() {
        return status;
    }

    public String defaultMessage() {
        return defaultMessage;
    }
}
