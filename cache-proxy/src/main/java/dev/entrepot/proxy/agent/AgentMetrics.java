package dev.entrepot.proxy.agent;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * Every metric of the node agent, a process of its own with its own registry (served on the status
 * port at /metrics). Names are prefixed {@code entrepot_node_agent_}.
 */
public final class AgentMetrics {

    public static final String REQUESTS = "entrepot_node_agent_requests";
    public static final String PROXY_UP = "entrepot_node_agent_proxy_up";
    public static final String CONFIG_PATH_OK = "entrepot_node_agent_containerd_config_path_ok";
    public static final String MANAGED_HOSTS = "entrepot_node_agent_managed_hosts";
    public static final String SYNCS = "entrepot_node_agent_syncs";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger proxyUp = new AtomicInteger();
    private final AtomicInteger configPathOk = new AtomicInteger();
    private final AtomicInteger managedHosts = new AtomicInteger();

    public AgentMetrics() {
        Gauge.builder(PROXY_UP, proxyUp, AtomicInteger::get)
                .description("1 while the proxy answers, 0 while the agent answers 503 for it").register(registry);
        Gauge.builder(CONFIG_PATH_OK, configPathOk, AtomicInteger::get)
                .description("1 when containerd's registry config_path includes the hosts directory the agent writes")
                .register(registry);
        Gauge.builder(MANAGED_HOSTS, managedHosts, AtomicInteger::get)
                .description("registry hosts whose hosts.toml the agent manages").register(registry);
        for (String result : new String[] {"proxied", "connect_failed", "not_answering", "proxy_down", "overloaded"}) {
            counter(result); // every result is exported from the start, also at zero
        }
        Counter.builder(SYNCS).tag("result", "ok").register(registry);
        Counter.builder(SYNCS).tag("result", "failed").register(registry);
    }

    /** @param result proxied, or why the agent answered 503 itself */
    void request(String result) {
        counter(result).increment();
    }

    private Counter counter(String result) {
        return Counter.builder(REQUESTS).tag("result", result)
                .description("pull requests from containerd: proxied, or answered 503 by the agent (and why)")
                .register(registry);
    }

    void proxyUp(boolean up) {
        proxyUp.set(up ? 1 : 0);
    }

    void configPathOk(boolean ok) {
        configPathOk.set(ok ? 1 : 0);
    }

    void managedHosts(int hosts) {
        managedHosts.set(hosts);
    }

    void sync(boolean ok) {
        Counter.builder(SYNCS).tag("result", ok ? "ok" : "failed").register(registry).increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
