package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A directory laid out as the kubelet mounts a ConfigMap volume: each key a symlink into
 * {@code ..data}, itself a symlink to a timestamped directory, swapped by one rename when the
 * ConfigMap changes (the kubelet's atomic writer), so a reader sees one version or the next.
 */
public final class ConfigMapVolume {
    private final Path dir;
    private final AtomicInteger versions = new AtomicInteger();

    private ConfigMapVolume(Path dir) {
        this.dir = dir;
    }

    public static ConfigMapVolume create(Path dir, Map<String, String> data) {
        ConfigMapVolume volume = new ConfigMapVolume(dir);
        volume.write(data);
        return volume;
    }

    public Path dir() {
        return dir;
    }

    /** The ConfigMap's data becomes {@code data}, as one atomic change. */
    public synchronized void write(Map<String, String> data) {
        try {
            Files.createDirectories(dir);
            Path version = dir.resolve("..2026_12_02_00_00_00." + versions.incrementAndGet());
            Files.createDirectories(version);
            for (Map.Entry<String, String> e : data.entrySet()) {
                Files.writeString(version.resolve(e.getKey()), e.getValue());
            }
            Path previous = Files.isSymbolicLink(dir.resolve("..data"))
                    ? dir.resolve(Files.readSymbolicLink(dir.resolve("..data"))) : null;
            Path temp = dir.resolve("..data_tmp");
            Files.deleteIfExists(temp);
            Files.createSymbolicLink(temp, version.getFileName());
            Files.move(temp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String key : data.keySet()) {
                if (!Files.isSymbolicLink(dir.resolve(key))) {
                    Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
                }
            }
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path entry : entries.toList()) {
                    String name = entry.getFileName().toString();
                    if (!name.startsWith("..") && !data.containsKey(name)) {
                        Files.delete(entry);
                    }
                }
            }
            if (previous != null) {
                WorkDirs.deleteRecursively(previous);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
