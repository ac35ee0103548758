package dev.entrepot.operator.probe;

import java.time.Clock;
import java.time.Duration;

/**
 * Reuses a proxy's report for a while (see {@link ExpiringAnswers}); the reconciler asks again
 * after that time while the proxy has not caught up with the latest configuration.
 */
public final class CachingProxyProbe implements ProxyProbe {

    private final ProxyProbe delegate;
    private final ExpiringAnswers<ProxyEndpoint, Report> answers;

    public CachingProxyProbe(ProxyProbe delegate, Duration cacheFor, Clock clock) {
        this.delegate = delegate;
        this.answers = new ExpiringAnswers<>(cacheFor, clock);
    }

    @Override
    public Report probe(ProxyEndpoint endpoint) {
        return answers.get(endpoint, delegate::probe);
    }
}
