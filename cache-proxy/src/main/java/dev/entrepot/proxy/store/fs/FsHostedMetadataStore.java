package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.Revision;
import dev.entrepot.proxy.store.TagRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Hosted metadata on disk, beside the manifests and tags of {@link FsMetadataStore} in
 * {@code repositories/<repository>/<name>/}: {@code _layers/<alg>/<hex>} (link time, epoch millis) and
 * {@code _referrers/<alg>/<subject hex>/<alg>-<hex>} (the referrer's descriptor as JSON).
 */
public final class FsHostedMetadataStore implements HostedMetadataStore {
    private static final Logger LOG = Logger.getLogger(FsHostedMetadataStore.class);
    private static final Set<String> OWN_DIRS = Set.of(FsMetadataStore.MANIFESTS, "_layers", "_referrers");

    private final FsMetadataStore manifests;
    private final Path repositories;
    private final Path tmp;
    private final Clock clock;

    /** @param root the hosted store directory (its {@code repositories/} and {@code tmp/}) */
    public FsHostedMetadataStore(Path root, BlobStore blobs, Clock clock) throws IOException {
        this.manifests = new FsMetadataStore(root, blobs, clock);
        this.repositories = root.resolve("repositories");
        this.tmp = root.resolve("tmp");
        this.clock = clock;
    }

    // ---- manifests and tags: as for cached content ----------------------------------------------------------

    @Override
    public Optional<ManifestContent> manifest(String repository, ImageName name, Digest digest) throws IOException {
        return manifests.manifest(repository, name, digest);
    }

    @Override
    public Optional<ManifestContent> peekManifest(String repository, ImageName name, Digest digest) throws IOException {
        return manifests.peekManifest(repository, name, digest);
    }

    @Override
    public void putManifest(String repository, ImageName name, ManifestContent manifest) throws IOException {
        manifests.putManifest(repository, name, manifest);
    }

    @Override
    public List<Revision> revisions(String repository, ImageName name) throws IOException {
        return manifests.revisions(repository, name);
    }

    @Override
    public void deleteManifest(String repository, ImageName name, Digest digest) throws IOException {
        manifests.deleteManifest(repository, name, digest);
    }

    @Override
    public Optional<TagRecord> tag(String repository, ImageName name, String tag) throws IOException {
        return manifests.tag(repository, name, tag);
    }

    @Override
    public void putTag(String repository, ImageName name, String tag, TagRecord record) throws IOException {
        manifests.putTag(repository, name, tag, record);
    }

    /** One process owns the directory ({@link StoreLock}), so a lock in this process makes check-and-write atomic. */
    @Override
    public synchronized Optional<TagRecord> putTagIfAbsent(String repository, ImageName name, String tag,
                                                           TagRecord record) throws IOException {
        Optional<TagRecord> current = manifests.tag(repository, name, tag);
        if (current.isEmpty()) {
            manifests.putTag(repository, name, tag, record);
        }
        return current;
    }

    @Override
    public void removeTag(String repository, ImageName name, String tag) throws IOException {
        manifests.removeTag(repository, name, tag);
    }

    @Override
    public List<String> tags(String repository, ImageName name) throws IOException {
        return manifests.tags(repository, name);
    }

    @Override
    public List<String> names(String repository) throws IOException {
        return manifests.names(repository);
    }

    // ---- blob links -----------------------------------------------------------------------------------------

    @Override
    public void linkBlob(String repository, ImageName name, Digest digest) throws IOException {
        DurableFiles.write(tmp, linkPath(repository, name, digest), Long.toString(clock.millis()));
    }

    @Override
    public Optional<Instant> blobLinked(String repository, ImageName name, Digest digest) throws IOException {
        Path link = linkPath(repository, name, digest);
        Optional<String> text = DurableFiles.read(link);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(text.get().trim())));
        } catch (NumberFormatException e) {
            // Damaged by a crash on a filesystem that lost the write: the link is what matters, not its time.
            LOG.warnf("blob link %s has no readable time; treating it as linked now", link);
            return Optional.of(clock.instant());
        }
    }

    @Override
    public boolean unlinkBlob(String repository, ImageName name, Digest digest) throws IOException {
        return DurableFiles.delete(linkPath(repository, name, digest));
    }

    @Override
    public Map<Digest, Instant> blobLinks(String repository, ImageName name) throws IOException {
        Map<Digest, Instant> links = new HashMap<>();
        for (Digest digest : digestsUnder(image(repository, name).resolve("_layers"))) {
            blobLinked(repository, name, digest).ifPresent(at -> links.put(digest, at));
        }
        return links;
    }

    // ---- referrers ------------------------------------------------------------------------------------------

    @Override
    public void putReferrer(String repository, ImageName name, Digest subject, Digest referrer, byte[] descriptor)
            throws IOException {
        DurableFiles.write(tmp, referrerPath(repository, name, subject, referrer),
                new String(descriptor, StandardCharsets.UTF_8));
    }

    @Override
    public List<byte[]> referrers(String repository, ImageName name, Digest subject) throws IOException {
        Path dir = referrersDir(repository, name, subject);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<byte[]> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) { // a listing is a snapshot: files removed meanwhile are skipped below
                try {
                    found.add(Files.readAllBytes(p));
                } catch (NoSuchFileException e) {
                    // removed while we listed
                }
            }
        }
        return found;
    }

    @Override
    public void removeReferrer(String repository, ImageName name, Digest subject, Digest referrer) throws IOException {
        DurableFiles.delete(referrerPath(repository, name, subject, referrer));
    }

    // ---- listing --------------------------------------------------------------------------------------------

    @Override
    public List<String> repositories() throws IOException {
        return manifests.repositories();
    }

    @Override
    public List<String> storedNames(String repository) throws IOException {
        Path root = repositories.resolve(repository);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        return Walks.directoriesNamed(root, OWN_DIRS).stream()
                .map(p -> root.relativize(p.getParent()).toString().replace('\\', '/'))
                .filter(ImageName::isValid)
                .distinct()
                .sorted()
                .toList();
    }

    private Path image(String repository, ImageName name) {
        return repositories.resolve(repository).resolve(name.value());
    }

    private Path linkPath(String repository, ImageName name, Digest digest) {
        return image(repository, name).resolve("_layers").resolve(digest.algorithm()).resolve(digest.hex());
    }

    private Path referrersDir(String repository, ImageName name, Digest subject) {
        return image(repository, name).resolve("_referrers").resolve(subject.algorithm()).resolve(subject.hex());
    }

    private Path referrerPath(String repository, ImageName name, Digest subject, Digest referrer) {
        return referrersDir(repository, name, subject).resolve(referrer.algorithm() + "-" + referrer.hex());
    }

    private static List<Digest> digestsUnder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Digest> found = new ArrayList<>();
        for (Path p : Walks.files(dir, 2)) {
            try {
                found.add(new Digest(p.getParent().getFileName().toString(), p.getFileName().toString()));
            } catch (OciException e) {
                LOG.warnf("ignoring unexpected file among blob links: %s", p);
            }
        }
        return found;
    }
}
