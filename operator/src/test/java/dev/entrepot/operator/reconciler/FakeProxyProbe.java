package dev.entrepot.operator.reconciler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.entrepot.operator.probe.ProxyEndpoint;
import dev.entrepot.operator.probe.ProxyProbe;
import dev.entrepot.operator.render.ProxyConfigRenderer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands for the proxies in Quarkus tests, which never run: answers are set per namespace, and a
 * namespace without one is unreachable. Calls are counted per namespace.
 */
@ApplicationScoped
public class FakeProxyProbe implements ProxyProbe {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, Report> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    public void answer(String namespace, Report report) {
        answers.put(namespace, report);
    }

    /** As a proxy that applied this entrepot.yaml: it serves every repository in it but {@code unserved}. */
    public void applied(String namespace, String entrepotYaml, String... unserved) {
        Set<String> served = new HashSet<>();
        try {
            YAML.readTree(entrepotYaml).path("repositories").forEach(r -> served.add(r.path("name").asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        served.removeAll(Arrays.asList(unserved));
        answer(namespace, Report.answered(true, ProxyConfigRenderer.sha256(entrepotYaml), served, Set.of(unserved),
                null, "fake proxy of " + namespace + " answered 200"));
    }

    public int calls(String namespace) {
        return calls.computeIfAbsent(namespace, ns -> new AtomicInteger()).get();
    }

    /** The endpoints the operator asked, in the order it asked them (the last one per namespace wins). */
    private final Map<String, ProxyEndpoint> endpoints = new ConcurrentHashMap<>();

    public ProxyEndpoint lastEndpoint(String namespace) {
        return endpoints.get(namespace);
    }

    @Override
    public Report probe(ProxyEndpoint endpoint) {
        String namespace = endpoint.namespace();
        endpoints.put(namespace, endpoint);
        calls.computeIfAbsent(namespace, ns -> new AtomicInteger()).incrementAndGet();
        return answers.getOrDefault(namespace, Report.unreachable("no fake proxy answers in " + namespace));
    }
}
