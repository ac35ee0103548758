package dev.entrepot.proxy.auth;

import java.util.Locale;

/** What a request wants to do to a repository; push and delete need a writer. Token scopes name them in lowercase. */
public enum Action {
    PULL, PUSH, DELETE;

    public String scopeName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action a token scope names, or null for one we do not know (ignored, as distribution does). */
    public static Action ofScopeName(String name) {
        return switch (name) {
            case "pull" -> PULL;
            case "push" -> PUSH;
            case "delete" -> DELETE;
            default -> null;
        };
    }
}
