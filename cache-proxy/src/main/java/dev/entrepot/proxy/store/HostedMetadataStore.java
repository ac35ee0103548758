package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Metadata of hosted repositories, beyond manifests and tags: which blobs each image holds (links, as the spec
 * scopes blobs to a repository) and the referrers of each subject. Everything is durable when a call returns.
 * Blocking: call off the event loop.
 */
public interface HostedMetadataStore extends MetadataStore {

    /**
     * Points the tag at {@code record} only if it points nowhere yet, like {@link java.util.Map#putIfAbsent}: empty
     * when this call set it, else what the tag holds (which may be the same digest). Immutable tags are written
     * only through here, so of concurrent writers with different digests at most one gets empty, even when the
     * writers are separate processes sharing the store.
     */
    Optional<TagRecord> putTagIfAbsent(String repository, ImageName name, String tag, TagRecord record)
            throws IOException;

    /** Makes the blob part of the image (again: the link time moves to now). */
    void linkBlob(String repository, ImageName name, Digest digest) throws IOException;

    /** When the blob was linked into the image, or empty when it is not part of it. */
    Optional<Instant> blobLinked(String repository, ImageName name, Digest digest) throws IOException;

    /** True when there was a link to remove. */
    boolean unlinkBlob(String repository, ImageName name, Digest digest) throws IOException;

    Map<Digest, Instant> blobLinks(String repository, ImageName name) throws IOException;

    /** Records the descriptor (JSON) of a manifest whose {@code subject} is {@code subject}. */
    void putReferrer(String repository, ImageName name, Digest subject, Digest referrer, byte[] descriptor)
            throws IOException;

    /** Descriptors of the manifests referring to {@code subject}, in no particular order. */
    List<byte[]> referrers(String repository, ImageName name, Digest subject) throws IOException;

    void removeReferrer(String repository, ImageName name, Digest subject, Digest referrer) throws IOException;

    /** Repositories present in the store, whatever the configuration says (the collector must see them all). */
    List<String> repositories() throws IOException;

    /** Image names with any manifest, tag or blob link, sorted. */
    List<String> storedNames(String repository) throws IOException;
}
