package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import java.time.Instant;

/**
 * Something that happened to an image: {@code tag} is null for a change by digest, {@code host} how the client
 * addressed the registry (null: unknown), {@code size} -1 when unknown.
 */
public record ImageEvent(Kind kind, String repository, ImageName image, Digest digest, String tag, String mediaType,
                         long size, String host, Instant time) {

    /** Container Registry's actions, plus content first cached from an upstream. */
    public enum Kind { INSERT, DELETE, CACHED }
}
