package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Builds an {@link LruIndex} from the files under {@code blobs/} at start, and keeps it right while it does: a blob the
 * scan has not reached yet is looked up on disk ({@link #lookUp}), and a blob removed meanwhile is not brought back by
 * the scan, which may have seen its file before ({@link #removing}). Files under {@code blobs/} are only ever complete,
 * verified blobs (renamed in after the digest check), so a file there is a stored blob, for the scan as for a look-up.
 */
final class IndexScan {
    private static final Logger LOG = Logger.getLogger(IndexScan.class);

    private final Path blobs;
    private final LruIndex index;
    private final Function<Digest, Path> pathOf;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** True once every file is in the index; until then look-ups fall back to the disk. */
    private volatile boolean complete;
    /** Blobs removed while the scan runs: it may have seen their file before, it must not index them. */
    private final Set<Digest> removed = ConcurrentHashMap.newKeySet();

    IndexScan(Path blobs, LruIndex index, Function<Digest, Path> pathOf) {
        this.blobs = blobs;
        this.index = index;
        this.pathOf = pathOf;
    }

    boolean complete() {
        return complete;
    }

    CompletionStage<Void> whenDone() {
        return done.minimalCompletionStage();
    }

    /** Blocks until the scan is done; throws if it failed. */
    void await() throws IOException {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the index of " + blobs, e);
        } catch (ExecutionException e) {
            throw new IOException("blob store " + blobs + " could not be indexed at start: " + e.getCause(), e);
        }
    }

    /** While the scan runs: puts a blob the index does not know yet in it if its file is there (one stat). */
    void lookUp(Digest digest) {
        if (complete || index.contains(digest)) {
            return;
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(pathOf.apply(digest), BasicFileAttributes.class);
            if (attributes.isRegularFile()) {
                index.add(digest, attributes.size(), attributes.lastModifiedTime().toMillis());
            }
        } catch (IOException e) {
            // not stored (or not readable, which the scan skips too)
        }
    }

    /** Before a blob's file is deleted. */
    void removing(Digest digest) {
        if (!complete) {
            synchronized (removed) {
                removed.add(digest);
            }
        }
    }

    /** What the scan found for one file; its attributes may predate a removal, which then wins. */
    void scanned(Digest digest, long size, long modifiedMillis) {
        synchronized (removed) {
            if (!removed.contains(digest)) {
                index.add(digest, size, modifiedMillis);
            }
        }
    }

    /** Walks the tree with one stat per file (the walk's own); the caller decides on which thread. */
    void run() throws IOException {
        long started = System.nanoTime();
        try {
            Files.walkFileTree(blobs, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        Digest digest = digestOf(file);
                        if (digest != null) {
                            scanned(digest, attributes.size(), attributes.lastModifiedTime().toMillis());
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // removed while the scan walked by
                    }
                    throw e;
                }
            });
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(e);
            throw e;
        }
        complete = true;
        removed.clear();
        done.complete(null);
        LOG.infof("blob store %s: %d blobs, %d bytes (indexed in %d ms)", blobs, index.count(), index.totalBytes(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private static Digest digestOf(Path file) {
        Path algorithmDir = file.getParent().getParent();
        try {
            return new Digest(algorithmDir.getFileName().toString(), file.getFileName().toString());
        } catch (OciException e) {
            LOG.warnf("ignoring unexpected file in the blob store: %s", file);
            return null;
        }
    }
}
