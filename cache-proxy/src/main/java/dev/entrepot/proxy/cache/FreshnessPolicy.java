package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.upstream.UpstreamException;
import java.time.Duration;

/**
 * When a cached tag may be served without asking the upstream, and when a stale one may stand in for an
 * upstream that fails. Digests never expire: content addressed by its hash cannot change.
 */
public final class FreshnessPolicy {
    private final long ttlMillis;
    private final Duration notFoundTtl;

    public FreshnessPolicy(Duration tagTtl) {
        this(tagTtl, Duration.ZERO);
    }

    /** @param notFoundTtl how long an upstream's "I do not have it" is believed (zero: not at all) */
    public FreshnessPolicy(Duration tagTtl, Duration notFoundTtl) {
        this.ttlMillis = tagTtl.toMillis();
        this.notFoundTtl = notFoundTtl;
    }

    public Duration notFoundTtl() {
        return notFoundTtl;
    }

    /** A definite "does not exist" from the upstream (not a failure to answer): worth remembering briefly. */
    public boolean isAbsence(Throwable upstreamFailure) {
        return upstreamFailure instanceof UpstreamException e && (e.status() == 404 || e.status() == 401
                || e.status() == 403);
    }

    /** A tag confirmed by the upstream at {@code checkedAtMillis} is served as is until the TTL passes. */
    public boolean isFresh(long checkedAtMillis, long nowMillis) {
        return nowMillis - checkedAtMillis < ttlMillis;
    }

    /**
     * stale-if-error: a known tag is served when the upstream cannot answer (no connection, 5xx, rate limited).
     * A definite answer (404: the tag is gone, 401/403: we may no longer see it) is passed on instead.
     */
    public boolean mayServeStale(Throwable upstreamFailure) {
        return upstreamFailure instanceof UpstreamException e && e.isUpstreamFailure();
    }
}
