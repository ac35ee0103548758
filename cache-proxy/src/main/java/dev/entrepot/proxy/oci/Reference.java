package dev.entrepot.proxy.oci;

import java.util.regex.Pattern;

/** A manifest reference: either a tag or a digest. */
public sealed interface Reference {
    Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    static Reference parse(String text) {
        if (Digest.looksLikeDigest(text)) {
            return new ByDigest(Digest.parse(text));
        }
        if (!isTag(text)) {
            throw new OciException(OciErrorCode.MANIFEST_INVALID, "invalid tag: " + text);
        }
        return new Tag(text);
    }

    /** {@link #TAG} without a regex (it runs on every request). */
    static boolean isTag(String text) {
        int length = text.length();
        if (length == 0 || length > 128) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean word = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
            if (!word && (i == 0 || c != '.' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    record Tag(String name) implements Reference {
        @Override
        public String toString() {
            return name;
        }
    }

    record ByDigest(Digest digest) implements Reference {
        @Override
        public String toString() {
            return digest.toString();
        }
    }
}
