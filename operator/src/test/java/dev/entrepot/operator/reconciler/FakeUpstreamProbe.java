package dev.entrepot.operator.reconciler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import dev.entrepot.operator.probe.UpstreamProbe;

/** Replaces the HTTP probe in Quarkus tests: answers are set per URL, calls are counted. */
@ApplicationScoped
public class FakeUpstreamProbe implements UpstreamProbe {

    private final Map<String, Result> answers = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();

    public void answer(String url, Result result) {
        answers.put(url, result);
    }

    public int calls() {
        return calls.get();
    }

    @Override
    public Result probe(String registryUrl) {
        calls.incrementAndGet();
        return answers.getOrDefault(registryUrl, Result.reachable(registryUrl + "/v2/ answered 401"));
    }
}
