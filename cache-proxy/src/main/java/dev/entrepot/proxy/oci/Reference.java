package dev.entrepot.proxy.oci;

import java.util.regex.Pattern;

/** A manifest reference: either a tag or a digest. */
public sealed interface Reference {
    Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    static Reference parse(String text) {
        if (Digest.looksLikeDigest(text)) {
            return new ByDigest(Digest.parse(text));
        }
        if (!TAG.matcher(text).matches()) {
            throw new OciException(OciErrorCode.MANIFEST_INVALID, "invalid tag: " + text);
        }
        return new Tag(text);
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
