package dev.entrepot.operator.probe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Answers reused for a fixed time, so that the many reconciliations of a busy namespace ask once
 * and a steady state yields a steady status. Expired answers are dropped as new ones come in.
 */
final class ExpiringAnswers<K, V> {

    private record Entry<V>(V value, Instant until) {
    }

    private final Duration keepFor;
    private final Clock clock;
    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

    ExpiringAnswers(Duration keepFor, Clock clock) {
        this.keepFor = keepFor;
        this.clock = clock;
    }

    V get(K key, Function<K, V> ask) {
        Instant now = clock.instant();
        Entry<V> entry = entries.get(key);
        if (entry == null || now.isAfter(entry.until())) {
            entries.values().removeIf(e -> now.isAfter(e.until()));
            entry = new Entry<>(ask.apply(key), now.plus(keepFor));
            entries.put(key, entry);
        }
        return entry.value();
    }
}
