package dev.entrepot.proxy.hosted;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.MediaTypes;
import java.util.ArrayList;
import java.util.List;

/**
 * What a manifest refers to, as {@link ManifestCheck} read it: the blobs an image needs (config, layers), the
 * manifests an index lists, an optional {@code subject}, and what the referrers API says about it
 * ({@code artifactType}: the manifest's own, else its config's media type).
 */
record ParsedManifest(String mediaType, List<Descriptor> blobs, List<Descriptor> children, Descriptor subject,
                      String artifactType, ObjectNode annotations) {

    /** {@code external}: a non-distributable layer clients fetch from its {@code urls}; never pushed here. */
    record Descriptor(Digest digest, long size, String mediaType, boolean external) {
    }

    boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** Every digest this manifest keeps alive: its blobs and the manifests it lists (not its subject). */
    List<Digest> references() {
        List<Digest> all = new ArrayList<>(blobs.size() + children.size());
        blobs.forEach(d -> all.add(d.digest()));
        children.forEach(d -> all.add(d.digest()));
        return all;
    }
}
