package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;

/** A manifest exactly as the upstream served it: its bytes are never re-encoded. */
public record StoredManifest(Digest digest, String mediaType, byte[] bytes) {
}
