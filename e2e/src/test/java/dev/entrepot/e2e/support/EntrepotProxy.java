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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The packaged cache proxy ({@code quarkus-run.jar}) as a separate JVM on 127.0.0.1, with its
 * config file and store in a work dir. Restart keeps port, config and store (crash tests).
 */
public final class EntrepotProxy implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path workDir;
    private final Path configFile;
    private final Path storage;
    private final int port;
    private final List<String> jvmArgs;
    private ManagedProcess process;
    private int starts;

    private EntrepotProxy(Path workDir, Path configFile, Path storage, int port, List<String> jvmArgs) {
        this.jvmArgs = List.copyOf(jvmArgs);
        this.workDir = workDir;
        this.configFile = configFile;
        this.storage = storage;
        this.port = port;
    }

    public static EntrepotProxy start(Path workDir, ProxyConfig config) {
        return start(workDir, config, List.of());
    }

    /** @param jvmArgs extra JVM options for this proxy, e.g. {@code -Xmx64m} */
    public static EntrepotProxy start(Path workDir, ProxyConfig config, List<String> jvmArgs) {
        EntrepotProxy proxy = prepare(workDir, config, workDir.resolve("store"), jvmArgs);
        proxy.start();
        return proxy;
    }

    /** Writes the config (store at {@code storage}, e.g. another proxy's) without starting the process. */
    public static EntrepotProxy prepare(Path workDir, ProxyConfig config, Path storage, List<String> jvmArgs) {
        try {
            Files.createDirectories(workDir);
            Path configFile = workDir.resolve("entrepot.yaml");
            Files.writeString(configFile, config.yaml(storage.toString()));
            return new EntrepotProxy(workDir, configFile, storage, Ports.free(), jvmArgs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("entrepot.proxy.jar", "../cache-proxy/target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("proxy jar not found at " + jar.toAbsolutePath()
                    + "; build it first: mvn -B -pl cache-proxy -am package -DskipTests");
        }
        return jar;
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String extra = System.getProperty("entrepot.proxy.jvmArgs", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(jvmArgs);
        command.addAll(List.of(
                "-Dentrepot.config=" + configFile,
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1",
                "-jar", jar().toAbsolutePath().toString()));
        starts++;
        process = ManagedProcess.start("entrepot:" + port, command, workDir.resolve("proxy-" + starts + ".log"), Map.of());
        Poll.until(Duration.ofSeconds(60), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("proxy exited during start:\n" + process.logTail(40));
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(url().resolve("/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                return response.statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, () -> "proxy readiness on port " + port + "\n" + process.logTail(40));
    }

    /** Rewrites the config file in place; the running proxy is expected to pick it up (hot reload). */
    public void reconfigure(ProxyConfig config) {
        writeConfig(config.yaml(storage.toString()));
    }

    /** Writes arbitrary text as the config file (e.g. an invalid one). Atomic: readers never see half a file. */
    public void writeConfig(String text) {
        try {
            Path temp = Files.createTempFile(workDir, "entrepot", ".yaml.tmp");
            Files.writeString(temp, text);
            Files.move(temp, configFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path configFile() {
        return configFile;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized void stop() {
        if (process != null) {
            process.stop();
        }
    }

    public synchronized void kill9() {
        process.kill9();
    }

    public int port() {
        return port;
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** skopeo reference through the proxy, e.g. {@code hub/library/alpine:1}. */
    public String ref(String path) {
        return "docker://" + hostPort() + "/" + path;
    }

    public OciClient client() {
        return new OciClient(url());
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public Path storage() {
        return storage;
    }

    public long pid() {
        return process.pid();
    }

    /** Exit code of the last process, null while it runs (or before the first start). */
    public Integer exitCode() {
        return process == null ? null : process.exitCode();
    }

    public String logTail(int lines) {
        return process == null ? "" : process.logTail(lines);
    }

    /** The lines the current process has logged so far. */
    public List<String> logLines() {
        try {
            return process == null ? List.of() : Files.readAllLines(process.log(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where DESIGN.md puts a verified blob: {@code blobs/sha256/<first two hex>/<hex>}. */
    public Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** Where a pushed (hosted) blob lives: {@code hosted/blobs/sha256/<first two hex>/<hex>}, apart from cached ones. */
    public Path hostedBlobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("hosted/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    /** The upload session directories under {@code uploads/}. */
    public List<Path> uploadSessions() {
        Path dir = storage.resolve("uploads");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> sessions = Files.list(dir)) {
            return sessions.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Regular files under the store's {@code tmp/} dir (downloads in progress or left behind). */
    public List<Path> tempFiles() {
        return regularFiles(storage.resolve("tmp"));
    }

    /** Sum of the sizes of the files under {@code blobs/}. */
    public long blobBytes() {
        return regularFiles(storage.resolve("blobs")).stream().mapToLong(p -> {
            try {
                return Files.size(p);
            } catch (IOException e) {
                return 0; // evicted while we looked
            }
        }).sum();
    }

    public static List<Path> regularFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException | UncheckedIOException e) {
            return regularFilesRetry(dir);
        }
    }

    private static List<Path> regularFilesRetry(Path dir) {
        // a file vanished during the walk (rename/eviction); one more try is enough
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public PrometheusText metrics() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url().resolve("/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET /q/metrics -> " + response.statusCode() + ": " + response.body());
            }
            return PrometheusText.parse(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
