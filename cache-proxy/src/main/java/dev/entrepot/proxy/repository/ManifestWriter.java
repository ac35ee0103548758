package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.Reference;
import io.vertx.core.Future;

/** Manifest writes of a repository that accepts pushes. Futures fail with {@code OciException}s only. */
public interface ManifestWriter {

    /** What a stored manifest is known by; {@code subject} is non-null when it refers to another manifest. */
    record Pushed(Digest digest, Digest subject) {
    }

    /**
     * Verifies and stores a manifest exactly as sent. {@code contentType} is the request's Content-Type (may be
     * null); the body is bounded by the caller; {@code host} is how the client addressed the registry (for the events
     * this push causes; null: unknown).
     */
    Future<Pushed> put(ImageName name, Reference reference, String contentType, byte[] body, String host);

    /** By digest: the manifest and every tag pointing to it; by tag: the tag only. */
    Future<Void> delete(ImageName name, Reference reference, String host);

    default Future<Pushed> put(ImageName name, Reference reference, String contentType, byte[] body) {
        return put(name, reference, contentType, body, null);
    }

    default Future<Void> delete(ImageName name, Reference reference) {
        return delete(name, reference, null);
    }
}
