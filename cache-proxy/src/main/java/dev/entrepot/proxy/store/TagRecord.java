package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.time.Instant;

/** What a tag pointed to when the upstream last confirmed it ({@code checkedAt}). */
public record TagRecord(Digest digest, Instant checkedAt) {
}
