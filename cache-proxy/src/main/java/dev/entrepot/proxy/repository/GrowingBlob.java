package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.file.Path;

/**
 * A blob being written to a file while clients read it. Readers see {@link #written()} bytes, wait for more with
 * {@link #whenProgressed}, and learn at the end whether the digest verified ({@link #done()} succeeds and
 * {@link #path()} is then the stored file) or not (they must abort their response).
 */
public interface GrowingBlob {

    Digest digest();

    /** Completes once the blob is verified and stored; fails on a digest mismatch or a broken transfer. */
    Future<Void> done();

    /** The file being written, then the stored file once {@link #succeeded()}. */
    Path path();

    /** The announced size, -1 if unknown until the end. */
    long size();

    /** Bytes readable through {@link #path()}. */
    long written();

    boolean succeeded();

    boolean failed();

    /** Runs {@code action} on {@code context} once more than {@code seen} bytes are written or the blob is done. */
    void whenProgressed(long seen, Context context, Runnable action);
}
