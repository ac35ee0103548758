package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.config.ReferencedFiles;
import dev.entrepot.proxy.store.fs.StoreLock;
import io.quarkus.runtime.Application;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quarkus.runtime.logging.JBossVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Checks what a person can get wrong before anything starts or touches the disk: the config file (entrepot.config
 * or ENTREPOT_CONFIG) exists and is valid, every file it names can be read, the store directory is usable and no
 * other process holds it. A problem is one {@code cannot start: ...} line and exit code 2, no stack trace.
 *
 * <p>The check is mostly class loading (Jackson and SnakeYAML's first use: ~0.2-0.5 s) and so is Quarkus' static
 * init (its configuration, the bean container); neither starts anything nor touches the store, so they run side by
 * side, the check on a thread of its own. Quarkus' runtime init, the part that opens the store and the port, starts
 * only once the check passed, as before.
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        // What Quarkus.run sets before anything else (it sets them again, to the same values)
        JBossVersion.disableVersionLogging();
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        System.setProperty("java.util.concurrent.ForkJoinPool.common.threadFactory",
                "io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory");
        FutureTask<List<String>> check = new FutureTask<>(Main::check);
        Thread checker = new Thread(check, "entrepot-start-check");
        checker.setDaemon(true);
        checker.start();
        Throwable staticInitFailure = staticInit();
        List<String> problems = outcome(check);
        if (!problems.isEmpty()) {
            System.err.println("cannot start: " + String.join("; ", problems));
            System.exit(2);
        }
        if (staticInitFailure != null) {
            throw new IllegalStateException("Quarkus' static init failed", staticInitFailure);
        }
        Quarkus.run(args);
    }

    /**
     * Runs the static init of the packaged application, the first thing {@link Quarkus#run} does (it then finds the
     * class initialized). Outside a packaged application (no generated class) it does nothing and {@code Quarkus.run}
     * does it all as usual. Returns what failed, if anything.
     */
    private static Throwable staticInit() {
        try {
            Class.forName(Application.APP_CLASS_NAME, true, Thread.currentThread().getContextClassLoader());
            return null;
        } catch (ClassNotFoundException e) {
            return null;
        } catch (RuntimeException | LinkageError e) {
            return e;
        }
    }

    private static List<String> outcome(FutureTask<List<String>> check) {
        try {
            return check.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the configuration", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
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
