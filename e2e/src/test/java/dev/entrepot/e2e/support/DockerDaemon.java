package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A private Docker daemon (Debian's {@code docker.io}, dockerd 20.10) and the docker CLI that talks to it: data-root
 * in the test's work dir; exec-root, pidfile and API socket in a short temp dir under /tmp (socket paths are limited
 * to 108 bytes); vfs storage, no iptables, no bridge, no ip_forward sysctl, so it changes nothing on the host and
 * needs no kernel features beyond what containerd needs. The CLI gets its own config dir, so {@code docker login}
 * never touches the user's {@code ~/.docker}. Needs root. Images come from the registries under test only (no
 * internet): {@code docker pull} from the proxy.
 */
public final class DockerDaemon implements AutoCloseable {
    /** Debian's binaries, by path: another {@code docker} may come first on PATH. */
    private static final String DOCKERD = System.getProperty("entrepot.e2e.dockerd", "/usr/sbin/dockerd");
    private static final String DOCKER = System.getProperty("entrepot.e2e.docker", "/usr/bin/docker");
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);

    private final Path runDir;
    private final Path clientConfig;
    private final ManagedProcess process;

    private DockerDaemon(Path runDir, Path clientConfig, ManagedProcess process) {
        this.runDir = runDir;
        this.clientConfig = clientConfig;
        this.process = process;
    }

    /** @param insecureRegistries host:port of every plain-http registry the tests use */
    public static DockerDaemon start(Path dir, List<String> insecureRegistries) {
        if (!Files.isExecutable(Path.of(DOCKERD)) || !Files.isExecutable(Path.of(DOCKER))) {
            throw new AssertionError(DOCKERD + " or " + DOCKER + " missing: apt-get install -y docker.io");
        }
        try {
            Files.createDirectories(dir);
            Path runDir = Files.createTempDirectory("entrepot-dockerd");
            Path daemonJson = dir.resolve("daemon.json");
            Files.writeString(daemonJson, """
                    {
                      "storage-driver": "vfs",
                      "iptables": false,
                      "ip-forward": false,
                      "ip-masq": false,
                      "bridge": "none",
                      "insecure-registries": [%s],
                      "deprecated-key-path": "%s"
                    }
                    """.formatted(insecureRegistries.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(", ")),
                    dir.resolve("key.json"))); // else dockerd writes its identity to /etc/docker/key.json
            List<String> command = List.of(DOCKERD,
                    "--config-file", daemonJson.toString(),
                    "--data-root", dir.resolve("data-root").toString(),
                    "--exec-root", runDir.resolve("exec").toString(),
                    "--pidfile", runDir.resolve("docker.pid").toString(),
                    "--host", "unix://" + runDir.resolve("docker.sock"));
            ManagedProcess process = ManagedProcess.start("dockerd", command, dir.resolve("dockerd.log"), Map.of());
            DockerDaemon daemon = new DockerDaemon(runDir, dir.resolve("client"), process);
            try {
                Poll.until(Duration.ofSeconds(60), () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("dockerd exited during start:\n" + process.logTail(30));
                    }
                    return Files.exists(runDir.resolve("docker.sock")) && daemon.docker("version").ok();
                }, () -> "dockerd ready\n" + process.logTail(20));
            } catch (RuntimeException | AssertionError e) {
                daemon.close(); // nobody else will: the caller never gets the daemon
                throw e;
            }
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code docker --config <private> --host <our socket> args...} */
    public Exec.Result docker(String... args) {
        List<String> command = new ArrayList<>(List.of(DOCKER, "--config", clientConfig.toString(),
                "--host", "unix://" + runDir.resolve("docker.sock")));
        command.addAll(List.of(args));
        return Exec.run(CLI_TIMEOUT, command);
    }

    public Exec.Result dockerOk(String... args) {
        return docker(args).requireOk();
    }

    /**
     * {@code docker login} with the password on the command line (the test runner gives commands no stdin; the CLI
     * warns about it, which is fine for a test password).
     */
    public Exec.Result login(String hostPort, String user, String password) {
        return docker("login", "--username", user, "--password", password, hostPort);
    }

    /**
     * Copies files out of an image as dockerd unpacked it: into a container that is created, never started (the test
     * images hold no binaries), then removed. Answers the copies, one per path, in {@code dir}.
     */
    public List<Path> copyFromImage(String reference, List<String> pathsInImage, Path dir) {
        String container = dockerOk("create", "--network", "none", reference, "/none").stdout().trim();
        try {
            Files.createDirectories(dir);
            List<Path> copies = new ArrayList<>();
            for (String path : pathsInImage) {
                Path copy = dir.resolve(Path.of(path).getFileName().toString());
                dockerOk("cp", container + ":" + path, copy.toString());
                copies.add(copy);
            }
            return copies;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            docker("rm", container);
        }
    }

    public String logTail(int lines) {
        return process.logTail(lines);
    }

    @Override
    public void close() {
        process.stop();
        WorkDirs.deleteRecursively(runDir);
    }
}
