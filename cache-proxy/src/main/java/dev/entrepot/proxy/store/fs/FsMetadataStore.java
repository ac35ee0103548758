package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.MetadataStore;
import dev.entrepot.proxy.store.StoredManifest;
import dev.entrepot.proxy.store.TagRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Manifest and tag metadata under {@code repositories/<repository>/<name>/_manifests/}:
 * {@code revisions/<algorithm>/<hex>} holds the media type, {@code tags/<tag>} holds
 * {@code <digest> <checkedAt millis>}. Names and tags are validated before they get here, so they are safe paths
 * ({@code _manifests} cannot be a name component). Small files are replaced atomically via {@code tmp/}.
 */
public final class FsMetadataStore implements MetadataStore {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(FsMetadataStore.class);
    public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
    private static final String MANIFESTS = "_manifests";

    private final Path repositories;
    private final Path tmp;
    private final BlobStore blobs;

    public FsMetadataStore(Path root, BlobStore blobs) throws IOException {
        this.repositories = root.resolve("repositories");
        this.tmp = root.resolve("tmp");
        this.blobs = blobs;
        Files.createDirectories(repositories);
        Files.createDirectories(tmp);
    }

    @Override
    public Optional<StoredManifest> manifest(String repository, ImageName name, Digest digest) throws IOException {
        Path revision = manifests(repository, name).resolve("revisions").resolve(digest.algorithm()).resolve(digest.hex());
        Optional<String> mediaType = readSmall(revision).map(String::trim);
        if (mediaType.isEmpty()) {
            return Optional.empty();
        }
        if (mediaType.get().isEmpty()) {
            LOG.warnf("discarding empty manifest revision %s", revision);
            Files.deleteIfExists(revision);
            return Optional.empty();
        }
        return blobs.read(digest, MAX_MANIFEST_BYTES).map(bytes -> new StoredManifest(digest, mediaType.get(), bytes));
    }

    @Override
    public void putManifest(String repository, ImageName name, StoredManifest manifest) throws IOException {
        blobs.put(manifest.digest(), manifest.bytes());
        Digest d = manifest.digest();
        writeAtomically(manifests(repository, name).resolve("revisions").resolve(d.algorithm()).resolve(d.hex()),
                manifest.mediaType());
    }

    @Override
    public Optional<TagRecord> tag(String repository, ImageName name, String tag) throws IOException {
        Path path = tagPath(repository, name, tag);
        Optional<String> text = readSmall(path);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String[] parts = text.get().trim().split(" ");
        try {
            return Optional.of(new TagRecord(Digest.parse(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1]))));
        } catch (RuntimeException e) {
            // Damaged (e.g. a crash on a filesystem that lost the unsynced write): forget it, the tag is refetched.
            LOG.warnf("discarding unreadable tag record %s: %s", path, e.getMessage());
            Files.deleteIfExists(path);
            return Optional.empty();
        }
    }

    @Override
    public void putTag(String repository, ImageName name, String tag, TagRecord record) throws IOException {
        writeAtomically(tagPath(repository, name, tag), record.digest() + " " + record.checkedAt().toEpochMilli());
    }

    @Override
    public void removeTag(String repository, ImageName name, String tag) throws IOException {
        Files.deleteIfExists(tagPath(repository, name, tag));
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
        try (Stream<Path> dirs = Files.walk(root)) {
            return dirs.filter(p -> p.getFileName().toString().equals(MANIFESTS) && Files.isDirectory(p))
                    .map(p -> root.relativize(p.getParent()).toString().replace('\\', '/'))
                    .filter(ImageName::isValid)
                    .sorted()
                    .toList();
        }
    }

    private Path manifests(String repository, ImageName name) {
        return repositories.resolve(repository).resolve(name.value()).resolve(MANIFESTS);
    }

    private Path tagPath(String repository, ImageName name, String tag) {
        if (!Reference.TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("invalid tag " + tag);
        }
        return manifests(repository, name).resolve("tags").resolve(tag);
    }

    private static Optional<String> readSmall(Path path) throws IOException {
        try {
            return Optional.of(Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void writeAtomically(Path target, String content) throws IOException {
        Files.createDirectories(target.getParent());
        Path temp = tmp.resolve("meta." + UUID.randomUUID());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
                channel.force(true); // durable before it becomes visible: a crash leaves the old file or the new one
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
