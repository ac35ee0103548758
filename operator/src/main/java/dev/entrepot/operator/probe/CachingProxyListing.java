package dev.entrepot.operator.probe;

import java.time.Clock;
import java.time.Duration;

/**
 * Asks each proxy for its counts at most once per refresh interval: the listing walks every version the proxy
 * holds, and counts in status need not be fresher than minutes.
 */
public final class CachingProxyListing implements ProxyListing {

    private final ProxyListing delegate;
    private final ExpiringAnswers<ProxyEndpoint, Listing> answers;

    public CachingProxyListing(ProxyListing delegate, Duration refresh, Clock clock) {
        this.delegate = delegate;
        this.answers = new ExpiringAnswers<>(refresh, clock);
    }

    @Override
    public Listing list(ProxyEndpoint endpoint) {
        return answers.get(endpoint, delegate::list);
    }
}
