package dev.entrepot.proxy.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.testing.MutableClock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * Auth built from YAML as the proxy builds it: password files in a temp dir, a hand-moved clock, slow checks run in
 * the calling thread (futures come back completed), one signing key for every generation.
 */
final class AuthFixture {
    static final String REPOSITORIES = """
            repositories:
              - name: team
                mode: standard
              - name: other
                mode: standard
              - name: hub
                mode: remote
                mirrorOf: [docker.io]
                remote: {url: "https://registry-1.docker.io"}
              - name: all
                mode: virtual
                virtual:
                  upstreams: [{repository: team, priority: 10}, {repository: hub, priority: 5}]
                  pushTo: team
            """;

    final Path dir;
    private String repositories = REPOSITORIES;
    final MutableClock clock = new MutableClock(1_700_000_000_000L);
    final SigningKey key = SigningKey.generate();
    Supplier<KubernetesClient> kubernetes = () -> {
        throw new AssertionError("no Kubernetes in this test");
    };

    AuthFixture(Path dir) {
        this.dir = dir;
    }

    /** Sets {@code anonymousPull} on one repository of {@link #REPOSITORIES}. */
    AuthFixture anonymousPull(String repository, boolean value) {
        String entry = "  - name: " + repository + "\n";
        repositories = repositories.replace(entry, entry + "    anonymousPull: " + value + "\n");
        return this;
    }

    /** Writes {@code content} to {@code dir/name} and answers its path (for passwordFile). */
    Path secret(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String bcrypt(String password) {
        return BCrypt.withDefaults().hashToString(4, password.toCharArray());
    }

    /** @param rest YAML after the repositories (an auth block), with {@code DIR} standing for the temp dir */
    ClientAuth auth(String rest) {
        return ClientAuth.of(config(rest), environment());
    }

    EntrepotConfig config(String rest) {
        return ConfigLoader.parse(repositories + rest.replace("DIR", dir.toString()));
    }

    AuthEnvironment environment() {
        return new AuthEnvironment(clock, Runnable::run, () -> kubernetes.get(), () -> key);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static Caller caller(ClientAuth auth, String authorization) {
        Future<Caller> caller = auth.authenticate(authorization);
        if (!caller.isComplete() || caller.failed()) {
            throw new AssertionError("authentication did not complete: " + caller.cause());
        }
        return caller.result();
    }

    static String bearer(TokenIssuer.Issued issued) {
        return "Bearer " + issued.token();
    }
}
