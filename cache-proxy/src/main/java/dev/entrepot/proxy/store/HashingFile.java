package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;

/**
 * The temp file of a blob being written: hashes every byte it writes and checks the expected digest once, at the
 * end; nothing may be written after that. Shared by the store writers; one writer thread at a time.
 */
public final class HashingFile {
    private final Digest expected;
    private final FileChannel channel;
    private final MessageDigest hasher;
    private volatile long written;
    private boolean verified;

    public HashingFile(Digest expected, FileChannel channel) {
        this.expected = expected;
        this.channel = channel;
        this.hasher = expected.newHasher();
    }

    public FileChannel channel() {
        return channel;
    }

    /** Bytes written so far (readable from any thread). */
    public long written() {
        return written;
    }

    public void write(ByteBuffer bytes) throws IOException {
        if (verified) {
            throw new IllegalStateException("blob " + expected + " already verified");
        }
        hasher.update(bytes.duplicate());
        int n = bytes.remaining();
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        written += n;
    }

    /** Whether the bytes match the expected digest; once true it stays true (the hash is taken only once). */
    public boolean verify() {
        if (!verified && expected.matches(hasher)) {
            verified = true;
        }
        return verified;
    }

    /** The error of a blob whose bytes do not match: {@code DIGEST_INVALID}, nothing stored. */
    public OciException mismatch() {
        return new OciException(OciErrorCode.DIGEST_INVALID,
                "content does not match digest " + expected + "; nothing was stored");
    }
}
