package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.config.ReferencedFiles;
import dev.entrepot.proxy.store.fs.StoreLock;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks what a person can get wrong before anything starts or touches the disk: the config file (entrepot.config
 * or ENTREPOT_CONFIG) exists and is valid, every file it names can be read, the store directory is usable and no
 * other process holds it. A problem is one {@code cannot start: ...} line and exit code 2, no stack trace.
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        List<String> problems = check();
        if (!problems.isEmpty()) {
            System.err.println("cannot start: " + String.join("; ", problems));
            System.exit(2);
        }
        Quarkus.run(args);
    }

    static List<String> check() {
        String configured = System.getProperty("entrepot.config", System.getenv("ENTREPOT_CONFIG"));
        EntrepotConfig config;
        String source;
        if (configured == null || configured.isBlank()) {
            config = ConfigLoader.embeddedDefault();
            source = "the embedded default";
        } else {
            Path file = Path.of(configured);
            source = file.toString();
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                return List.of("the configuration file " + file + " (entrepot.config / ENTREPOT_CONFIG) "
                        + (Files.exists(file) ? "cannot be read" : "does not exist"));
            }
            try {
                config = ConfigLoader.load(file);
            } catch (ConfigException e) {
                return List.of(e.getMessage());
            }
        }
        List<String> problems = new ArrayList<>(ReferencedFiles.unreadable(config));
        problems.addAll(store(config.storage().path(), source));
        return problems;
    }

    /** Usable without creating anything: the directory (or its nearest existing parent) is writable and unlocked. */
    private static List<String> store(Path path, String source) {
        Path existing = path.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            return List.of("storage.path " + path + " (in " + source + "): " + existing + " is not a directory");
        }
        if (!Files.isWritable(existing)) {
            return List.of("storage.path " + path + " (in " + source + "): " + existing + " is not writable");
        }
        if (existing.equals(path.toAbsolutePath()) && Files.exists(path.resolve(StoreLock.FILE))) {
            try (StoreLock lock = StoreLock.acquire(path)) {
                return List.of();
            } catch (IllegalStateException e) {
                return List.of(e.getMessage());
            } catch (IOException e) {
                return List.of("storage.path " + path + ": " + e.getMessage());
            }
        }
        return List.of();
    }
}
