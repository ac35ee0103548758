package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.MetadataStore;
import dev.entrepot.proxy.store.Revision;
import dev.entrepot.proxy.store.TagRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Manifest and tag metadata under {@code repositories/<repository>/<name>/_manifests/}:
 * {@code revisions/<algorithm>/<hex>} holds the media type and, on a second line, when it was first stored (epoch
 * millis); {@code tags/<tag>} holds {@code <digest> <millis>}. Names and tags are validated before they get here,
 * so they are safe paths ({@code _manifests} cannot be a name component). Files are replaced atomically and
 * durably ({@link DurableFiles}).
 */
public final class FsMetadataStore implements MetadataStore {
    private static final Logger LOG = Logger.getLogger(FsMetadataStore.class);
    static final String MANIFESTS = "_manifests";

    private final Path repositories;
    private final Path tmp;
    private final BlobStore blobs;
    private final Clock clock;

    /** @param root the store directory: metadata goes to {@code root/repositories}, temp files to {@code root/tmp} */
    public FsMetadataStore(Path root, BlobStore blobs, Clock clock) throws IOException {
        this.repositories = root.resolve("repositories");
        this.tmp = root.resolve("tmp");
        this.blobs = blobs;
        this.clock = clock;
        Files.createDirectories(repositories);
        Files.createDirectories(tmp);
    }

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

    @Override
    public void putManifest(String repository, ImageName name, ManifestContent manifest) throws IOException {
        blobs.put(manifest.digest(), manifest.bytes());
        if (revision(repository, name, manifest.digest()).isPresent()) {
            return;
        }
        DurableFiles.write(tmp, revisionPath(repository, name, manifest.digest()),
                manifest.mediaType() + "\n" + clock.millis() + "\n");
    }

    @Override
    public List<Revision> revisions(String repository, ImageName name) throws IOException {
        Path dir = manifests(repository, name).resolve("revisions");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Revision> found = new ArrayList<>();
        for (Path p : Walks.files(dir, 2)) {
            try {
                Digest digest = new Digest(p.getParent().getFileName().toString(), p.getFileName().toString());
                revision(repository, name, digest).ifPresent(found::add);
            } catch (OciException e) {
                LOG.warnf("ignoring unexpected file among revisions: %s", p);
            }
        }
        return found;
    }

    @Override
    public void deleteManifest(String repository, ImageName name, Digest digest) throws IOException {
        DurableFiles.delete(revisionPath(repository, name, digest));
    }

    @Override
    public Optional<TagRecord> tag(String repository, ImageName name, String tag) throws IOException {
        Path path = tagPath(repository, name, tag);
        Optional<String> text = DurableFiles.read(path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(TagRecord.parse(text.get()));
        } catch (IllegalArgumentException e) {
            // Damaged (e.g. a crash on a filesystem that lost the unsynced write): forget it, the tag is refetched.
            LOG.warnf("discarding unreadable tag record %s: %s", path, e.getMessage());
            Files.deleteIfExists(path);
            return Optional.empty();
        }
    }

    @Override
    public void putTag(String repository, ImageName name, String tag, TagRecord record) throws IOException {
        DurableFiles.write(tmp, tagPath(repository, name, tag), record.text());
    }

    @Override
    public void removeTag(String repository, ImageName name, String tag) throws IOException {
        DurableFiles.delete(tagPath(repository, name, tag));
    }

    @Override
    public List<String> tags(String repository, ImageName name) throws IOException {
        Path dir = manifests(repository, name).resolve("tags");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public List<String> names(String repository) throws IOException {
        Path root = repositories.resolve(repository);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        return Walks.directoriesNamed(root, Set.of(MANIFESTS, "_layers", "_referrers")).stream()
                .filter(p -> p.getFileName().toString().equals(MANIFESTS) && hasRevisions(p))
                .map(p -> root.relativize(p.getParent()).toString().replace('\\', '/'))
                .filter(ImageName::isValid)
                .sorted()
                .toList();
    }

    /** Repository directories present on disk, whatever the configuration says (the collector must see them all). */
    public List<String> repositories() throws IOException {
        try (Stream<Path> dirs = Files.list(repositories)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Optional<Revision> revision(String repository, ImageName name, Digest digest) throws IOException {
        Path path = revisionPath(repository, name, digest);
        Optional<String> text = DurableFiles.read(path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String[] lines = text.get().strip().split("\n");
        String mediaType = lines[0].trim();
        if (mediaType.isEmpty()) {
            LOG.warnf("discarding empty manifest revision %s", path);
            Files.deleteIfExists(path);
            return Optional.empty();
        }
        Instant storedAt;
        try {
            storedAt = lines.length > 1 ? Instant.ofEpochMilli(Long.parseLong(lines[1].trim()))
                    : Files.getLastModifiedTime(path).toInstant(); // written before stored times were recorded
        } catch (NumberFormatException | NoSuchFileException e) {
            storedAt = Instant.EPOCH;
        }
        return Optional.of(new Revision(digest, mediaType, storedAt));
    }

    private static boolean hasRevisions(Path manifestsDir) {
        try {
            return !Walks.files(manifestsDir.resolve("revisions"), 2).isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private Path manifests(String repository, ImageName name) {
        return repositories.resolve(repository).resolve(name.value()).resolve(MANIFESTS);
    }

    private Path revisionPath(String repository, ImageName name, Digest digest) {
        return manifests(repository, name).resolve("revisions").resolve(digest.algorithm()).resolve(digest.hex());
    }

    private Path tagPath(String repository, ImageName name, String tag) {
        if (!Reference.TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("invalid tag " + tag);
        }
        return manifests(repository, name).resolve("tags").resolve(tag);
    }
}
