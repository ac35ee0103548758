package dev.entrepot.proxy.repository;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.store.MetadataStore;
import dev.entrepot.proxy.store.Revision;
import dev.entrepot.proxy.store.TagRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Builds the versions of one image from what a metadata store records (blocking). */
public final class ImageVersions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageVersions() {
    }

    /** Newest first. {@code lastPulled} may answer null. */
    public static List<ImageVersion> of(MetadataStore metadata, String repository, ImageName name,
                                        Function<Digest, Instant> lastPulled) throws IOException {
        Map<Digest, List<String>> tagsOf = new HashMap<>();
        Map<Digest, Instant> taggedAt = new HashMap<>();
        for (String tag : metadata.tags(repository, name)) {
            Optional<TagRecord> record = metadata.tag(repository, name, tag);
            if (record.isPresent()) {
                tagsOf.computeIfAbsent(record.get().digest(), d -> new ArrayList<>()).add(tag);
                taggedAt.merge(record.get().digest(), record.get().checkedAt(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        List<ImageVersion> versions = new ArrayList<>();
        for (Revision r : metadata.revisions(repository, name)) {
            Instant pulled = lastPulled.apply(r.digest());
            Optional<ManifestContent> manifest = metadata.peekManifest(repository, name, r.digest());
            long size = manifest.map(m -> sizeOf(metadata, repository, name, m)).orElse(-1L);
            Instant updated = taggedAt.getOrDefault(r.digest(), r.storedAt());
            versions.add(new ImageVersion(repository, name, r.digest(), r.mediaType(), size,
                    List.copyOf(tagsOf.getOrDefault(r.digest(), List.of()).stream().sorted().toList()), r.storedAt(),
                    updated.isBefore(r.storedAt()) ? r.storedAt() : updated, pulled));
        }
        versions.sort(Comparator.comparing(ImageVersion::created).reversed()
                .thenComparing(v -> v.digest().toString()));
        return versions;
    }

    /**
     * Config plus layers; for an index, the total of each listed manifest held here, else its descriptor size. -1 when
     * the manifest cannot be read. Listings and events use the same figure.
     */
    public static long sizeOf(MetadataStore metadata, String repository, ImageName name, ManifestContent manifest) {
        try {
            JsonNode root = JSON.readTree(manifest.bytes());
            if (root.has("manifests")) {
                long total = 0;
                for (JsonNode child : root.get("manifests")) {
                    Optional<ManifestContent> stored = Optional.empty();
                    try {
                        stored = metadata.peekManifest(repository, name, Digest.parse(child.path("digest").asText()));
                    } catch (OciException | IOException e) {
                        // unreadable digest or child: count what the index says
                    }
                    total += stored.isPresent() ? imageSize(JSON.readTree(stored.get().bytes()))
                            : child.path("size").asLong();
                }
                return total;
            }
            return imageSize(root);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long imageSize(JsonNode root) {
        long total = root.path("config").path("size").asLong(0);
        for (JsonNode layer : root.path("layers")) {
            total += layer.path("size").asLong(0);
        }
        return total;
    }
}
