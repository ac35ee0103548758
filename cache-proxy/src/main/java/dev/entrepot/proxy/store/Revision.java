package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.time.Instant;

/** A manifest known under an image name, without its bytes: when it was first stored (pushed or cached). */
public record Revision(Digest digest, String mediaType, Instant storedAt) {
}
