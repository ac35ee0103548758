package dev.entrepot.proxy.auth;

import dev.entrepot.proxy.config.EntrepotConfig.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The roles one subject holds: on every repository, and per repository; several grants add up (writer beats reader). */
final class Grants {
    static final Grants NONE = new Grants(null, Map.of());

    private final Role everywhere;
    private final Map<String, Role> byRepository;

    private Grants(Role everywhere, Map<String, Role> byRepository) {
        this.everywhere = everywhere;
        this.byRepository = byRepository;
    }

    /** @param repositories null: every repository */
    Grants plus(Role role, List<String> repositories) {
        if (repositories == null) {
            return new Grants(max(everywhere, role), byRepository);
        }
        Map<String, Role> next = new HashMap<>(byRepository);
        for (String repository : repositories) {
            next.merge(repository, role, Grants::max);
        }
        return new Grants(everywhere, Map.copyOf(next));
    }

    /** The strongest role on {@code repository}, or null. */
    Role role(String repository) {
        return max(everywhere, byRepository.get(repository));
    }

    /** True when {@code role} (or more) is held on every repository, present and future. */
    boolean everywhere(Role role) {
        return everywhere != null && everywhere.compareTo(role) >= 0;
    }

    static boolean covers(Role held, Action action) {
        return held != null && (action == Action.PULL || held == Role.WRITER);
    }

    private static Role max(Role a, Role b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }
}
