package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A private containerd (root, state and sockets in a temp dir; CRI and unusable snapshotters
 * off) pulling with {@code ctr --hosts-dir}, so the hosts.toml written here decides where
 * {@code docker.io} pulls go. Needs root.
 */
public final class Containerd implements AutoCloseable {
    private static final Duration CTR_TIMEOUT = Duration.ofMinutes(3);

    private final Path dir;
    private final ManagedProcess process;

    private Containerd(Path dir, ManagedProcess process) {
        this.dir = dir;
        this.process = process;
    }

    public static Containerd start(Path dir) {
        try {
            Files.createDirectories(dir);
            String toml = """
                    version = 2
                    root = "%1$s/root"
                    state = "%1$s/state"
                    disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", \
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", \
                    "io.containerd.snapshotter.v1.aufs"]
                    [grpc]
                      address = "%1$s/containerd.sock"
                    [ttrpc]
                      address = "%1$s/containerd.sock.ttrpc"
                    [plugins."io.containerd.internal.v1.opt"]
                      path = "%1$s/opt"
                    # CRI is off and ctr takes --hosts-dir, but the node agent checks this like on a node.
                    [plugins."io.containerd.grpc.v1.cri".registry]
                      config_path = "%1$s/certs.d"
                    """.formatted(dir);
            Path config = dir.resolve("config.toml");
            Files.writeString(config, toml);
            ManagedProcess process = ManagedProcess.start("containerd",
                    List.of("containerd", "--config", config.toString()), dir.resolve("containerd.log"), Map.of());
            Containerd containerd = new Containerd(dir, process);
            Poll.until(Duration.ofSeconds(30), () -> {
                if (!process.isAlive()) {
                    throw new AssertionError("containerd exited:\n" + process.logTail(30));
                }
                return containerd.ctr("version").ok();
            }, () -> "containerd ready\n" + process.logTail(20));
            return containerd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** hosts.toml for {@code registryHost}: no usable default server, the mirror for pull and resolve. */
    public Path writeHosts(String registryHost, String mirrorHostPort) {
        try {
            Path hostsDir = dir.resolve("certs.d");
            Path file = hostsDir.resolve(registryHost).resolve("hosts.toml");
            Files.createDirectories(file.getParent());
            Files.writeString(file, """
                    server = "http://127.0.0.1:1"

                    [host."http://%s"]
                      capabilities = ["pull", "resolve"]
                    """.formatted(mirrorHostPort));
            return hostsDir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hosts directory {@link #pull} uses, as config.toml's config_path names it. */
    public Path hostsDir() {
        return dir.resolve("certs.d");
    }

    public Path configFile() {
        return dir.resolve("config.toml");
    }

    public Exec.Result ctr(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("ctr", "--address", dir.resolve("containerd.sock").toString()));
        command.addAll(List.of(args));
        return Exec.run(CTR_TIMEOUT, command);
    }

    /** {@code ctr images pull} (which also unpacks) with the native snapshotter and our hosts dir. */
    public Exec.Result pull(String reference) {
        return pull(reference, hostsDir());
    }

    /** The same with another hosts directory (e.g. one without a mirror, for comparison). */
    public Exec.Result pull(String reference, Path hostsDir) {
        return ctr("images", "pull", "--snapshotter", "native", "--hosts-dir", hostsDir.toString(), reference);
    }

    /** Removes the image and garbage-collects its content and snapshots, so a new pull fetches again. */
    public void removeImage(String reference) {
        ctr("images", "rm", "--sync", reference).requireOk();
    }

    public Exec.Result contentList() {
        return ctr("content", "ls", "-q");
    }

    /** A file unpacked by the native snapshotter into any snapshot, found by its path in the image. */
    public Optional<Path> unpackedFile(String pathInImage) {
        Path snapshots = dir.resolve("root/io.containerd.snapshotter.v1.native/snapshots");
        if (!Files.isDirectory(snapshots)) {
            return Optional.empty();
        }
        try (Stream<Path> ids = Files.list(snapshots)) {
            return ids.map(id -> id.resolve(pathInImage)).filter(Files::isRegularFile).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String logTail(int lines) {
        return process.logTail(lines);
    }

    @Override
    public void close() {
        process.stop();
    }
}
