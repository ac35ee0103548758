package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.Revision;
import dev.entrepot.proxy.store.TagRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Manifest, tag, blob-link and referrer metadata as small objects in the bucket, in the layout of the filesystem
 * store under {@code <area>repositories/<repository>/<name>/}: {@code _manifests/revisions/<alg>/<hex>} (media type,
 * first stored time), {@code _manifests/tags/<tag>} ({@code <digest> <millis>}), {@code _layers/<alg>/<hex>} (link
 * time) and {@code _referrers/<alg>/<subject hex>/<alg>-<hex>} (descriptor JSON). Nothing is cached in memory: S3
 * reads and listings are strongly consistent, so every replica sharing the bucket sees a write as soon as it returns.
 *
 * <p>Immutable tags ({@link #putTagIfAbsent}) cannot rely on a conditional PUT alone: {@code If-None-Match: *} is
 * atomic on AWS S3, MinIO, Ceph RGW, R2 and GCS, but some S3 APIs evaluate it with a separate lookup before the write
 * (s3proxy 2.9.0 on its local backends does) or ignore it. So a writer first records a claim of its own,
 * {@code _manifests/tag-claims/<tag>/<uuid>} holding the digest, then lists the tag's claims, and writes the tag only
 * if every claim it sees names the same digest; otherwise it withdraws its claim and loses. Each writer lists after its
 * claim is stored, so of two writers with different digests the later lister sees the earlier claim: at most one
 * wins (both may lose, and retry). A winner's claim stays, so a writer that arrives before the tag is written still
 * sees it. The tag itself is then created with {@code If-None-Match: *}, which guards again where it is atomic.
 * Cost: one PUT, one LIST and the tag's PUT per new immutable tag. A writer that dies between its claim and its
 * withdrawal leaves a claim that refuses other digests for a tag nobody sees; {@link #removeTag} clears it.
 */
public final class S3MetadataStore implements HostedMetadataStore {
    private static final Logger LOG = Logger.getLogger(S3MetadataStore.class);
    private static final int MAX_SMALL_OBJECT = 64 * 1024;
    private static final Set<String> OWN_DIRS = Set.of("_manifests", "_layers", "_referrers");

    private final Bucket bucket;
    private final String repositories;
    private final BlobStore blobs;
    private final Clock clock;

    /** @param area key prefix of this store in the bucket ({@code hosted/}, {@code cache/}) */
    public S3MetadataStore(Bucket bucket, String area, BlobStore blobs, Clock clock) {
        this.bucket = bucket;
        this.repositories = area + "repositories/";
        this.blobs = blobs;
        this.clock = clock;
    }

    // ---- manifests ------------------------------------------------------------------------------------------

    @Override
    public Optional<ManifestContent> manifest(String repository, ImageName name, Digest digest) throws IOException {
        Optional<Revision> revision = revision(repository, name, digest);
        return revision.isEmpty() ? Optional.empty() : revision.get().content(blobs, true);
    }

    @Override
    public Optional<ManifestContent> peekManifest(String repository, ImageName name, Digest digest) throws IOException {
        Optional<Revision> revision = revision(repository, name, digest);
        return revision.isEmpty() ? Optional.empty() : revision.get().content(blobs, false);
    }

    /** The first stored time is kept: the revision is only created, never replaced. */
    @Override
    public void putManifest(String repository, ImageName name, ManifestContent manifest) throws IOException {
        blobs.put(manifest.digest(), manifest.bytes());
        String text = manifest.mediaType() + "\n" + clock.millis() + "\n";
        bucket.create(revisionKey(repository, name, manifest.digest()), text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public List<Revision> revisions(String repository, ImageName name) throws IOException {
        String under = manifests(repository, name) + "revisions/";
        List<Revision> found = new ArrayList<>();
        for (Bucket.Listed object : bucket.list(under)) {
            Optional<Digest> digest = digestOf(object.key().substring(under.length()));
            if (digest.isPresent()) {
                revision(repository, name, digest.get()).ifPresent(found::add);
            }
        }
        return found;
    }

    @Override
    public void deleteManifest(String repository, ImageName name, Digest digest) throws IOException {
        bucket.delete(revisionKey(repository, name, digest));
    }

    // ---- tags -----------------------------------------------------------------------------------------------

    @Override
    public Optional<TagRecord> tag(String repository, ImageName name, String tag) throws IOException {
        String key = tagKey(repository, name, tag);
        Optional<String> text = bucket.readText(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(TagRecord.parse(text.get()));
        } catch (IllegalArgumentException e) {
            LOG.warnf("unreadable tag record s3://%s/%s: %s", bucket.name(), bucket.fullKey(key), e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void putTag(String repository, ImageName name, String tag, TagRecord record) throws IOException {
        bucket.writeText(tagKey(repository, name, tag), record.text());
    }

    @Override
    public Optional<TagRecord> putTagIfAbsent(String repository, ImageName name, String tag, TagRecord record)
            throws IOException {
        Optional<TagRecord> current = tag(repository, name, tag);
        if (current.isPresent()) {
            return current;
        }
        String claims = claimsDir(repository, name, tag);
        String mine = claims + UUID.randomUUID();
        bucket.writeText(mine, record.digest().toString());
        Optional<Digest> rival = rivalClaim(claims, mine, record.digest());
        if (rival.isPresent()) {
            bucket.delete(mine);
            Optional<TagRecord> written = tag(repository, name, tag);
            return Optional.of(written.orElse(new TagRecord(rival.get(), record.checkedAt())));
        }
        byte[] text = record.text().getBytes(StandardCharsets.UTF_8);
        while (!bucket.create(tagKey(repository, name, tag), text)) {
            Optional<TagRecord> there = tag(repository, name, tag);
            if (there.isPresent()) {
                return there; // a writer of the same digest was first, or the tag was written while mutable
            } // else removed in between (mutable again): create it after all
        }
        return Optional.empty();
    }

    /** A claim on the tag for another digest than {@code digest}, besides {@code mine}. */
    private Optional<Digest> rivalClaim(String claims, String mine, Digest digest) throws IOException {
        for (Bucket.Listed claim : bucket.list(claims)) {
            if (claim.key().equals(mine)) {
                continue;
            }
            Optional<String> claimed = bucket.readText(claim.key()); // empty: withdrawn meanwhile
            if (claimed.isPresent() && !claimed.get().strip().equals(digest.toString())) {
                try {
                    return Optional.of(Digest.parse(claimed.get().strip()));
                } catch (OciException e) {
                    LOG.warnf("unreadable tag claim s3://%s/%s", bucket.name(), bucket.fullKey(claim.key()));
                }
            }
        }
        return Optional.empty();
    }

    /** Removes the tag and its claims. */
    @Override
    public void removeTag(String repository, ImageName name, String tag) throws IOException {
        bucket.delete(tagKey(repository, name, tag));
        for (Bucket.Listed claim : bucket.list(claimsDir(repository, name, tag))) {
            bucket.delete(claim.key());
        }
    }

    @Override
    public List<String> tags(String repository, ImageName name) throws IOException {
        String under = manifests(repository, name) + "tags/";
        return bucket.list(under).stream().map(o -> o.key().substring(under.length()))
                .filter(t -> Reference.TAG.matcher(t).matches()).sorted().toList();
    }

    @Override
    public List<String> names(String repository) throws IOException {
        return namesWith(repository, Set.of("_manifests/revisions"));
    }

    // ---- blob links and referrers ---------------------------------------------------------------------------

    @Override
    public void linkBlob(String repository, ImageName name, Digest digest) throws IOException {
        bucket.writeText(linkKey(repository, name, digest), Long.toString(clock.millis()));
    }

    @Override
    public Optional<Instant> blobLinked(String repository, ImageName name, Digest digest) throws IOException {
        Optional<String> text = bucket.readText(linkKey(repository, name, digest));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(text.get().trim())));
        } catch (NumberFormatException e) {
            return Optional.of(clock.instant()); // the link is what matters, not its time
        }
    }

    @Override
    public boolean unlinkBlob(String repository, ImageName name, Digest digest) throws IOException {
        String key = linkKey(repository, name, digest);
        if (bucket.size(key).isEmpty()) {
            return false;
        }
        bucket.delete(key);
        return true;
    }

    @Override
    public Map<Digest, Instant> blobLinks(String repository, ImageName name) throws IOException {
        String under = image(repository, name) + "_layers/";
        Map<Digest, Instant> links = new HashMap<>();
        for (Bucket.Listed object : bucket.list(under)) {
            Optional<Digest> digest = digestOf(object.key().substring(under.length()));
            if (digest.isPresent()) {
                Optional<Instant> at = blobLinked(repository, name, digest.get());
                at.ifPresent(t -> links.put(digest.get(), t));
            }
        }
        return links;
    }

    @Override
    public void putReferrer(String repository, ImageName name, Digest subject, Digest referrer, byte[] descriptor)
            throws IOException {
        bucket.write(referrersDir(repository, name, subject) + referrer.algorithm() + "-" + referrer.hex(), descriptor);
    }

    @Override
    public List<byte[]> referrers(String repository, ImageName name, Digest subject) throws IOException {
        List<byte[]> found = new ArrayList<>();
        for (Bucket.Listed object : bucket.list(referrersDir(repository, name, subject))) {
            bucket.read(object.key(), MAX_SMALL_OBJECT).ifPresent(found::add);
        }
        return found;
    }

    @Override
    public void removeReferrer(String repository, ImageName name, Digest subject, Digest referrer) throws IOException {
        bucket.delete(referrersDir(repository, name, subject) + referrer.algorithm() + "-" + referrer.hex());
    }

    @Override
    public List<String> repositories() throws IOException {
        return bucket.children(repositories);
    }

    @Override
    public List<String> storedNames(String repository) throws IOException {
        return namesWith(repository, OWN_DIRS);
    }

    // ---- keys -----------------------------------------------------------------------------------------------

    /**
     * Image names under the repository with an object in one of {@code dirs} (relative to the image). Valid names
     * never have a component starting with '_', so the first "/_" of a key ends its name.
     */
    private List<String> namesWith(String repository, Set<String> dirs) throws IOException {
        String under = repositories + repository + "/";
        Set<String> names = new TreeSet<>();
        for (Bucket.Listed object : bucket.list(under)) {
            String rest = object.key().substring(under.length());
            int own = rest.indexOf("/_");
            if (own < 0) {
                continue;
            }
            String name = rest.substring(0, own);
            String inside = rest.substring(own + 1);
            if (ImageName.isValid(name) && dirs.stream().anyMatch(d -> inside.startsWith(d + "/"))) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    private Optional<Revision> revision(String repository, ImageName name, Digest digest) throws IOException {
        Optional<String> text = bucket.readText(revisionKey(repository, name, digest));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String[] lines = text.get().strip().split("\n");
        if (lines[0].isBlank()) {
            return Optional.empty();
        }
        Instant storedAt;
        try {
            storedAt = lines.length > 1 ? Instant.ofEpochMilli(Long.parseLong(lines[1].trim())) : Instant.EPOCH;
        } catch (NumberFormatException e) {
            storedAt = Instant.EPOCH;
        }
        return Optional.of(new Revision(digest, lines[0].trim(), storedAt));
    }

    private static Optional<Digest> digestOf(String algorithmSlashHex) {
        String[] parts = algorithmSlashHex.split("/");
        if (parts.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Digest(parts[0], parts[1]));
        } catch (OciException e) {
            return Optional.empty();
        }
    }

    private String image(String repository, ImageName name) {
        return repositories + repository + "/" + name.value() + "/";
    }

    private String manifests(String repository, ImageName name) {
        return image(repository, name) + "_manifests/";
    }

    private String revisionKey(String repository, ImageName name, Digest digest) {
        return manifests(repository, name) + "revisions/" + digest.algorithm() + "/" + digest.hex();
    }

    private String tagKey(String repository, ImageName name, String tag) {
        checkTag(tag);
        return manifests(repository, name) + "tags/" + tag;
    }

    private String claimsDir(String repository, ImageName name, String tag) {
        checkTag(tag);
        return manifests(repository, name) + "tag-claims/" + tag + "/";
    }

    private static void checkTag(String tag) {
        if (!Reference.TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("invalid tag " + tag);
        }
    }

    private String linkKey(String repository, ImageName name, Digest digest) {
        return image(repository, name) + "_layers/" + digest.algorithm() + "/" + digest.hex();
    }

    private String referrersDir(String repository, ImageName name, Digest subject) {
        return image(repository, name) + "_referrers/" + subject.algorithm() + "/" + subject.hex() + "/";
    }
}
