package dev.entrepot.proxy.auth;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may do what, with HTTP Basic credentials of {@code auth.users}: pulls are anonymous when
 * {@code auth.anonymousPull} is true (the default), else need any user; pushes and deletes need a writer. Without
 * any user configured and anonymous pull on, the registry is open, pushes included (as distribution is out of the
 * box). Passwords are read when the config is applied and kept only as SHA-256 hashes, compared in constant time.
 */
public final class ClientAuth {
    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Basic realm=\"entrepot\"");

    private record User(byte[] passwordHash, EntrepotConfig.Role role) {
    }

    private final boolean anonymousPull;
    private final Map<String, User> users;

    private ClientAuth(boolean anonymousPull, Map<String, User> users) {
        this.anonymousPull = anonymousPull;
        this.users = users;
    }

    /** Blocking: reads the users' password files. */
    public static ClientAuth of(EntrepotConfig.Auth auth) {
        Map<String, User> users = new HashMap<>();
        for (EntrepotConfig.User user : auth.users()) {
            try {
                String password = Files.readString(user.passwordFile(), StandardCharsets.UTF_8).strip();
                users.put(user.name(), new User(sha256(password), user.role()));
            } catch (IOException e) {
                throw new ConfigException("auth", List.of("auth.users[" + user.name() + "].passwordFile: cannot read "
                        + user.passwordFile() + ": " + e));
            }
        }
        return new ClientAuth(auth.anonymousPull(), Map.copyOf(users));
    }

    /** True when anyone who reaches the proxy may push (no users configured). */
    public boolean openForPushes() {
        return anonymousPull && users.isEmpty();
    }

    /**
     * Throws UNAUTHORIZED (401 with a Basic challenge) when credentials are missing or wrong, DENIED (403) when
     * the user may not do {@code action}.
     *
     * @param repository the repository asked for, or null for registry-wide calls (catalog, version check, admin)
     */
    public void authorize(String authorization, String repository, Action action) {
        if (action == Action.PULL ? anonymousPull : openForPushes()) {
            return;
        }
        Map.Entry<String, User> user = authenticate(authorization);
        if (user == null) {
            throw new OciException(OciErrorCode.UNAUTHORIZED, 401, "authentication required", CHALLENGE);
        }
        if (action != Action.PULL && user.getValue().role() != EntrepotConfig.Role.WRITER) {
            throw new OciException(OciErrorCode.DENIED, "user " + user.getKey() + " may pull but not "
                    + action.name().toLowerCase() + (repository == null ? "" : " in repository " + repository));
        }
    }

    private Map.Entry<String, User> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return null;
            }
            User user = users.get(decoded.substring(0, colon));
            if (user != null && MessageDigest.isEqual(user.passwordHash(), sha256(decoded.substring(colon + 1)))) {
                return Map.entry(decoded.substring(0, colon), user);
            }
            return null;
        } catch (IllegalArgumentException e) {
            return null; // not base64: same answer as a wrong password
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
