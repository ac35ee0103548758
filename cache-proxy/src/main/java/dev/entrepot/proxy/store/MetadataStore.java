package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Per-repository manifest and tag metadata; manifest bytes themselves live in a {@link BlobStore}. Every write
 * is durable when the call returns. Blocking: call off the event loop.
 */
public interface MetadataStore {

    Optional<ManifestContent> manifest(String repository, ImageName name, Digest digest) throws IOException;

    /** Like {@link #manifest}, without counting as a use of its bytes (listings). */
    Optional<ManifestContent> peekManifest(String repository, ImageName name, Digest digest) throws IOException;

    /** Stores the bytes and records the manifest under the name; storing it again keeps its first stored time. */
    void putManifest(String repository, ImageName name, ManifestContent manifest) throws IOException;

    /** The manifests recorded under the name, by digest (no particular order). */
    List<Revision> revisions(String repository, ImageName name) throws IOException;

    /** Forgets the manifest under the name (tags are the caller's business); its bytes stay for the collector. */
    void deleteManifest(String repository, ImageName name, Digest digest) throws IOException;

    Optional<TagRecord> tag(String repository, ImageName name, String tag) throws IOException;

    void putTag(String repository, ImageName name, String tag, TagRecord record) throws IOException;

    void removeTag(String repository, ImageName name, String tag) throws IOException;

    /** Tags known locally, sorted. */
    List<String> tags(String repository, ImageName name) throws IOException;

    /** Image names with any manifest recorded, sorted. */
    List<String> names(String repository) throws IOException;
}
