package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.Optional;

/**
 * Resumable blob uploads into one repository, as the distribution spec's upload sessions: bytes are appended in
 * order, the digest is known only at {@link #commit}, and nothing is visible before it verified. Futures fail with
 * {@code OciException}s only.
 */
public interface BlobUploads {

    /**
     * Bytes of a request body to append: {@code start} is the Content-Range start (null: at the end),
     * {@code length} the Content-Length (-1: unknown, a chunked transfer).
     */
    record Chunk(ReadStream<Buffer> body, Long start, long length) {
    }

    /** An upload session and how many bytes it holds. */
    record Session(String id, long size) {
    }

    Future<Session> start(ImageName name);

    Future<Session> status(ImageName name, String id);

    /** Appends in order: a chunk that does not start at the current size fails with a 416 carrying the Range. */
    Future<Session> append(ImageName name, String id, Chunk chunk);

    /** Appends {@code last} (may be null), verifies {@code digest}, stores the blob and ends the session. */
    Future<Digest> commit(ImageName name, String id, Digest digest, Chunk last);

    Future<Void> cancel(ImageName name, String id);

    /**
     * Makes a blob that {@code from} holds locally part of {@code name} without copying bytes through the client.
     * Empty when {@code from} does not hold it (the client then uploads).
     */
    Future<Optional<Digest>> mount(ImageName name, Digest digest, Repository from, ImageName fromName);

    /** Removes the blob from {@code name}; the bytes go at the next garbage collection if nothing references them. */
    Future<Void> delete(ImageName name, Digest digest);
}
