package dev.entrepot.proxy.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * A user's password as its file holds it: a bcrypt hash ({@code $2a$}, {@code $2b$}, {@code $2y$}, as
 * {@code htpasswd -B} writes them) or the password itself (kept only as its SHA-256). Comparisons are constant-time.
 * A bcrypt check costs tens of milliseconds, so it runs off the event loop, and a password it accepted is
 * remembered (as its SHA-256) until the next config generation: later requests compare hashes.
 */
final class StoredPassword {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}");
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(BCrypt.Version.VERSION_2A,
            LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A)); // htpasswd truncates at 72 bytes too

    private final String bcrypt;
    private final byte[] plainSha256;
    private volatile byte[] acceptedSha256;

    private StoredPassword(String bcrypt, byte[] plainSha256) {
        this.bcrypt = bcrypt;
        this.plainSha256 = plainSha256;
    }

    /** @param content the file's text; surrounding whitespace (a trailing newline) is not part of it */
    static StoredPassword of(String content) {
        String text = content.strip();
        return BCRYPT.matcher(text).matches() ? new StoredPassword(text, null) : new StoredPassword(null, sha256(text));
    }

    boolean hashed() {
        return bcrypt != null;
    }

    /** The answer without the slow path: TRUE or FALSE when known now, null when only a bcrypt check can tell. */
    Boolean quickCheck(String presented) {
        byte[] digest = sha256(presented);
        if (bcrypt == null) {
            return MessageDigest.isEqual(plainSha256, digest);
        }
        byte[] accepted = acceptedSha256;
        return accepted != null && MessageDigest.isEqual(accepted, digest) ? Boolean.TRUE : null;
    }

    /** The full check (blocking for a bcrypt hash: call it off the event loop). */
    boolean check(String presented) {
        Boolean quick = quickCheck(presented);
        if (quick != null) {
            return quick;
        }
        boolean ok = VERIFYER.verify(presented.toCharArray(), bcrypt).verified;
        if (ok) {
            acceptedSha256 = sha256(presented);
        }
        return ok;
    }

    /** What identifies this password (not the password): tokens are bound to it, so a rotation ends them. */
    byte[] identity() {
        return bcrypt != null ? bcrypt.getBytes(StandardCharsets.US_ASCII) : plainSha256.clone();
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
