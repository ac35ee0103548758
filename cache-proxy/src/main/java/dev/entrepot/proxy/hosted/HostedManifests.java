package dev.entrepot.proxy.hosted;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.entrepot.proxy.hosted.ParsedManifest.Descriptor;
import dev.entrepot.proxy.metrics.ProxyMetrics.PushKind;
import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.ImageEvent;
import dev.entrepot.proxy.repository.ImageVersions;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.ManifestWriter;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.Revision;
import dev.entrepot.proxy.store.TagRecord;
import io.vertx.core.Future;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Manifests and tags of one hosted repository. A push is checked completely (JSON, type, every referenced blob
 * and child manifest present in the image, tag immutability) before anything is written; the write order —
 * bytes, revision, referrer entry, tag — means a crash at any point leaves at most an untagged, complete manifest.
 * Reads go through the warm manifest memory, which writes keep exact (fills and writes share the image's lock).
 */
final class HostedManifests implements ManifestWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String repository;
    private final boolean immutableTags;
    private final HostedStores stores;
    private final RepositoryMetrics metrics;

    HostedManifests(String repository, boolean immutableTags, HostedStores stores, RepositoryMetrics metrics) {
        this.repository = repository;
        this.immutableTags = immutableTags;
        this.stores = stores;
        this.metrics = metrics;
    }

    // ---- reads ----------------------------------------------------------------------------------------------

    Future<ManifestContent> get(ImageName name, Reference reference) {
        ManifestCache.Key key = new ManifestCache.Key(repository, name, reference.toString());
        ManifestCache.Entry warm = stores.manifests().get(key);
        if (warm != null) {
            return Future.succeededFuture(warm.content());
        }
        return stores.blocking("reading manifest " + name + ":" + reference, () ->
                stores.locks().locked(repository, name, () -> {
                    Optional<ManifestContent> found = load(name, reference);
                    found.ifPresent(m -> stores.manifests().put(key, new ManifestCache.Entry(m, 0)));
                    return found.orElseThrow(() -> new OciException(OciErrorCode.MANIFEST_UNKNOWN, "manifest "
                            + reference + " is not in " + repository + "/" + name));
                }));
    }

    private Optional<ManifestContent> load(ImageName name, Reference reference) throws IOException {
        HostedMetadataStore metadata = stores.metadata();
        if (reference instanceof Reference.ByDigest byDigest) {
            return metadata.manifest(repository, name, byDigest.digest());
        }
        Optional<TagRecord> tag = metadata.tag(repository, name, ((Reference.Tag) reference).name());
        return tag.isEmpty() ? Optional.empty() : metadata.manifest(repository, name, tag.get().digest());
    }

    // ---- push -----------------------------------------------------------------------------------------------

    @Override
    public Future<Pushed> put(ImageName name, Reference reference, String contentType, byte[] body, String host) {
        return stores.blocking("storing manifest " + name + ":" + reference, () -> {
            ParsedManifest parsed = ManifestCheck.parse(body, contentType);
            Digest digest = reference instanceof Reference.ByDigest byDigest
                    ? verified(byDigest.digest(), body) : Digest.sha256(body);
            ManifestContent content = new ManifestContent(digest, parsed.mediaType(), body);
            List<Digest> reachable = new ArrayList<>(parsed.references());
            reachable.add(digest);
            String tag = reference instanceof Reference.Tag t ? t.name() : null;
            Pushed pushed = stores.guard().referencing(reachable, () -> stores.locks().locked(repository, name, () -> {
                if (tag != null) {
                    checkMutable(name, tag, digest);
                }
                checkReferences(name, parsed);
                write(name, content, parsed, tag);
                return new Pushed(digest, parsed.subject() == null ? null : parsed.subject().digest());
            }));
            emit(ImageEvent.Kind.INSERT, name, digest, tag, parsed.mediaType(),
                    ImageVersions.sizeOf(stores.metadata(), repository, name, content), host);
            return pushed;
        }).onComplete(ar -> metrics.pushed(PushKind.MANIFEST, ar.succeeded()));
    }

    private void emit(ImageEvent.Kind kind, ImageName name, Digest digest, String tag, String mediaType, long size,
                      String host) {
        stores.events().emit(new ImageEvent(kind, repository, name, digest, tag, mediaType, size, host,
                stores.clock().instant()));
    }

    private static Digest verified(Digest claimed, byte[] body) {
        if (!claimed.matches(claimed.newHasher().digest(body))) {
            throw new OciException(OciErrorCode.DIGEST_INVALID, "manifest body does not match " + claimed);
        }
        return claimed;
    }

    /**
     * Every blob of an image must be in this image (linked, of the announced size); every child of an index too.
     * Called once the references are announced to the collection guard: what is here now stays.
     */
    private void checkReferences(ImageName name, ParsedManifest parsed) throws IOException {
        HostedMetadataStore metadata = stores.metadata();
        for (Descriptor blob : parsed.blobs()) {
            if (blob.external()) {
                continue;
            }
            Optional<Long> size = metadata.blobLinked(repository, name, blob.digest()).isPresent()
                    ? stores.blobs().storedSize(blob.digest()) : Optional.empty();
            if (size.isEmpty()) {
                throw new OciException(OciErrorCode.MANIFEST_BLOB_UNKNOWN, "blob " + blob.digest() + " ("
                        + blob.mediaType() + ") is not in " + repository + "/" + name + "; push it first");
            }
            if (size.get() != blob.size()) {
                throw new OciException(OciErrorCode.MANIFEST_INVALID, "blob " + blob.digest() + " is "
                        + size.get() + " bytes, the manifest says " + blob.size());
            }
        }
        for (Descriptor child : parsed.children()) {
            Optional<ManifestContent> stored = metadata.manifest(repository, name, child.digest());
            if (stored.isEmpty() || stores.blobs().storedSize(child.digest()).isEmpty()) {
                throw new OciException(OciErrorCode.MANIFEST_UNKNOWN, "the index lists manifest " + child.digest()
                        + ", which is not in " + repository + "/" + name + "; push it first");
            }
            if (stored.get().bytes().length != child.size()) {
                throw new OciException(OciErrorCode.MANIFEST_INVALID, "manifest " + child.digest() + " is "
                        + stored.get().bytes().length + " bytes, the index says " + child.size());
            }
        }
    }

    private void checkMutable(ImageName name, String tag, Digest digest) throws IOException {
        if (!immutableTags) {
            return;
        }
        Optional<TagRecord> current = stores.metadata().tag(repository, name, tag);
        if (current.isPresent() && !current.get().digest().equals(digest)) {
            throw immutable(name, tag, current.get().digest(), digest);
        }
    }

    private OciException immutable(ImageName name, String tag, Digest current, Digest refused) {
        return new OciException(OciErrorCode.DENIED, "tag " + tag + " of " + repository + "/" + name
                + " is immutable: it points to " + current + ", refusing " + refused);
    }

    private void write(ImageName name, ManifestContent content, ParsedManifest parsed, String tag) throws IOException {
        HostedMetadataStore metadata = stores.metadata();
        metadata.putManifest(repository, name, content);
        if (parsed.subject() != null) {
            metadata.putReferrer(repository, name, parsed.subject().digest(), content.digest(),
                    descriptor(content, parsed));
        }
        ManifestCache cache = stores.manifests();
        cache.put(new ManifestCache.Key(repository, name, content.digest().toString()), new ManifestCache.Entry(content, 0));
        if (tag != null) {
            TagRecord record = new TagRecord(content.digest(), stores.clock().instant());
            if (immutableTags) {
                // The check before the write only refuses early: this is the one that holds when replicas race.
                Optional<TagRecord> held = metadata.putTagIfAbsent(repository, name, tag, record);
                if (held.isPresent() && !held.get().digest().equals(content.digest())) {
                    throw immutable(name, tag, held.get().digest(), content.digest());
                }
                if (held.isEmpty()) {
                    stores.tagChanges().changed();
                }
            } else {
                Optional<TagRecord> current = metadata.tag(repository, name, tag);
                if (current.isEmpty() || !current.get().digest().equals(content.digest())) { // its time is a move
                    metadata.putTag(repository, name, tag, record);
                    stores.tagChanges().changed();
                }
            }
            cache.put(new ManifestCache.Key(repository, name, tag), new ManifestCache.Entry(content, 0));
        }
    }

    /** The referrers API's descriptor: artifactType (or the config's media type) and the manifest's annotations. */
    private static byte[] descriptor(ManifestContent content, ParsedManifest parsed) throws IOException {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", content.mediaType());
        d.put("digest", content.digest().toString());
        d.put("size", content.bytes().length);
        if (parsed.artifactType() != null) {
            d.put("artifactType", parsed.artifactType());
        }
        if (parsed.annotations() != null) {
            d.set("annotations", parsed.annotations());
        }
        return JSON.writeValueAsBytes(d);
    }

    // ---- delete ---------------------------------------------------------------------------------------------

    @Override
    public Future<Void> delete(ImageName name, Reference reference, String host) {
        return stores.blocking("deleting manifest " + name + ":" + reference, () -> {
            if (reference instanceof Reference.Tag tag) {
                Digest was = stores.locks().locked(repository, name, () -> untag(name, tag.name()));
                Optional<ManifestContent> manifest = stores.metadata().peekManifest(repository, name, was);
                emit(ImageEvent.Kind.DELETE, name, was, tag.name(), manifest.map(ManifestContent::mediaType).orElse(null),
                        manifest.map(m -> ImageVersions.sizeOf(stores.metadata(), repository, name, m)).orElse(-1L), host);
            } else {
                Digest digest = ((Reference.ByDigest) reference).digest();
                Optional<ManifestContent> manifest = stores.metadata().peekManifest(repository, name, digest);
                long size = manifest.map(m -> ImageVersions.sizeOf(stores.metadata(), repository, name, m)).orElse(-1L);
                String type = manifest.map(ManifestContent::mediaType).orElse(null);
                List<String> tags = stores.locks().locked(repository, name, () -> deleteManifest(name, digest));
                emit(ImageEvent.Kind.DELETE, name, digest, null, type, size, host);
                for (String tag : tags) {
                    emit(ImageEvent.Kind.DELETE, name, digest, tag, type, size, host);
                }
            }
            return null;
        });
    }

    /** Returns the digest the tag pointed to. */
    private Digest untag(ImageName name, String tag) throws IOException {
        Optional<TagRecord> current = stores.metadata().tag(repository, name, tag);
        if (current.isEmpty()) {
            throw new OciException(OciErrorCode.MANIFEST_UNKNOWN, "tag " + tag + " is not in " + repository + "/" + name);
        }
        if (immutableTags) {
            throw new OciException(OciErrorCode.DENIED, "tag " + tag + " of " + repository + "/" + name
                    + " is immutable: it cannot be deleted");
        }
        stores.metadata().removeTag(repository, name, tag);
        stores.manifests().invalidate(new ManifestCache.Key(repository, name, tag));
        stores.tagChanges().changed();
        return current.get().digest();
    }

    /** With the image's lock held: the manifest, the tags pointing to it and its referrer entry go (tags returned). */
    List<String> deleteManifest(ImageName name, Digest digest) throws IOException {
        HostedMetadataStore metadata = stores.metadata();
        ManifestContent target = metadata.manifest(repository, name, digest).orElseThrow(() -> new OciException(
                OciErrorCode.MANIFEST_UNKNOWN, "manifest " + digest + " is not in " + repository + "/" + name));
        List<String> tags = tagsOf(name, digest);
        if (immutableTags && !tags.isEmpty()) {
            throw new OciException(OciErrorCode.DENIED, "manifest " + digest + " of " + repository + "/" + name
                    + " is tagged " + String.join(", ", tags) + " and tags are immutable: it cannot be deleted");
        }
        Optional<Digest> parent = indexListing(name, digest);
        if (parent.isPresent()) {
            throw new OciException(OciErrorCode.DENIED, "manifest " + digest + " is listed by index " + parent.get()
                    + " in " + repository + "/" + name + "; delete the index first");
        }
        for (String tag : tags) {
            metadata.removeTag(repository, name, tag);
        }
        ParsedManifest parsed = ManifestCheck.stored(target.bytes(), target.mediaType());
        if (parsed.subject() != null) {
            metadata.removeReferrer(repository, name, parsed.subject().digest(), digest);
        }
        metadata.deleteManifest(repository, name, digest);
        stores.manifests().invalidateImage(repository, name);
        stores.tagChanges().changed();
        return tags;
    }

    List<String> tagsOf(ImageName name, Digest digest) throws IOException {
        List<String> tags = new ArrayList<>();
        for (String tag : stores.metadata().tags(repository, name)) {
            Optional<TagRecord> record = stores.metadata().tag(repository, name, tag);
            if (record.isPresent() && record.get().digest().equals(digest)) {
                tags.add(tag);
            }
        }
        return tags;
    }

    /** An index of the same image that lists {@code digest}, if any. */
    private Optional<Digest> indexListing(ImageName name, Digest digest) throws IOException {
        HostedMetadataStore metadata = stores.metadata();
        for (Revision revision : metadata.revisions(repository, name)) {
            if (revision.digest().equals(digest) || !MediaTypes.isIndex(revision.mediaType())) {
                continue;
            }
            Optional<ManifestContent> index = metadata.manifest(repository, name, revision.digest());
            if (index.isPresent() && ManifestCheck.stored(index.get().bytes(), index.get().mediaType())
                    .references().contains(digest)) {
                return Optional.of(revision.digest());
            }
        }
        return Optional.empty();
    }
}
