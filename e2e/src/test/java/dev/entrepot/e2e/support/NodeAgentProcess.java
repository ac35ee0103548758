package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.entrepot.operator.render.NodeAgentRenderer;

/**
 * The node agent as the DaemonSet runs it: the packaged proxy's jars with the agent's main class and
 * JVM options from the operator's renderer, a separate process on 127.0.0.1 (mirror and status ports).
 */
public final class NodeAgentProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path workDir;
    private final List<String> command;
    private final Map<String, String> env;
    private final int mirrorPort;
    private final int statusPort;
    private ManagedProcess process;
    private int starts;

    private NodeAgentProcess(Path workDir, List<String> command, Map<String, String> env, int mirrorPort, int statusPort) {
        this.workDir = workDir;
        this.command = command;
        this.env = env;
        this.mirrorPort = mirrorPort;
        this.statusPort = statusPort;
    }

    /** Not started yet: the mirror port is known first, for the hosts.toml that names it. */
    public static NodeAgentProcess prepare(Path workDir, URI proxy, Path sourceDir, Path hostsDir, Path containerdConfig,
            String containerdVersion) {
        Path app = EntrepotProxy.jar().toAbsolutePath().getParent();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(NodeAgentRenderer.JAVA_OPTIONS);
        command.addAll(List.of("-cp", app.resolve("app") + "/*:" + app.resolve("lib/boot") + "/*:" + app.resolve("lib/main")
                + "/*", NodeAgentRenderer.MAIN_CLASS));
        int mirrorPort = Ports.free();
        int statusPort = Ports.free();
        Map<String, String> env = new HashMap<>(Map.of(
                "ENTREPOT_AGENT_PROXY_URL", proxy.toString(),
                "ENTREPOT_AGENT_LISTEN", "127.0.0.1:" + mirrorPort,
                "ENTREPOT_AGENT_STATUS_LISTEN", "127.0.0.1:" + statusPort,
                "ENTREPOT_AGENT_SOURCE_DIR", sourceDir.toString(),
                "ENTREPOT_AGENT_HOSTS_DIR", hostsDir.toString(),
                "ENTREPOT_AGENT_CONTAINERD_CONFIG", containerdConfig.toString(),
                "ENTREPOT_AGENT_CONTAINERD_VERSION", containerdVersion,
                "ENTREPOT_AGENT_SYNC_INTERVAL", "500ms",
                "NODE_NAME", "e2e-node"));
        return new NodeAgentProcess(workDir, command, env, mirrorPort, statusPort);
    }

    public synchronized NodeAgentProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        starts++;
        process = ManagedProcess.start("node-agent:" + mirrorPort, command, workDir.resolve("agent-" + starts + ".log"), env);
        Poll.until(Duration.ofSeconds(30), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("node agent exited:\n" + process.logTail(30));
            }
            return statusOrNull() != null;
        }, () -> "node agent status on port " + statusPort + "\n" + process.logTail(20));
        return this;
    }

    /** The address hosts.toml names. */
    public String mirrorUrl() {
        return "http://127.0.0.1:" + mirrorPort;
    }

    /** GET /status; null while the agent does not answer. */
    public JsonNode statusOrNull() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort
                    + "/status")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public JsonNode status() {
        JsonNode status = statusOrNull();
        if (status == null) {
            throw new AssertionError("node agent does not answer /status\n" + logTail(20));
        }
        return status;
    }

    public int readyStatusCode() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public PrometheusText metrics() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort
                    + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return PrometheusText.parse(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM, as the kubelet stops a pod. */
    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    public String logTail(int lines) {
        return process == null ? "" : process.logTail(lines);
    }

    @Override
    public void close() {
        stop();
    }
}
