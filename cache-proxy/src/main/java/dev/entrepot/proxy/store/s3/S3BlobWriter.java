package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.store.HashingFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A blob on its way to the object store: bytes land in a local temp file (which readers may tail) and are hashed;
 * each full part is uploaded from that file, in the background, to a multipart upload that nobody sees until
 * {@link #commit()} has verified the digest and completes it. Memory stays bounded whatever the blob's size: parts
 * are read from disk as the SDK sends them. Not thread-safe: one writer thread at a time.
 */
final class S3BlobWriter implements BlobWriter {
    private static final Logger LOG = Logger.getLogger(S3BlobWriter.class);
    /** S3 allows 10,000 parts; the last one is sent by commit. */
    static final int MAX_PARTS = 10_000;

    private final S3BlobStore store;
    private final Bucket bucket;
    private final Digest expected;
    private final String key;
    private final Path temp;
    private final HashingFile file;
    private final long partSize;
    private final List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
    private long uploadedUpTo;
    private String uploadId;
    private boolean committed;
    private boolean closed;

    S3BlobWriter(S3BlobStore store, Digest expected, Path temp, FileChannel channel) {
        this.store = store;
        this.bucket = store.bucket();
        this.expected = expected;
        this.key = store.keyOf(expected);
        this.temp = temp;
        this.file = new HashingFile(expected, channel);
        this.partSize = bucket.partSize();
    }

    @Override
    public Path path() {
        return temp;
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        file.write(bytes);
        long written = file.written();
        while (written - uploadedUpTo >= partSize && parts.size() < MAX_PARTS - 1) {
            startPart(uploadedUpTo, partSize);
            uploadedUpTo += partSize;
        }
    }

    private void startPart(long offset, long length) throws IOException {
        if (uploadId == null) {
            uploadId = bucket.startMultipart(key);
        }
        int number = parts.size() + 1;
        String id = uploadId;
        parts.add(CompletableFuture.supplyAsync(() -> {
            try {
                return bucket.uploadPart(key, id, number, temp, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, store.parts()));
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
        long written = file.written();
        file.channel().close();
        try {
            if (uploadId == null) {
                bucket.upload(key, temp, 0, written); // smaller than one part: one PUT of verified bytes
            } else {
                List<CompletedPart> done = new ArrayList<>();
                for (CompletableFuture<CompletedPart> part : parts) {
                    done.add(join(part));
                }
                if (written > uploadedUpTo) {
                    done.add(bucket.uploadPart(key, uploadId, done.size() + 1, temp, uploadedUpTo,
                            written - uploadedUpTo));
                }
                bucket.completeMultipart(key, uploadId, done); // the blob becomes visible here, whole
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        committed = true;
        closed = true;
        return store.committed(expected, temp, written);
    }

    static CompletedPart join(CompletableFuture<CompletedPart> part) throws IOException {
        try {
            return part.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        }
    }

    /** Waits for the parts to finish or fail, so an abort that follows leaves no part uploaded after it. */
    static void settle(List<CompletableFuture<CompletedPart>> parts) {
        for (CompletableFuture<CompletedPart> part : parts) {
            try {
                part.join();
            } catch (CompletionException e) {
                // failed anyway; the abort that follows ends the upload
            }
        }
    }

    /** Unless committed: aborts the multipart upload (after its parts settled) and deletes the temp file. */
    @Override
    public void close() {
        if (committed || closed) {
            return;
        }
        closed = true;
        try {
            file.channel().close();
            if (uploadId != null) {
                settle(parts);
                bucket.abortMultipart(key, uploadId);
            }
        } catch (IOException e) {
            LOG.warnf("cannot abort the upload of %s (left for abortAbandonedUploads): %s", expected, e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                LOG.warnf("cannot remove temp file %s: %s", temp, e.getMessage());
            }
        }
    }
}
