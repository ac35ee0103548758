package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on 127.0.0.1 with filesystem storage in a
 * temp dir. Either a plain registry (the upstream) or, with a remote URL, distribution's own
 * pull-through proxy mode (a benchmark anchor). Stop and start keep port and storage.
 */
public final class DockerRegistry implements AutoCloseable {
    private static final String BINARY = System.getProperty("entrepot.e2e.registry", "/usr/bin/docker-registry");

    private final Path dir;
    private final int port;
    private final Path config;
    private ManagedProcess process;

    private DockerRegistry(Path dir, int port, Path config) {
        this.dir = dir;
        this.port = port;
        this.config = config;
    }

    public static DockerRegistry start(Path dir) {
        return start(dir, null);
    }

    /** @param proxyRemoteUrl null for a plain registry, else distribution's proxy mode in front of it */
    public static DockerRegistry start(Path dir, String proxyRemoteUrl) {
        try {
            Files.createDirectories(dir.resolve("data"));
            int port = Ports.free();
            String yaml = """
                    version: 0.1
                    log:
                      level: warn
                      accesslog:
                        disabled: false
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                      cache:
                        blobdescriptor: inmemory
                    http:
                      addr: 127.0.0.1:%d
                    """.formatted(dir.resolve("data"), port);
            if (proxyRemoteUrl != null) {
                yaml += "proxy:\n  remoteurl: " + proxyRemoteUrl + "\n";
            }
            Path config = dir.resolve("config.yml");
            Files.writeString(config, yaml);
            DockerRegistry registry = new DockerRegistry(dir, port, config);
            registry.start();
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        process = ManagedProcess.start("docker-registry:" + port, List.of(BINARY, "serve", config.toString()),
                dir.resolve("registry.log"), Map.of());
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Poll.until(Duration.ofSeconds(30), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("docker-registry exited:\n" + process.logTail(30));
            }
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(url().resolve("/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return response.statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, () -> "docker-registry on port " + port);
    }

    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    public int port() {
        return port;
    }

    /** host:port, as used in {@code docker://} references. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** skopeo reference to {@code name:tag} or {@code name@digest} in this registry. */
    public String ref(String nameAndReference) {
        return "docker://" + hostPort() + "/" + nameAndReference;
    }

    /** Pushes tag {@code tag} of a generated layout as {@code nameAndTag}; {@code extra} e.g. --all, --format v2s2. */
    public void push(ImageGenerator images, String tag, String nameAndTag, String... extra) {
        Skopeo.copyOk(images.ociRef(tag), ref(nameAndTag), extra);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public Long pid() {
        return process == null ? null : process.pid();
    }

    @Override
    public void close() {
        stop();
    }
}
