package dev.entrepot.proxy.store;

import dev.entrepot.proxy.oci.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * How processes that share one hosted blob store let one of them remove blobs while the others push, through the
 * store itself: one collector at a time ({@link #lease}), and a use mark against a removal mark. A pusher records a
 * use of a blob before it makes the blob referenced, then looks for a removal in progress ({@link #use}); a collector
 * records a removal, then looks for a use ({@link #removeUnlessUsed}). Each side writes before it reads and the store
 * shows every read the writes that came before it, so at least one side sees the other: the collector spares the
 * blob, or the pusher waits for the removal to end and finds the blob gone (it stores it again, or treats it as
 * absent). Blocking: call off the event loop.
 *
 * <p>A store one process alone writes (the filesystem store, held by its lock) has nobody to agree with:
 * {@link #LOCAL} records nothing, grants every lease and removes at once; the collector's in-process guard suffices.
 */
public interface BlobUses {

    /** Removes a blob and what points to it (links); runs while a removal of the blob is recorded. */
    @FunctionalInterface
    interface Removal {
        void run() throws IOException;
    }

    /** The right to collect, held until closed; another process may take it over once it lapses. */
    interface Lease extends AutoCloseable {
        /** False once the lease may have lapsed (renewals failed or came late): the collector must stop removing. */
        boolean held();

        /** Gives the lease up. */
        @Override
        void close();
    }

    /**
     * Pusher side, before making the blobs referenced (a link, a manifest listing them) or telling a client they are
     * there: records a use of each, then waits while a collector is removing any of them (bounded). Afterwards the
     * caller asks the store whether each blob is there: one that is stays, one that is not may be stored again.
     */
    void use(Collection<Digest> digests) throws IOException;

    /** Collector side: the lease, or empty when another process holds it. */
    Optional<Lease> lease() throws IOException;

    /** Collector side: blobs with a use recorded at or after {@code since}. */
    Set<Digest> usedSince(Instant since) throws IOException;

    /** Collector side: forgets the uses recorded before {@code before}. */
    void forgetUsesBefore(Instant before) throws IOException;

    /**
     * Collector side: records that the blob is being removed, then runs {@code removal} unless a use of the blob is
     * recorded; true when it ran. The removal record goes when this returns.
     */
    boolean removeUnlessUsed(Digest digest, Removal removal) throws IOException;

    /** For a store no other process writes. */
    BlobUses LOCAL = new BlobUses() {
        private final Lease always = new Lease() {
            @Override
            public boolean held() {
                return true;
            }

            @Override
            public void close() {
            }
        };

        @Override
        public void use(Collection<Digest> digests) {
        }

        @Override
        public Optional<Lease> lease() {
            return Optional.of(always);
        }

        @Override
        public Set<Digest> usedSince(Instant since) {
            return Set.of();
        }

        @Override
        public void forgetUsesBefore(Instant before) {
        }

        @Override
        public boolean removeUnlessUsed(Digest digest, Removal removal) throws IOException {
            removal.run();
            return true;
        }
    };
}
