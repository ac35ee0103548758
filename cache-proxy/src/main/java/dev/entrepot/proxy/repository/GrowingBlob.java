package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A blob being written to a file while clients read it. Readers see {@link #written()} bytes, wait for more with
 * {@link #whenProgressed}, and may send the last byte once {@link #verified()}: the digest matched. A reader caught up
 * with the file may {@link #follow} the bytes in memory as they arrive instead of reading them back. {@link #done()}
 * tells the end: succeeded once stored ({@link #path()} is then the stored file), failed otherwise (readers of a blob
 * that never verified must abort their response).
 */
public interface GrowingBlob {

    Digest digest();

    /** Completes once the blob is verified and stored; fails on a digest mismatch, a broken transfer or store. */
    Future<Void> done();

    /** The file being written, then the stored file once {@link #succeeded()}. */
    Path path();

    /** The announced size, -1 if unknown until the end. */
    long size();

    /** Bytes readable through {@link #path()}. */
    long written();

    /**
     * Every byte is written and the digest matched: the whole body may go out, while the blob is still being made
     * durable. Seen true, {@link #written()} read after it is the final size.
     */
    boolean verified();

    /**
     * Completes once the blob {@link #verified()}, before any reader is woken to send the last byte; fails when it
     * never will. What a client has received whole is known to be right by then, stored or not yet.
     */
    Future<Void> verification();

    /** Stored ({@link #done()} succeeded). */
    boolean succeeded();

    /** The bytes are wrong or incomplete: never verified and never will be. */
    boolean failed();

    /**
     * Runs {@code action} on {@code context} once more than {@code seen} bytes are written, the blob verified or the
     * download finished; immediately if that is already so.
     */
    void whenProgressed(long seen, Context context, Runnable action);

    /**
     * Hands the bytes from {@code position} on from memory, for a reader that has everything the file has
     * ({@code position >= written()}): the bytes received but not yet written come as {@link Feed#backlog()}, every
     * later chunk goes to {@code sink} on {@code context}, in order, until {@link Feed#stop()}. Call it on
     * {@code context}. Null when that is not possible (the reader is behind the file, the size is unknown, or the
     * download is over): read the file and wait with {@link #whenProgressed} instead.
     */
    Feed follow(long position, Context context, Consumer<Chunk> sink);

    /** Bytes of the blob at {@code offset}; never changed once handed out. */
    record Chunk(long offset, Buffer bytes) {
        public long end() {
            return offset + bytes.length();
        }
    }

    /** A reader following the download in memory. */
    interface Feed {
        /** Received but not yet written when following began, in order, starting at or before the position. */
        List<Chunk> backlog();

        /** No more chunks for this reader (some already on their way to its context may still arrive). */
        void stop();
    }
}
