package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.store.AdoptingBlobStore;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.BlobUses;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.store.HashingFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Blobs on disk at {@code blobs/<algorithm>/<2 hex>/<hex>}; writes go through {@code tmp/} and an atomic rename.
 * Sizes and access times are kept in an {@link LruIndex} so eviction never walks the disk.
 */
public final class FsBlobStore implements AdoptingBlobStore {
    private static final Logger LOG = Logger.getLogger(FsBlobStore.class);

    private final Path blobs;
    private final Path tmp;
    private final LruIndex index;

    public FsBlobStore(Path root, Clock clock, LruIndex.EvictionListener onEvict) throws IOException {
        this.blobs = root.resolve("blobs");
        this.tmp = root.resolve("tmp");
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
        this.index = new LruIndex(clock, onEvict);
        removeLeftoverTempFiles();
        loadIndex();
    }

    public LruIndex index() {
        return index;
    }

    @Override
    public Optional<BlobLease> open(Digest digest) {
        if (!index.pin(digest)) {
            return Optional.empty();
        }
        Path path = pathOf(digest);
        if (!Files.isRegularFile(path)) {
            // Removed behind our back (an operator cleaning the disk): forget it, report a miss.
            index.unpin(digest);
            index.forget(digest);
            return Optional.empty();
        }
        long size = index.size(digest);
        return Optional.of(new Lease(digest, path, size));
    }

    @Override
    public BlobWriter newWriter(Digest expected) throws IOException {
        Path temp = tmp.resolve(expected.hex() + "." + UUID.randomUUID());
        return new FsBlobWriter(expected, temp, FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
    }

    @Override
    public Optional<byte[]> read(Digest digest, int maxBytes) throws IOException {
        Optional<BlobLease> lease = open(digest);
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try (BlobLease l = lease.get()) {
            if (l.size() > maxBytes) {
                throw new IOException("blob " + digest + " is " + l.size() + " bytes, more than " + maxBytes);
            }
            return Optional.of(Files.readAllBytes(l.path()));
        } catch (NoSuchFileException e) {
            index.forget(digest);
            return Optional.empty();
        }
    }

    @Override
    public Optional<byte[]> peek(Digest digest, int maxBytes) throws IOException {
        if (!index.contains(digest)) {
            return Optional.empty();
        }
        long size = index.size(digest);
        if (size > maxBytes) {
            throw new IOException("blob " + digest + " is " + size + " bytes, more than " + maxBytes);
        }
        try {
            return Optional.of(Files.readAllBytes(pathOf(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // evicted meanwhile
        }
    }

    /**
     * Writes access times that moved on by more than {@code minAdvance} to the files' modification times, so eviction
     * order and last-pulled times survive a restart (the index is rebuilt from them). Blocking.
     */
    public void persistAccessTimes(Duration minAdvance) {
        index.persist(minAdvance.toMillis(), (digest, millis) -> {
            try {
                Files.setLastModifiedTime(pathOf(digest), FileTime.fromMillis(millis));
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Override
    public void touch(Digest digest) {
        index.touch(digest);
    }

    @Override
    public Instant lastUsed(Digest digest) {
        long millis = index.lastAccess(digest);
        return millis < 0 ? null : Instant.ofEpochMilli(millis);
    }

    @Override
    public long totalBytes() {
        return index.totalBytes();
    }

    /**
     * Moves a file whose content the caller verified to be {@code digest} into the store (same filesystem): fsynced,
     * renamed atomically, the directory fsynced. If the blob is already stored the file is deleted instead.
     */
    @Override
    public void adopt(Path verified, Digest digest) throws IOException {
        Path target = pathOf(digest);
        if (index.contains(digest) && Files.isRegularFile(target)) {
            Files.deleteIfExists(verified);
            index.touch(digest);
            return;
        }
        long size = Files.size(verified);
        try (FileChannel ch = FileChannel.open(verified, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.createDirectories(target.getParent());
        Files.move(verified, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.fsyncDirectory(target.getParent());
        index.add(digest, size, index.now());
    }

    /**
     * Stores the blob another store holds (pinned by {@code source}) without sending its bytes through a client:
     * a hard link when the filesystem allows, else a streamed copy. Either way the result is durable and atomic.
     */
    @Override
    public void linkFrom(BlobLease source, Digest digest) throws IOException {
        if (index.contains(digest) && Files.isRegularFile(pathOf(digest))) {
            index.touch(digest);
            return;
        }
        Path temp = tmp.resolve(digest.hex() + ".link." + UUID.randomUUID());
        try {
            try {
                Files.createLink(temp, source.path());
            } catch (UnsupportedOperationException | IOException e) {
                Files.deleteIfExists(temp);
                Files.copy(source.path(), temp);
            }
            adopt(temp, digest);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<Long> storedSize(Digest digest) {
        long size = index.size(digest);
        return size < 0 || !Files.isRegularFile(pathOf(digest)) ? Optional.empty() : Optional.of(size);
    }

    @Override
    public boolean remove(Digest digest) {
        return index.remove(digest, this::deleteQuietly);
    }

    /** One process holds a store directory ({@link StoreLock}): there is nobody else to agree with. */
    @Override
    public BlobUses uses() {
        return BlobUses.LOCAL;
    }

    @Override
    public List<Stat> list() {
        return index.snapshot().stream()
                .map(s -> new Stat(s.digest(), s.size(), Instant.ofEpochMilli(s.lastAccessMillis()))).toList();
    }

    /** Evicts least recently used, unpinned blobs until at most {@code maxBytes} are stored. */
    public void evictToSize(long maxBytes) {
        evictToSize(maxBytes, digest -> false);
    }

    /** Like {@link #evictToSize(long)}, sparing the blobs {@code keep} names (about to be pinned by a reader). */
    public void evictToSize(long maxBytes, Predicate<Digest> keep) {
        index.evict(maxBytes, Long.MIN_VALUE, keep, this::deleteQuietly);
    }

    /** Evicts unpinned blobs not read since {@code notUsedSinceMillis}. */
    public void evictUnusedSince(long notUsedSinceMillis) {
        index.evict(Long.MAX_VALUE, notUsedSinceMillis, this::deleteQuietly);
    }

    /** Where the blob is (or would be) stored. */
    public Path pathOf(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    private boolean deleteQuietly(Digest digest) {
        try {
            Files.deleteIfExists(pathOf(digest));
            return true;
        } catch (IOException e) {
            LOG.warnf("cannot evict %s: %s", digest, e.getMessage());
            return false;
        }
    }

    private void removeLeftoverTempFiles() throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            int removed = 0;
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
                removed++;
            }
            if (removed > 0) {
                LOG.infof("removed %d incomplete download(s) left by an earlier run", removed);
            }
        }
    }

    private void loadIndex() throws IOException {
        try (Stream<Path> files = Files.walk(blobs)) {
            files.filter(Files::isRegularFile).forEach(p -> {
                Path algorithmDir = p.getParent().getParent();
                try {
                    Digest digest = new Digest(algorithmDir.getFileName().toString(), p.getFileName().toString());
                    index.add(digest, Files.size(p), Files.getLastModifiedTime(p).toMillis());
                } catch (OciException e) {
                    LOG.warnf("ignoring unexpected file in the blob store: %s", p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        LOG.infof("blob store %s: %d blobs, %d bytes", blobs, index.count(), index.totalBytes());
    }

    private final class Lease implements BlobLease {
        private final Digest digest;
        private final Path path;
        private final long size;
        private boolean closed;

        Lease(Digest digest, Path path, long size) {
            this.digest = digest;
            this.path = path;
            this.size = size;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                index.unpin(digest);
            }
        }
    }

    private final class FsBlobWriter implements BlobWriter {
        private final Digest expected;
        private final Path temp;
        private final HashingFile file;
        private boolean committed;

        FsBlobWriter(Digest expected, Path temp, FileChannel channel) {
            this.expected = expected;
            this.temp = temp;
            this.file = new HashingFile(expected, channel);
        }

        @Override
        public Path path() {
            return temp;
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            file.write(bytes);
        }

        @Override
        public long written() {
            return file.written();
        }

        @Override
        public void verify() throws IOException {
            if (!file.verify()) {
                close();
                throw file.mismatch();
            }
        }

        @Override
        public Path commit() throws IOException {
            verify();
            file.channel().force(true);
            file.channel().close();
            Path target = pathOf(expected);
            Files.createDirectories(target.getParent());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            DurableFiles.fsyncDirectory(target.getParent());
            committed = true;
            index.add(expected, file.written(), index.now());
            return target;
        }

        @Override
        public void close() {
            if (committed) {
                return;
            }
            try {
                file.channel().close();
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                LOG.warnf("cannot remove temp file %s: %s", temp, e.getMessage());
            }
        }
    }
}
