package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ManifestContent;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/** A manifest known under an image name, without its bytes: when it was first stored (pushed or cached). */
public record Revision(Digest digest, String mediaType, Instant storedAt) {

    /**
     * The manifest with its bytes from {@code blobs}, empty when they are gone; {@code use} false reads them without
     * counting a use (listings).
     */
    public Optional<ManifestContent> content(BlobStore blobs, boolean use) throws IOException {
        Optional<byte[]> bytes = use ? blobs.read(digest, ManifestContent.MAX_BYTES)
                : blobs.peek(digest, ManifestContent.MAX_BYTES);
        return bytes.map(b -> new ManifestContent(digest, mediaType, b));
    }
}
