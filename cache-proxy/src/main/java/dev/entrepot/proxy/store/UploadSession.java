package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * One blob upload in progress: bytes appended in order, hashed as they come, and made a blob only by
 * {@link #commit} once they hash to the digest the client names at the end. Survives a restart of the process.
 * Not thread-safe: one request at a time per session (the caller serialises).
 */
public interface UploadSession extends AutoCloseable {

    String id();

    String repository();

    ImageName name();

    Instant startedAt();

    /** Bytes received so far. */
    long size();

    /** Appends at the end; on failure the session keeps exactly the bytes it had before the call. */
    void append(ByteBuffer bytes) throws IOException;

    /**
     * Verifies the bytes hash to {@code digest} and stores them as that blob in the store the sessions belong to,
     * ending the session. A mismatch ends it too: {@code OciException} DIGEST_INVALID, nothing stored.
     */
    void commit(Digest digest) throws IOException;

    /** Ends the session, deleting its bytes. */
    void cancel() throws IOException;

    /** Lets go of what the session holds open between requests (a file handle); the next append takes it again. */
    @Override
    void close();
}
