package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.oci.Digest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * In-memory sizes, last-access times and reader pins of stored blobs. A pinned blob (being read) is never
 * evicted: eviction claims an entry by moving its pin count from 0 to {@link #EVICTING}, so a reader that
 * pins concurrently either wins (and the blob stays) or sees the blob as gone.
 */
public final class LruIndex {
    private static final int EVICTING = Integer.MIN_VALUE;

    /** Told about each blob removed, for metrics. */
    @FunctionalInterface
    public interface EvictionListener {
        void evicted(Digest digest, long size);
    }

    private static final class Entry {
        final long size;
        volatile long lastAccess;
        volatile long persisted;
        final AtomicInteger pins = new AtomicInteger();

        Entry(long size, long lastAccess) {
            this.size = size;
            this.lastAccess = lastAccess;
            this.persisted = lastAccess;
        }
    }

    private record Candidate(Digest digest, Entry entry, long lastAccess) {
    }

    private final Map<Digest, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final Clock clock;
    private final EvictionListener listener;

    LruIndex(Clock clock, EvictionListener listener) {
        this.clock = clock;
        this.listener = listener;
    }

    long now() {
        return clock.millis();
    }

    void add(Digest digest, long size, long lastAccess) {
        Entry previous = entries.putIfAbsent(digest, new Entry(size, lastAccess));
        if (previous == null) {
            total.addAndGet(size);
        } else {
            // Same digest, same bytes, stored again: keep the entry, so its readers' pins still protect it.
            previous.lastAccess = Math.max(previous.lastAccess, lastAccess);
        }
    }

    void forget(Digest digest) {
        Entry removed = entries.remove(digest);
        if (removed != null) {
            total.addAndGet(-removed.size);
        }
    }

    /** Marks the blob in use and recently used; false when it is not stored or is being evicted. */
    boolean pin(Digest digest) {
        Entry e = entries.get(digest);
        if (e == null) {
            return false;
        }
        int pins;
        do {
            pins = e.pins.get();
            if (pins < 0) {
                return false;
            }
        } while (!e.pins.compareAndSet(pins, pins + 1));
        e.lastAccess = clock.millis();
        return true;
    }

    /** Marks the blob recently used without pinning it (content served from a memory cache). */
    void touch(Digest digest) {
        Entry e = entries.get(digest);
        if (e != null) {
            e.lastAccess = clock.millis();
        }
    }

    void unpin(Digest digest) {
        Entry e = entries.get(digest);
        if (e != null && e.pins.get() > 0) {
            e.pins.decrementAndGet();
        }
    }

    long size(Digest digest) {
        Entry e = entries.get(digest);
        return e == null ? -1 : e.size;
    }

    /** Writes access times newer by more than {@code minAdvance} than what was written last ({@code write} says if it did). */
    void persist(long minAdvanceMillis, BiPredicate<Digest, Long> write) {
        entries.forEach((digest, e) -> {
            long last = e.lastAccess;
            if (last - e.persisted > minAdvanceMillis && write.test(digest, last)) {
                e.persisted = last;
            }
        });
    }

    /** Last access in epoch millis, -1 when not stored. */
    long lastAccess(Digest digest) {
        Entry e = entries.get(digest);
        return e == null ? -1 : e.lastAccess;
    }

    public long totalBytes() {
        return total.get();
    }

    public int count() {
        return entries.size();
    }

    public boolean contains(Digest digest) {
        return entries.containsKey(digest);
    }

    public int pins(Digest digest) {
        Entry e = entries.get(digest);
        return e == null ? 0 : e.pins.get();
    }

    /** One stored blob as the index knows it. */
    public record Stat(Digest digest, long size, long lastAccessMillis) {
    }

    /** Every blob in the index, in no particular order (a snapshot: concurrent changes may or may not show). */
    public List<Stat> snapshot() {
        List<Stat> all = new ArrayList<>(entries.size());
        entries.forEach((digest, e) -> all.add(new Stat(digest, e.size, e.lastAccess)));
        return all;
    }

    /**
     * Removes one blob unless it is pinned: the same claim eviction makes, so a reader that pins concurrently
     * either wins (and the blob stays) or sees it gone. {@code delete} removes the file and says whether it did.
     */
    boolean remove(Digest digest, Predicate<Digest> delete) {
        Entry e = entries.get(digest);
        if (e == null || !e.pins.compareAndSet(0, EVICTING)) {
            return false;
        }
        if (!delete.test(digest)) {
            e.pins.set(0);
            return false;
        }
        if (entries.remove(digest, e)) {
            total.addAndGet(-e.size);
        }
        return true;
    }

    /**
     * Removes least recently used unpinned blobs while the total exceeds {@code maxBytes}, and every unpinned
     * blob last used before {@code usedBefore}. {@code delete} removes the file and says whether it did.
     */
    void evict(long maxBytes, long usedBefore, Predicate<Digest> delete) {
        evict(maxBytes, usedBefore, digest -> false, delete);
    }

    /** Like {@link #evict(long, long, Predicate)}, never touching the blobs {@code keep} names (not even briefly). */
    synchronized void evict(long maxBytes, long usedBefore, Predicate<Digest> keep, Predicate<Digest> delete) {
        if (total.get() <= maxBytes && usedBefore == Long.MIN_VALUE) {
            return;
        }
        // Sort a snapshot of the access times: readers move them meanwhile, which would break TimSort's contract.
        List<Candidate> candidates = new ArrayList<>(entries.size());
        entries.forEach((digest, e) -> candidates.add(new Candidate(digest, e, e.lastAccess)));
        candidates.sort(Comparator.comparingLong(Candidate::lastAccess));
        for (Candidate c : candidates) {
            Entry e = c.entry();
            boolean tooBig = total.get() > maxBytes;
            boolean tooOld = e.lastAccess < usedBefore;
            if (!tooBig && !tooOld) {
                return; // sorted by last access: nothing later is older, and the total only shrinks
            }
            if (keep.test(c.digest()) || !e.pins.compareAndSet(0, EVICTING)) {
                continue;
            }
            if (delete.test(c.digest())) {
                if (entries.remove(c.digest(), e)) {
                    total.addAndGet(-e.size);
                }
                listener.evicted(c.digest(), e.size);
            } else {
                e.pins.set(0);
            }
        }
    }
}
