package dev.entrepot.proxy.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A blob being written to a temp file. Bytes are hashed as they are written; {@link #commit()} verifies the
 * digest, fsyncs and renames atomically, so a crash never leaves a partial blob where readers look.
 * Not thread-safe: one writer thread at a time.
 */
public interface BlobWriter extends AutoCloseable {

    /** The temp file; readers may tail it while it grows (up to {@link #written()} bytes). */
    Path path();

    void write(ByteBuffer bytes) throws IOException;

    long written();

    /**
     * Checks the bytes written against the expected digest without storing anything yet; no more may be written
     * after it. Throws {@link dev.entrepot.proxy.oci.OciException} with {@code DIGEST_INVALID} on a mismatch.
     */
    void verify() throws IOException;

    /**
     * Makes the blob visible (verifying first unless {@link #verify()} already did). Throws
     * {@link dev.entrepot.proxy.oci.OciException} with {@code DIGEST_INVALID} on a mismatch, in which case nothing
     * is stored.
     */
    Path commit() throws IOException;

    /** Deletes the temp file unless committed. */
    @Override
    void close();
}
