package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.ReferencedFiles;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jboss.logging.Logger;

/**
 * Polls {@code entrepot.yaml} (and the credential files it names: upstream credentials, users' passwords, the token
 * signing key) and applies a changed, valid file without
 * restart. Polling (not inotify) because
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
        this.lastSeen = fingerprint(loaded);
    }

    /**
     * The config file plus the credential, password, key and header files it names: a rotated Secret changes only
     * the latter, and must reach the upstream clients, the authenticator and the notification deliveries too (TLS
     * files are watched on their own).
     */
    private byte[] fingerprint(byte[] config) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(config);
        ReferencedFiles.of(runtime.config()).forEach((key, secret) -> {
            if (key.startsWith("tls.")) {
                return;
            }
            all.write(0);
            try {
                all.writeBytes(Files.readAllBytes(secret));
            } catch (IOException e) {
                all.write(1); // unreadable counts as a state too: its return is a change
            }
        });
        return all.toByteArray();
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
        byte[] seen = fingerprint(content);
        if (Arrays.equals(seen, lastSeen)) {
            return;
        }
        lastSeen = seen;
        try {
            runtime.apply(ConfigLoader.parse(new String(content, StandardCharsets.UTF_8), file.toString()),
                    file.toString(), content);
            lastSeen = fingerprint(content); // now over the credential files the new config names
        } catch (ConfigException e) {
            runtime.rejected(file.toString(), e.getMessage());
        }
    }
}
