package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Cached blobs shared by replicas of the proxy (an area of the S3 bucket), so that a digest one replica fetched is
 * not fetched from the upstream again by another, and so that replicas agree which one of them fetches a digest
 * nobody has yet. A shared blob is read as an object ({@link BlobObjects}): whole, into a local writer that verifies it
 * while clients are served from the growing copy, or in part. Every method blocks (network I/O): call it off the
 * event loop. {@link #NONE} shares nothing.
 */
public interface SharedBlobs extends BlobObjects {

    /** Nothing shared: every process fetches for itself (storage on local disk). */
    SharedBlobs NONE = new SharedBlobs() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public Optional<Long> objectSize(Digest digest) {
            return Optional.empty();
        }

        @Override
        public Optional<ObjectBody> readObject(Digest digest, long offset, long length) {
            return Optional.empty();
        }

        @Override
        public void distrust(Digest digest) {
        }

        @Override
        public void publish(Digest digest, Path verified, long size) {
        }

        @Override
        public Optional<FetchLease> claim(Digest digest) {
            return Optional.of(() -> { });
        }
    };

    boolean enabled();

    /**
     * The shared object of {@code digest} turned out not to hash to it: it is not read again (this process fetches
     * the blob from its upstream instead), and the next {@link #publish} replaces it. Memory only.
     */
    void distrust(Digest digest);

    /** Shares a verified local file, unless a sound copy is shared already. */
    void publish(Digest digest, Path verified, long size) throws IOException;

    /**
     * Tries to become the one replica that fetches {@code digest} from its upstream: the lease, renewed in the
     * background until released, or empty while another replica holds a live one.
     */
    Optional<FetchLease> claim(Digest digest) throws IOException;

    /** The right to fetch one digest; lapses by itself when its holder dies. */
    interface FetchLease {
        /** Ends the lease (the blob is shared, or the fetch failed). Never throws. */
        void release();
    }
}
