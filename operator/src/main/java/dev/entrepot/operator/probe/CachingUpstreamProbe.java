package dev.entrepot.operator.probe;

import java.time.Clock;
import java.time.Duration;

/** Reuses an upstream's probe result for a while (see {@link ExpiringAnswers}). */
public final class CachingUpstreamProbe implements UpstreamProbe {

    private final UpstreamProbe delegate;
    private final ExpiringAnswers<String, Result> answers;

    public CachingUpstreamProbe(UpstreamProbe delegate, Duration cacheFor, Clock clock) {
        this.delegate = delegate;
        this.answers = new ExpiringAnswers<>(cacheFor, clock);
    }

    @Override
    public Result probe(String registryUrl) {
        return answers.get(registryUrl, delegate::probe);
    }
}
