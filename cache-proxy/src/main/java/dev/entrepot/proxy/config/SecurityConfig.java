package dev.entrepot.proxy.config;

import dev.entrepot.proxy.config.EntrepotConfig.Auth;
import dev.entrepot.proxy.config.EntrepotConfig.Binding;
import dev.entrepot.proxy.config.EntrepotConfig.Kubernetes;
import dev.entrepot.proxy.config.EntrepotConfig.Token;
import dev.entrepot.proxy.config.EntrepotConfig.User;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Defaults and checks of the {@code auth} and {@code tls} blocks (the rest of the file is {@link ConfigLoader}'s). */
final class SecurityConfig {
    static final String DEFAULT_SERVICE = "entrepot";
    static final Duration DEFAULT_TOKEN_TTL = Duration.ofMinutes(15);
    static final Duration DEFAULT_REFRESH_TTL = Duration.ofHours(24);
    static final Duration DEFAULT_REVIEW_CACHE = Duration.ofMinutes(1);
    /** {@code namespace:name} or {@code namespace:*}, as Kubernetes names them. */
    private static final Pattern SERVICE_ACCOUNT =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?:(\\*|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)");
    /** Goes into a quoted challenge parameter and a JWT claim: printable, no quotes or backslashes. */
    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9._:/-]+");

    private SecurityConfig() {
    }

    static Auth withDefaults(Auth raw) {
        if (raw == null) {
            return new Auth(true, List.of(), null, new Kubernetes(false, List.of(), DEFAULT_REVIEW_CACHE, List.of()));
        }
        Token token = raw.token() == null ? null : new Token(
                raw.token().service() == null ? DEFAULT_SERVICE : raw.token().service(),
                raw.token().signingKeyFile(),
                raw.token().ttl() == null ? DEFAULT_TOKEN_TTL : raw.token().ttl(),
                raw.token().refreshTtl() == null ? DEFAULT_REFRESH_TTL : raw.token().refreshTtl(),
                raw.token().realm());
        Kubernetes k = raw.kubernetes();
        Kubernetes kubernetes = k == null ? new Kubernetes(false, List.of(), DEFAULT_REVIEW_CACHE, List.of())
                : new Kubernetes(k.enabled() != null && k.enabled(), k.audiences() == null ? List.of() : k.audiences(),
                        k.cacheTtl() == null ? DEFAULT_REVIEW_CACHE : k.cacheTtl(),
                        k.bindings() == null ? List.of() : k.bindings());
        return new Auth(raw.anonymousPull() == null || raw.anonymousPull(),
                raw.users() == null ? List.of() : raw.users(), token, kubernetes);
    }

    static void validate(EntrepotConfig config, List<String> problems) {
        Set<String> repositories = config.repositories().stream().map(EntrepotConfig.Repository::name)
                .filter(Objects::nonNull).collect(Collectors.toSet());
        Auth auth = config.auth();
        Map<String, Path> passwordFiles = new HashMap<>();
        for (int i = 0; i < auth.users().size(); i++) {
            User u = auth.users().get(i);
            String at = "auth.users[" + i + "]";
            if (u == null || u.name() == null || u.name().isBlank() || u.name().contains(":")) {
                problems.add(at + ".name: required, without ':' (HTTP Basic cannot carry it)");
                continue;
            }
            if (u.passwordFile() == null) {
                problems.add(at + ".passwordFile: required");
            } else if (passwordFiles.containsKey(u.name()) && !passwordFiles.get(u.name()).equals(u.passwordFile())) {
                problems.add(at + ".passwordFile: user '" + u.name() + "' is listed again with another password file");
            } else {
                passwordFiles.put(u.name(), u.passwordFile());
            }
            if (u.role() == null) {
                problems.add(at + ".role: required (reader or writer)");
            }
            knownRepositories(u.repositories(), at, repositories, problems);
        }
        if (auth.token() != null) {
            Token t = auth.token();
            if (!SERVICE.matcher(t.service()).matches()) {
                problems.add("auth.token.service: letters, digits and . _ : / - only (got '" + t.service() + "')");
            }
            if (t.ttl().isNegative() || t.ttl().isZero()) {
                problems.add("auth.token.ttl: must be positive");
            }
            if (t.refreshTtl().isNegative() || t.refreshTtl().isZero()) {
                problems.add("auth.token.refreshTtl: must be positive");
            }
            if (t.realm() != null && (t.realm().getHost() == null
                    || !("http".equals(t.realm().getScheme()) || "https".equals(t.realm().getScheme())))) {
                problems.add("auth.token.realm: must be an absolute http(s) URL (got " + t.realm() + ")");
            }
        }
        Kubernetes k = auth.kubernetes();
        if (k.cacheTtl().isNegative()) {
            problems.add("auth.kubernetes.cacheTtl: must not be negative");
        }
        if (k.audiences().stream().anyMatch(a -> a == null || a.isBlank())) {
            problems.add("auth.kubernetes.audiences: entries must not be empty");
        }
        for (int i = 0; i < k.bindings().size(); i++) {
            Binding b = k.bindings().get(i);
            String at = "auth.kubernetes.bindings[" + i + "]";
            if (b == null || b.serviceAccount() == null || !SERVICE_ACCOUNT.matcher(b.serviceAccount()).matches()) {
                problems.add(at + ".serviceAccount: required, 'namespace:name' or 'namespace:*' (got "
                        + (b == null ? null : b.serviceAccount()) + ")");
                continue;
            }
            if (b.role() == null) {
                problems.add(at + ".role: required (reader or writer)");
            }
            knownRepositories(b.repositories(), at, repositories, problems);
        }
        if (config.tls() != null && (config.tls().certFile() == null || config.tls().keyFile() == null)) {
            problems.add("tls: certFile and keyFile are both required");
        }
    }

    private static void knownRepositories(List<String> names, String at, Set<String> repositories,
                                          List<String> problems) {
        if (names == null) {
            return;
        }
        if (names.isEmpty()) {
            problems.add(at + ".repositories: omit it for every repository; an empty list grants nothing");
        }
        for (String name : names) {
            if (!repositories.contains(name)) {
                problems.add(at + ".repositories: unknown repository '" + name + "'");
            }
        }
    }
}
