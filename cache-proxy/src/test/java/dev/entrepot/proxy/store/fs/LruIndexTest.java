package dev.entrepot.proxy.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class LruIndexTest {
    private final MutableClock clock = new MutableClock(100);
    private final Map<Digest, Long> evicted = new LinkedHashMap<>();
    private final LruIndex index = new LruIndex(clock, evicted::put);
    private final List<Digest> deleted = new ArrayList<>();
    private final Predicate<Digest> deleteOk = d -> deleted.add(d);

    private static Digest digest(String name) {
        return Digest.sha256(name.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tracksSizesAndTotals() {
        Digest a = digest("a");
        Digest b = digest("b");

        index.add(a, 10, 1);
        index.add(b, 32, 2);

        assertThat(index.count()).isEqualTo(2);
        assertThat(index.totalBytes()).isEqualTo(42);
        assertThat(index.size(a)).isEqualTo(10);
        assertThat(index.size(digest("absent"))).isEqualTo(-1);
        assertThat(index.contains(b)).isTrue();
        assertThat(index.contains(digest("absent"))).isFalse();
    }

    @Test
    void addingTheSameDigestTwiceCountsItOnce() {
        Digest a = digest("a");

        index.add(a, 10, 1);
        index.add(a, 10, 5);

        assertThat(index.count()).isEqualTo(1);
        assertThat(index.totalBytes()).isEqualTo(10);
    }

    @Test
    void addingAgainRefreshesLastAccess() {
        Digest a = digest("a");
        Digest b = digest("b");
        index.add(a, 10, 1);
        index.add(b, 10, 2);

        index.add(a, 10, 3);
        index.evict(10, Long.MIN_VALUE, deleteOk);

        assertThat(deleted).containsExactly(b);
    }

    @Test
    void addingAgainNeverMovesLastAccessBack() {
        Digest a = digest("a");
        Digest b = digest("b");
        index.add(a, 10, 1);
        index.add(b, 10, 2);

        index.add(b, 10, 0);
        index.evict(10, Long.MIN_VALUE, deleteOk);

        assertThat(deleted).containsExactly(a);
    }

    @Test
    void addingAgainKeepsPins() {
        Digest a = digest("a");
        index.add(a, 10, 1);
        assertThat(index.pin(a)).isTrue();

        index.add(a, 10, 2);
        index.evict(0, Long.MIN_VALUE, deleteOk);

        assertThat(index.pins(a)).isEqualTo(1);
        assertThat(deleted).isEmpty();
        assertThat(index.contains(a)).isTrue();
    }

    @Test
    void forgetRemovesAndAdjustsTheTotal() {
        Digest a = digest("a");
        index.add(a, 10, 1);
        index.add(digest("b"), 5, 1);

        index.forget(a);
        index.forget(a);
        index.forget(digest("absent"));

        assertThat(index.totalBytes()).isEqualTo(5);
        assertThat(index.contains(a)).isFalse();
    }

    @Test
    void pinCountsReadersAndUnpinNeverGoesBelowZero() {
        Digest a = digest("a");
        index.add(a, 10, 1);

        assertThat(index.pin(a)).isTrue();
        assertThat(index.pin(a)).isTrue();
        assertThat(index.pins(a)).isEqualTo(2);
        index.unpin(a);
        index.unpin(a);
        index.unpin(a);
        index.unpin(digest("absent"));

        assertThat(index.pins(a)).isZero();
        assertThat(index.pins(digest("absent"))).isZero();
    }

    @Test
    void pinningAnUnknownDigestFails() {
        assertThat(index.pin(digest("absent"))).isFalse();
    }

    @Test
    void pinningMarksTheBlobRecentlyUsed() {
        Digest a = digest("a");
        Digest b = digest("b");
        index.add(a, 10, 1);
        index.add(b, 10, 2);
        clock.set(50);
        index.pin(a);
        index.unpin(a);

        index.evict(10, Long.MIN_VALUE, deleteOk);

        assertThat(deleted).containsExactly(b);
        assertThat(evicted).containsExactly(Map.entry(b, 10L));
    }

    @Test
    void evictionSortsSafelyWhileReadersTouchEntries() throws Exception {
        List<Digest> digests = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Digest d = digest("blob" + i);
            digests.add(d);
            index.add(d, 1, 1 + i);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread readers = new Thread(() -> {
            Random random = new Random(1);
            while (!stop.get()) {
                clock.set(1 + random.nextInt(1_000_000)); // reads at any time: last-access times move both ways
                Digest d = digests.get(random.nextInt(digests.size()));
                index.pin(d);
                index.unpin(d);
            }
        });
        readers.start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < until) {
                // Nothing was used before 1: this only sorts, and must not trip over entries changing meanwhile.
                index.evict(Long.MAX_VALUE, 1, deleteOk);
            }
        } finally {
            stop.set(true);
            readers.join();
        }

        assertThat(deleted).isEmpty();
        assertThat(index.count()).isEqualTo(2_000);
    }

    @Test
    void nowIsTheClocks() {
        clock.set(12_345);

        assertThat(index.now()).isEqualTo(12_345);
    }

    @Test
    void evictsOldestFirstUntilUnderTheLimit() {
        Digest a = digest("a");
        Digest b = digest("b");
        Digest c = digest("c");
        index.add(c, 10, 3);
        index.add(a, 10, 1);
        index.add(b, 10, 2);

        index.evict(15, Long.MIN_VALUE, deleteOk);

        assertThat(deleted).containsExactly(a, b);
        assertThat(evicted).containsExactly(Map.entry(a, 10L), Map.entry(b, 10L));
        assertThat(index.totalBytes()).isEqualTo(10);
        assertThat(index.contains(c)).isTrue();
    }

    @Test
    void nothingIsEvictedUnderTheLimit() {
        index.add(digest("a"), 10, 1);

        index.evict(10, Long.MIN_VALUE, deleteOk);

        assertThat(deleted).isEmpty();
        assertThat(evicted).isEmpty();
    }

    @Test
    void pinnedBlobsAreSkipped() {
        Digest a = digest("a");
        Digest b = digest("b");
        index.add(a, 10, 1);
        index.add(b, 10, 2);
        clock.set(0);
        index.pin(a);

        index.evict(0, Long.MIN_VALUE, deleteOk);

        assertThat(deleted).containsExactly(b);
        assertThat(index.contains(a)).isTrue();
        assertThat(index.pins(a)).isEqualTo(1);
    }

    @Test
    void aBlobBeingEvictedCannotBePinned() {
        Digest a = digest("a");
        index.add(a, 10, 1);
        List<Boolean> pinnedDuringDelete = new ArrayList<>();

        index.evict(0, Long.MIN_VALUE, d -> pinnedDuringDelete.add(index.pin(d)));

        assertThat(pinnedDuringDelete).containsExactly(false);
        assertThat(index.contains(a)).isFalse();
        assertThat(index.pin(a)).isFalse();
    }

    @Test
    void aFailedDeleteKeepsTheEntryUsable() {
        Digest a = digest("a");
        index.add(a, 10, 1);

        index.evict(0, Long.MIN_VALUE, d -> false);

        assertThat(evicted).isEmpty();
        assertThat(index.contains(a)).isTrue();
        assertThat(index.totalBytes()).isEqualTo(10);
        assertThat(index.pin(a)).isTrue();
        assertThat(index.pins(a)).isEqualTo(1);
    }

    @Test
    void evictsEverythingUsedBeforeACutoff() {
        Digest a = digest("a");
        Digest b = digest("b");
        Digest c = digest("c");
        index.add(a, 10, 1);
        index.add(b, 10, 2);
        index.add(c, 10, 3);

        index.evict(Long.MAX_VALUE, 3, deleteOk);

        assertThat(deleted).containsExactly(a, b);
        assertThat(index.totalBytes()).isEqualTo(10);
    }

    @Test
    void sizeAndAgeLimitsCombine() {
        Digest a = digest("a");
        Digest b = digest("b");
        Digest c = digest("c");
        index.add(a, 10, 1);
        index.add(b, 100, 5);
        index.add(c, 10, 9);

        index.evict(20, 2, deleteOk);

        assertThat(deleted).containsExactly(a, b);
        assertThat(index.totalBytes()).isEqualTo(10);
    }
}
