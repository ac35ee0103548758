package dev.entrepot.proxy.api;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may call the API: everyone when {@code auth.anonymousPull} is true (the default), otherwise only the
 * configured users, with HTTP Basic. Passwords are read from their files when the config is applied and kept
 * only as SHA-256 hashes, compared in constant time.
 */
public final class ClientAuth {
    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Basic realm=\"entrepot\"");

    private final boolean anonymous;
    private final Map<String, byte[]> passwordHashes;

    private ClientAuth(boolean anonymous, Map<String, byte[]> passwordHashes) {
        this.anonymous = anonymous;
        this.passwordHashes = passwordHashes;
    }

    /** Blocking: reads the users' password files. */
    public static ClientAuth of(EntrepotConfig.Auth auth) {
        Map<String, byte[]> hashes = new HashMap<>();
        for (EntrepotConfig.User user : auth.users()) {
            try {
                hashes.put(user.name(), sha256(Files.readString(user.passwordFile(), StandardCharsets.UTF_8).strip()));
            } catch (IOException e) {
                throw new ConfigException("auth", List.of("auth.users[" + user.name() + "].passwordFile: cannot read "
                        + user.passwordFile() + ": " + e));
            }
        }
        return new ClientAuth(auth.anonymousPull(), Map.copyOf(hashes));
    }

    /** Throws UNAUTHORIZED (401 with a Basic challenge) unless the request may proceed. */
    void check(String authorization) {
        if (anonymous) {
            return;
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    byte[] expected = passwordHashes.get(decoded.substring(0, colon));
                    if (expected != null && MessageDigest.isEqual(expected, sha256(decoded.substring(colon + 1)))) {
                        return;
                    }
                }
            } catch (IllegalArgumentException e) {
                // not base64: same answer as a wrong password
            }
        }
        throw new OciException(OciErrorCode.UNAUTHORIZED, 401, "authentication required", CHALLENGE);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
