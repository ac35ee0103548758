package dev.entrepot.proxy.upstream;

import java.time.Duration;

/** The upstream did not deliver: {@code status} is its HTTP status, or 0 when there was no answer at all. */
public class UpstreamException extends RuntimeException {
    private final int status;
    private final Duration retryAfter;

    public UpstreamException(int status, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public UpstreamException(int status, String message) {
        this(status, message, null);
    }

    public int status() {
        return status;
    }

    /** Set for 429 answers: how long the upstream asked us to wait. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** No answer, a 5xx or a rate limit: the upstream is unwell, so a cached copy may stand in (stale-if-error). */
    public boolean isUpstreamFailure() {
        return status == 0 || status >= 500 || status == 429;
    }
}
