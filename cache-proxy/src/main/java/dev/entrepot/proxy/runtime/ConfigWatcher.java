package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jboss.logging.Logger;

/**
 * Polls {@code entrepot.yaml} and applies a changed, valid file without restart. Polling (not inotify) because
 * Kubernetes updates a mounted ConfigMap by swapping a symlink, which file watches on the path miss.
 */
final class ConfigWatcher {
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class);

    private final Vertx vertx;
    private final Path file;
    private final ProxyRuntime runtime;
    private byte[] lastSeen;
    private boolean checking;
    private long timer = -1;

    ConfigWatcher(Vertx vertx, Path file, ProxyRuntime runtime, byte[] loaded) {
        this.vertx = vertx;
        this.file = file;
        this.runtime = runtime;
        this.lastSeen = loaded;
    }

    void start(long intervalMillis) {
        timer = vertx.setPeriodic(intervalMillis, id -> check());
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void check() {
        synchronized (this) {
            if (checking) {
                return;
            }
            checking = true;
        }
        vertx.executeBlocking(() -> {
            poll();
            return null;
        }, false).onComplete(ar -> {
            synchronized (this) {
                checking = false;
            }
            if (ar.failed()) {
                LOG.error("config check failed", ar.cause());
            }
        });
    }

    /** Blocking. */
    void poll() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            if (lastSeen != null) {
                runtime.rejected(file.toString(), "cannot read: " + e);
                lastSeen = null;
            }
            return;
        }
        if (Arrays.equals(content, lastSeen)) {
            return;
        }
        lastSeen = content;
        try {
            runtime.apply(ConfigLoader.parse(new String(content, StandardCharsets.UTF_8), file.toString()),
                    file.toString());
        } catch (ConfigException e) {
            runtime.rejected(file.toString(), e.getMessage());
        }
    }
}
