package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.store.ForwardingBlobWriter;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * The local disk tier of an {@link S3BlobStore}: verified copies of blobs that are in the bucket, at most
 * {@code maxBytes} of them, the least recently used trimmed first to make room (never one being read). It can be lost
 * whole: the bucket has everything.
 */
final class S3LocalTier {
    /** Blocking copies in progress, each with the lock their waiters share. */
    private final Map<Digest, Object> copying = new ConcurrentHashMap<>();
    /** Blobs a blocking reader is copying or about to pin, with how many such readers: trimming spares them. */
    private final Map<Digest, Integer> wanted = new ConcurrentHashMap<>();
    private final FsBlobStore files;
    private final long maxBytes;

    /** Ends a {@link #want}. */
    interface Wanted extends AutoCloseable {
        @Override
        void close();
    }

    /** A blocking copy from the bucket into the tier: true once stored, false when there is nothing to store. */
    @FunctionalInterface
    interface Copy {
        boolean run() throws IOException;
    }

    S3LocalTier(Path root, Clock clock, long maxBytes) throws IOException {
        this.files = new FsBlobStore(root, clock, (digest, size) -> { });
        this.maxBytes = maxBytes;
    }

    FsBlobStore files() {
        return files;
    }

    /**
     * Marks the blob wanted by a blocking reader until the returned handle is closed: a copy trimming the tier to
     * its bound meanwhile spares it, so the reader's copy is still there when it pins it (the tier may exceed its
     * bound by the blobs wanted, as by the blobs being read).
     */
    Wanted want(Digest digest) {
        wanted.merge(digest, 1, Integer::sum);
        return () -> wanted.computeIfPresent(digest, (d, n) -> n == 1 ? null : n - 1);
    }

    private void makeRoom(long size) {
        files.evictToSize(Math.max(0, maxBytes - size), wanted::containsKey);
    }

    /** Moves a verified file in, making room for it first. */
    void adopt(Path verified, Digest digest, long size) throws IOException {
        makeRoom(size);
        files.adopt(verified, digest);
    }

    /**
     * Runs {@code copy} unless the blob is here already; blocking readers of one missing blob wait for one copy rather
     * than each making their own.
     */
    boolean copyOnce(Digest digest, Copy copy) throws IOException {
        Object lock = copying.computeIfAbsent(digest, d -> new Object());
        synchronized (lock) {
            try {
                return readable(digest) || copy.run();
            } finally {
                copying.remove(digest, lock);
            }
        }
    }

    /** In the tier and not on its way out (an entry being trimmed cannot be pinned). */
    private boolean readable(Digest digest) {
        Optional<BlobLease> held = files.open(digest);
        held.ifPresent(BlobLease::close);
        return held.isPresent();
    }

    /**
     * A writer of a copy: its commit verifies the digest, makes room, stores the copy and tells {@code committed}
     * its size.
     */
    BlobWriter newCopyWriter(Digest digest, LongConsumer committed) throws IOException {
        return new CopyWriter(files.newWriter(digest), committed);
    }

    private final class CopyWriter extends ForwardingBlobWriter {
        private final LongConsumer committed;

        CopyWriter(BlobWriter writer, LongConsumer committed) {
            super(writer);
            this.committed = committed;
        }

        @Override
        public Path commit() throws IOException {
            delegate.verify();
            long size = delegate.written();
            makeRoom(size);
            Path stored = delegate.commit();
            committed.accept(size);
            return stored;
        }
    }
}
