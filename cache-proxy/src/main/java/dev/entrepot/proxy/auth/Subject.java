package dev.entrepot.proxy.auth;

/**
 * Who is asking: nobody in particular, a user of {@code auth.users}, or a Kubernetes ServiceAccount
 * ({@code namespace:name}). In tokens the subject claim is the user name, {@code system:serviceaccount:<ns>:<name>}
 * (as Kubernetes writes it; user names cannot hold a colon), or absent for anonymous tokens.
 */
public record Subject(Kind kind, String name) {
    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    public enum Kind {
        ANONYMOUS, USER, SERVICE_ACCOUNT
    }

    public static final Subject ANONYMOUS = new Subject(Kind.ANONYMOUS, "");

    public static Subject user(String name) {
        return new Subject(Kind.USER, name);
    }

    /** @param namespacedName {@code namespace:name} */
    public static Subject serviceAccount(String namespacedName) {
        return new Subject(Kind.SERVICE_ACCOUNT, namespacedName);
    }

    /** A Kubernetes user name ({@code system:serviceaccount:ns:name}) as a ServiceAccount, or null for other users. */
    public static Subject fromKubernetesUsername(String username) {
        if (username == null || !username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            return null;
        }
        String rest = username.substring(SERVICE_ACCOUNT_PREFIX.length());
        int colon = rest.indexOf(':');
        return colon <= 0 || colon == rest.length() - 1 || rest.indexOf(':', colon + 1) >= 0 ? null
                : serviceAccount(rest);
    }

    /** The token's subject claim; null for anonymous. */
    public String tokenSubject() {
        return switch (kind) {
            case ANONYMOUS -> null;
            case USER -> name;
            case SERVICE_ACCOUNT -> SERVICE_ACCOUNT_PREFIX + name;
        };
    }

    public static Subject fromTokenSubject(String sub) {
        if (sub == null || sub.isEmpty()) {
            return ANONYMOUS;
        }
        Subject account = fromKubernetesUsername(sub);
        return account != null ? account : sub.contains(":") ? null : user(sub);
    }

    public boolean anonymous() {
        return kind == Kind.ANONYMOUS;
    }

    /** For messages: never a secret. */
    public String describe() {
        return switch (kind) {
            case ANONYMOUS -> "anonymous";
            case USER -> "user " + name;
            case SERVICE_ACCOUNT -> "ServiceAccount " + name;
        };
    }
}
