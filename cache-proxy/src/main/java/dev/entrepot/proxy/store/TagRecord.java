package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.time.Instant;

/** What a tag pointed to when the upstream last confirmed it ({@code checkedAt}). */
public record TagRecord(Digest digest, Instant checkedAt) {
    /** The record as stored: the digest and the check time in epoch milliseconds, space-separated. */
    public String text() {
        return digest + " " + checkedAt.toEpochMilli();
    }

    /** The record stored as {@code text}; an IllegalArgumentException when it is damaged. */
    public static TagRecord parse(String text) {
        String[] parts = text.trim().split(" ");
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected a digest and a time, got \"" + text.trim() + "\"");
        }
        try {
            return new TagRecord(Digest.parse(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1])));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
