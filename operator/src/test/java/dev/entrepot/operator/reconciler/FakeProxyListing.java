package dev.entrepot.operator.reconciler;

import dev.entrepot.operator.probe.ProxyEndpoint;
import dev.entrepot.operator.probe.ProxyListing;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Stands for the proxies' listings in Quarkus tests: counts set per namespace; none set, no answer. */
@ApplicationScoped
public class FakeProxyListing implements ProxyListing {

    private final Map<String, Listing> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    public void answer(String namespace, Map<String, Counts> counts) {
        answers.put(namespace, Listing.answered(counts));
    }

    public void fail(String namespace, String why) {
        answers.put(namespace, Listing.failed(why));
    }

    public int calls(String namespace) {
        return calls.computeIfAbsent(namespace, ns -> new AtomicInteger()).get();
    }

    @Override
    public Listing list(ProxyEndpoint endpoint) {
        calls.computeIfAbsent(endpoint.namespace(), ns -> new AtomicInteger()).incrementAndGet();
        return answers.getOrDefault(endpoint.namespace(), Listing.failed("no fake listing in " + endpoint.namespace()));
    }
}
