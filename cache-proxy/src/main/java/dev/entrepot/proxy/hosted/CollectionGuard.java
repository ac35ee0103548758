package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.hosted.ImageLocks.Work;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.BlobUses;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Lets pushes run while the garbage collector marks, without it removing what they refer to. Every write that
 * makes content reachable (a committed upload, a mount, a manifest push) runs under the shared lock and names the
 * digests it makes reachable; while a collection is on, they are recorded. The collector marks without the lock,
 * then sweeps under the exclusive one, sparing everything recorded since it began: a push either finished before the
 * collection began (the mark sees it) or is recorded. That is this process; other processes sharing the store learn
 * of the push through the store's {@link BlobUses}, told before the lock is taken (its wait for a removal elsewhere
 * must not hold up this process's collector).
 */
final class CollectionGuard {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final BlobUses uses;
    private Set<Digest> referencedSinceBegin; // non-null while a collection runs; written under the lock

    CollectionGuard(BlobUses uses) {
        this.uses = uses;
    }

    <T> T referencing(Collection<Digest> digests, Work<T> work) throws Exception {
        uses.use(digests);
        lock.readLock().lock();
        try {
            Set<Digest> recording = referencedSinceBegin;
            if (recording != null) {
                recording.addAll(digests);
            }
            return work.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Starts recording; false when a collection is already running. */
    boolean begin() {
        lock.writeLock().lock();
        try {
            if (referencedSinceBegin != null) {
                return false;
            }
            referencedSinceBegin = ConcurrentHashMap.newKeySet();
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs the sweep with no push in progress, given what pushes referenced since {@link #begin}; ends recording. */
    <T> T sweep(Function<Set<Digest>, T> sweeper) {
        lock.writeLock().lock();
        try {
            return sweeper.apply(Set.copyOf(referencedSinceBegin));
        } finally {
            referencedSinceBegin = null;
            lock.writeLock().unlock();
        }
    }

    /** Ends a collection that will not sweep (it failed while marking). */
    void abandon() {
        lock.writeLock().lock();
        try {
            referencedSinceBegin = null;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
