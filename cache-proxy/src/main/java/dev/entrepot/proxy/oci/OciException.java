package dev.entrepot.proxy.oci;

import java.util.Map;

/**
 * The one typed failure every layer throws; {@code api.OciErrors} turns it into the spec's JSON body.
 * Stack traces are not captured: these are expected outcomes (a miss, a bad name), not bugs.
 */
public class OciException extends RuntimeException {
    private final OciErrorCode code;
    private final int status;
    private final Map<String, String> headers;

    public OciException(OciErrorCode code, String message) {
        this(code, code.status(), message, Map.of());
    }

    public OciException(OciErrorCode code, int status, String message, Map<String, String> headers) {
        super(message == null ? code.defaultMessage() : message, null, false, false);
        this.code = code;
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    public OciErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** Extra response headers, e.g. {@code Retry-After} or {@code Content-Range}. */
    public Map<String, String> headers() {
        return headers;
    }
}
