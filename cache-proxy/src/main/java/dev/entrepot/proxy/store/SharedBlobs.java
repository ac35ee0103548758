package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Cached blobs shared by replicas of the proxy (an area of the S3 bucket), so that a digest one replica fetched is
 * not fetched from the upstream again by another, and so that replicas agree which one of them fetches a digest
 * nobody has yet. Every method blocks (network I/O): call it off the event loop. {@link #NONE} shares nothing.
 */
public interface SharedBlobs {

    /** Nothing shared: every process fetches for itself (storage on local disk). */
    SharedBlobs NONE = new SharedBlobs() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public Optional<Path> copyInto(Digest digest, BlobStore local) {
            return Optional.empty();
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
     * Streams the shared blob into a writer of {@code local} and commits it (which verifies the digest); the stored
     * file, or empty when nothing is shared under the digest or what is there does not hash to it (then logged, not
     * served).
     */
    Optional<Path> copyInto(Digest digest, BlobStore local) throws IOException;

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
