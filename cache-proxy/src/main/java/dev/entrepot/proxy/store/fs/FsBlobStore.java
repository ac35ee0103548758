package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.AdoptingBlobStore;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.BlobUses;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.store.HashingFile;
import java.io.IOException;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Blobs on disk at {@code blobs/<algorithm>/<2 hex>/<hex>}; writes go through {@code tmp/} and an atomic rename.
 * Sizes and access times are kept in an {@link LruIndex} so eviction never walks the disk.
 *
 * <p>The index is built from the files at start ({@link IndexScan}): in the constructor, or on an executor given to
 * it, so a large store does not hold up the start. Until that scan is done, a blob the index does not know yet is
 * looked up on disk (one stat, as a look-up of an indexed blob makes anyway), so no request misses a stored blob;
 * eviction waits for the whole index (its order needs every blob), {@link #list} waits for it, and a blob removed
 * meanwhile is not brought back by the scan.
 */
public final class FsBlobStore implements AdoptingBlobStore {
    private static final Logger LOG = Logger.getLogger(FsBlobStore.class);

    private final Path blobs;
    private final Path tmp;
    private final LruIndex index;
    private final IndexScan scan;

    /** Opens the store, its index built before this returns. */
    public FsBlobStore(Path root, Clock clock, LruIndex.EvictionListener onEvict) throws IOException {
        this(root, clock, onEvict, null);
    }

    /** Opens the store, its index built on {@code indexer} (null: before this returns); see {@link #whenIndexed}. */
    public FsBlobStore(Path root, Clock clock, LruIndex.EvictionListener onEvict, Executor indexer) throws IOException {
        this.blobs = root.resolve("blobs");
        this.tmp = root.resolve("tmp");
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
        this.index = new LruIndex(clock, onEvict);
        this.scan = new IndexScan(blobs, index, this::pathOf);
        removeLeftoverTempFiles();
        if (indexer == null) {
            scan.run();
        } else {
            indexer.execute(() -> {
                try {
                    scan.run();
                } catch (IOException | RuntimeException e) {
                    LOG.errorf("blob store %s: cannot index it (%s): each blob is looked up on disk, eviction and "
                            + "garbage collection of it are off until a restart", blobs, e);
                }
            });
        }
    }

    /** Completes when the index holds every stored blob (exceptionally if the scan failed). */
    public CompletionStage<Void> whenIndexed() {
        return scan.whenDone();
    }

    public LruIndex index() {
        return index;
    }

    IndexScan scan() {
        return scan;
    }

    @Override
    public Optional<BlobLease> open(Digest digest) {
        scan.lookUp(digest);
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
        scan.lookUp(digest);
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
        scan.lookUp(digest);
        index.touch(digest);
    }

    @Override
    public Instant lastUsed(Digest digest) {
        scan.lookUp(digest);
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
        scan.lookUp(digest);
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
        scan.lookUp(digest);
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
        scan.lookUp(digest);
        long size = index.size(digest);
        return size < 0 || !Files.isRegularFile(pathOf(digest)) ? Optional.empty() : Optional.of(size);
    }

    @Override
    public boolean remove(Digest digest) {
        scan.lookUp(digest);
        return index.remove(digest, this::deleteQuietly);
    }

    /** One process holds a store directory ({@link StoreLock}): there is nobody else to agree with. */
    @Override
    public BlobUses uses() {
        return BlobUses.LOCAL;
    }

    /** Every stored blob; waits for the start-up scan if it still runs. */
    @Override
    public List<Stat> list() throws IOException {
        scan.await();
        return index.snapshot().stream()
                .map(s -> new Stat(s.digest(), s.size(), Instant.ofEpochMilli(s.lastAccessMillis()))).toList();
    }

    /**
     * Evicts least recently used, unpinned blobs until at most {@code maxBytes} are stored. Nothing while the index is
     * incomplete (the least recently used blob may not be in it yet): ask again once {@link #whenIndexed} completes.
     */
    public void evictToSize(long maxBytes) {
        evictToSize(maxBytes, digest -> false);
    }

    /** Like {@link #evictToSize(long)}, sparing the blobs {@code keep} names (about to be pinned by a reader). */
    public void evictToSize(long maxBytes, Predicate<Digest> keep) {
        if (scan.complete()) {
            index.evict(maxBytes, Long.MIN_VALUE, keep, this::deleteQuietly);
        }
    }

    /** Evicts unpinned blobs not read since {@code notUsedSinceMillis}; like {@link #evictToSize}, once indexed. */
    public void evictUnusedSince(long notUsedSinceMillis) {
        if (scan.complete()) {
            index.evict(Long.MAX_VALUE, notUsedSinceMillis, this::deleteQuietly);
        }
    }

    /** Where the blob is (or would be) stored. */
    public Path pathOf(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    private boolean deleteQuietly(Digest digest) {
        scan.removing(digest);
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
