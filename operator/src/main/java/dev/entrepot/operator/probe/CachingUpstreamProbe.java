package dev.entrepot.operator.probe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reuses a probe result for a while, so that the many reconciliations of a busy namespace do not
 * each call the upstream, and a steady state yields a steady status.
 */
public final class CachingUpstreamProbe implements UpstreamProbe {

    private record Entry(Result result, Instant until) {
    }

    private final UpstreamProbe delegate;
    private final Duration cacheFor;
    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public CachingUpstreamProbe(UpstreamProbe delegate, Duration cacheFor, Clock clock) {
        this.delegate = delegate;
        this.cacheFor = cacheFor;
        this.clock = clock;
    }

    @Override
    public Result probe(String registryUrl) {
        Instant now = clock.instant();
        Entry entry = entries.get(registryUrl);
        if (entry == null || now.isAfter(entry.until())) {
            entry = new Entry(delegate.probe(registryUrl), now.plus(cacheFor));
            entries.put(registryUrl, entry);
        }
        return entry.result();
    }
}
