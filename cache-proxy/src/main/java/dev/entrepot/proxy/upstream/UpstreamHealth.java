package dev.entrepot.proxy.upstream;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one remote repository's upstream did the last times it was asked, fed by the fetches clients cause (and by a
 * probe only when someone asks for one): no traffic of its own. Any HTTP answer of the registry below 500, a 404
 * or a 401 included, means it is reachable; no answer, a 5xx or a rate limit means it is not, with the cause in the
 * words the log uses. Never part of readiness: a dead Docker Hub must not take the proxy out of its Service.
 */
public final class UpstreamHealth {
    public enum State { REACHABLE, UNREACHABLE, UNKNOWN }

    /** {@code lastFailureCause} is null while no failure was seen. */
    public record Report(URI url, State state, Instant lastSuccess, Instant lastFailure, String lastFailureCause) {
    }

    private record Seen(Instant lastSuccess, Instant lastFailure, String lastFailureCause) {
    }

    private final URI url;
    private final Clock clock;
    private final AtomicReference<Seen> seen = new AtomicReference<>(new Seen(null, null, null));

    public UpstreamHealth(URI url, Clock clock) {
        this.url = url;
        this.clock = clock;
    }

    public URI url() {
        return url;
    }

    /** The registry answered (whatever it said about the image). */
    public void answered() {
        Instant now = clock.instant();
        seen.updateAndGet(s -> new Seen(now, s.lastFailure(), s.lastFailureCause()));
    }

    /** No answer, a 5xx or a rate limit; {@code cause} as a person reads it. */
    public void failed(String cause) {
        Instant now = clock.instant();
        seen.updateAndGet(s -> new Seen(s.lastSuccess(), now, cause));
    }

    /** Records the outcome of one exchange: only the upstream's own failures count against it. */
    void record(Throwable failure) {
        if (failure == null) {
            answered();
        } else if (failure instanceof UpstreamException up) {
            if (up.isUpstreamFailure()) {
                failed(up.getMessage());
            } else {
                answered();
            }
        }
    }

    /** The latest outcome decides the state; nothing seen yet is {@link State#UNKNOWN}. */
    public Report report() {
        Seen s = seen.get();
        State state;
        if (s.lastSuccess() == null && s.lastFailure() == null) {
            state = State.UNKNOWN;
        } else if (s.lastFailure() == null || (s.lastSuccess() != null && !s.lastSuccess().isBefore(s.lastFailure()))) {
            state = State.REACHABLE;
        } else {
            state = State.UNREACHABLE;
        }
        return new Report(url, state, s.lastSuccess(), s.lastFailure(), s.lastFailureCause());
    }
}
