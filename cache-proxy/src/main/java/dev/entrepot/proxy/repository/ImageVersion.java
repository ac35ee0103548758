package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import java.time.Instant;
import java.util.List;

/**
 * One version of an image as a listing shows it: {@code size} is config plus layers (for an index, its
 * manifests'), {@code created} when it was first pushed or cached, {@code updated} when a tag last moved to it (for
 * cached content: when the upstream last confirmed it), {@code lastPulled} when it was last served (null: unknown).
 */
public record ImageVersion(String repository, ImageName image, Digest digest, String mediaType, long size,
                           List<String> tags, Instant created, Instant updated, Instant lastPulled) {
}
