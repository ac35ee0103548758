package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Per-repository manifest and tag metadata; manifest bytes themselves live in the shared {@link BlobStore}.
 * Blocking: call off the event loop.
 */
public interface MetadataStore {

    Optional<StoredManifest> manifest(String repository, ImageName name, Digest digest) throws IOException;

    void putManifest(String repository, ImageName name, StoredManifest manifest) throws IOException;

    Optional<TagRecord> tag(String repository, ImageName name, String tag) throws IOException;

    void putTag(String repository, ImageName name, String tag, TagRecord record) throws IOException;

    void removeTag(String repository, ImageName name, String tag) throws IOException;

    /** Tags known locally, sorted. */
    List<String> tags(String repository, ImageName name) throws IOException;

    /** Image names with any manifest stored, sorted. */
    List<String> names(String repository) throws IOException;
}
