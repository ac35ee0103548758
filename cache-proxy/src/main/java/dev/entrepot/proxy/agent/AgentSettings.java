package dev.entrepot.proxy.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import dev.entrepot.proxy.config.GoDuration;

/**
 * What the node agent is told by its environment (the DaemonSet the operator renders sets these).
 *
 * @param listen where containerd reaches the mirror: the address hosts.toml names, loopback on the node
 * @param statusListen readiness, status and metrics (the kubelet and Prometheus reach it on the node's IP)
 * @param proxy the namespace proxy's base URL, normally its Service
 * @param sourceDir the mounted ConfigMap with one {@code <host>.hosts.toml} key per mirrored registry host
 * @param hostsDir containerd's hosts directory as containerd names it (mounted at the same path)
 * @param containerdConfig containerd's config.toml as the agent can read it (mounted from the node)
 * @param containerdVersion the containerd version the operator renders for, e.g. 1.7 or 2.1
 * @param answerTimeout how long a request may wait for response headers before the agent asks
 *        whether the proxy is alive at all
 * @param pingTimeout how long that question may take: a proxy that accepts but does not answer
 *        (stopped, overloaded) is given up after answerTimeout + pingTimeout
 * @param maxWait the longest wait for response headers from a proxy that is alive but slow
 * @param maxInFlight requests forwarded at once; more are answered 503 at once
 */
public record AgentSettings(
        HostPort listen,
        HostPort statusListen,
        URI proxy,
        Path sourceDir,
        Path hostsDir,
        Path containerdConfig,
        String containerdVersion,
        String nodeName,
        Duration syncInterval,
        Duration connectTimeout,
        Duration answerTimeout,
        Duration pingTimeout,
        Duration maxWait,
        Duration shutdownGrace,
        int maxInFlight) {

    public record HostPort(String host, int port) {

        static HostPort parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected host:port, got '" + text + "'");
            }
            return new HostPort(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** Reads ENTREPOT_AGENT_* variables; only the proxy URL has no default. */
    public static AgentSettings from(Map<String, String> env) {
        Function<String, String> get = name -> env.get("ENTREPOT_AGENT_" + name);
        String proxy = get.apply("PROXY_URL");
        if (proxy == null || proxy.isBlank()) {
            throw new IllegalArgumentException("ENTREPOT_AGENT_PROXY_URL is required (the proxy's base URL,"
                    + " e.g. http://entrepot.team-a.svc:5000)");
        }
        URI proxyUrl = URI.create(proxy.replaceFirst("/+$", ""));
        if (proxyUrl.getHost() == null || !(proxyUrl.getScheme().equals("http") || proxyUrl.getScheme().equals("https"))) {
            throw new IllegalArgumentException("ENTREPOT_AGENT_PROXY_URL must be an http(s) URL, got " + proxy);
        }
        return new AgentSettings(
                HostPort.parse(or(get.apply("LISTEN"), "127.0.0.1:5050")),
                HostPort.parse(or(get.apply("STATUS_LISTEN"), "0.0.0.0:5051")),
                proxyUrl,
                Path.of(or(get.apply("SOURCE_DIR"), "/etc/entrepot/node-mirror")),
                Path.of(or(get.apply("HOSTS_DIR"), "/etc/containerd/certs.d")),
                Path.of(or(get.apply("CONTAINERD_CONFIG"), "/host/etc/containerd/config.toml")),
                or(get.apply("CONTAINERD_VERSION"), "1.7"),
                or(env.get("NODE_NAME"), "localhost"),
                duration(get.apply("SYNC_INTERVAL"), "2s"),
                duration(get.apply("CONNECT_TIMEOUT"), "500ms"),
                duration(get.apply("ANSWER_TIMEOUT"), "500ms"),
                duration(get.apply("PING_TIMEOUT"), "500ms"),
                duration(get.apply("MAX_WAIT"), "30s"),
                duration(get.apply("SHUTDOWN_GRACE"), "5s"),
                Integer.parseInt(or(get.apply("MAX_IN_FLIGHT"), "256")));
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static Duration duration(String value, String fallback) {
        return GoDuration.parse(or(value, fallback));
    }
}
