package dev.entrepot.proxy.config;

import dev.entrepot.proxy.config.EntrepotConfig.Endpoint;
import dev.entrepot.proxy.config.EntrepotConfig.EventKind;
import dev.entrepot.proxy.config.EntrepotConfig.Notifications;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Defaults and checks of the {@code notifications} block. */
final class NotificationsConfig {
    static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    /** Also a directory name in the store (the endpoint's outbox). */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private NotificationsConfig() {
    }

    static Notifications withDefaults(Notifications raw) {
        if (raw == null) {
            return new Notifications(null, DEFAULT_MAX_AGE, List.of());
        }
        List<Endpoint> endpoints = raw.endpoints() == null ? List.of() : raw.endpoints().stream()
                .map(e -> e == null ? null : new Endpoint(e.name(), e.url(), e.headersFile(),
                        e.events() == null || e.events().isEmpty() ? List.of(EventKind.INSERT, EventKind.DELETE)
                                : e.events(), e.repositories() == null ? List.of() : e.repositories()))
                .toList();
        return new Notifications(raw.host(), raw.maxAge() == null ? DEFAULT_MAX_AGE : raw.maxAge(), endpoints);
    }

    static void validate(EntrepotConfig config, List<String> problems) {
        Notifications n = config.notifications();
        if (n.maxAge().isZero()) {
            problems.add("notifications.maxAge: must be positive");
        }
        Set<String> repositories = new HashSet<>();
        config.repositories().forEach(r -> repositories.add(r.name()));
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n.endpoints().size(); i++) {
            Endpoint e = n.endpoints().get(i);
            String at = "notifications.endpoints[" + i + "]";
            if (e == null) {
                problems.add(at + ": empty entry");
                continue;
            }
            if (e.name() == null || !NAME.matcher(e.name()).matches() || !names.add(e.name())) {
                problems.add(at + ".name: required, unique, lowercase letters, digits and - (got " + e.name() + ")");
            }
            if (e.url() == null || e.url().getHost() == null
                    || !("http".equals(e.url().getScheme()) || "https".equals(e.url().getScheme()))) {
                problems.add(at + ".url: required absolute http(s) URL (got " + e.url() + ")");
            }
            for (String r : e.repositories()) {
                if (!repositories.contains(r)) {
                    problems.add(at + ".repositories: unknown repository '" + r + "'");
                }
            }
        }
    }
}
