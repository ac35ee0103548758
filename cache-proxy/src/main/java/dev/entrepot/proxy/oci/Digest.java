package dev.entrepot.proxy.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A content digest {@code algorithm:hex}; only the algorithms the spec registers (sha256, sha512) are accepted. */
public record Digest(String algorithm, String hex) {
    public Digest {
        int length = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new OciException(OciErrorCode.DIGEST_INVALID, "unsupported digest algorithm: " + algorithm);
        };
        if (!isLowerHex(hex, length)) {
            throw new OciException(OciErrorCode.DIGEST_INVALID, "invalid " + algorithm + " digest: " + hex);
        }
    }

    /** Parses {@code sha256:<64 lowercase hex>}; anything else is {@code DIGEST_INVALID}. */
    public static Digest parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0) {
            throw new OciException(OciErrorCode.DIGEST_INVALID, "invalid digest: " + text);
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    private static boolean isLowerHex(String hex, int length) {
        if (hex.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = hex.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    public static boolean looksLikeDigest(String reference) {
        return reference.indexOf(':') > 0;
    }

    public static Digest sha256(byte[] content) {
        MessageDigest md = newHasher("sha256");
        return new Digest("sha256", HexFormat.of().formatHex(md.digest(content)));
    }

    public MessageDigest newHasher() {
        return newHasher(algorithm);
    }

    /** True when {@code hasher} (created by {@link #newHasher()} and fed the content) produced this digest. */
    public boolean matches(byte[] computed) {
        return hex.equals(HexFormat.of().formatHex(computed));
    }

    public boolean matches(MessageDigest hasher) {
        return matches(hasher.digest());
    }

    private static MessageDigest newHasher(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + algorithm, e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
