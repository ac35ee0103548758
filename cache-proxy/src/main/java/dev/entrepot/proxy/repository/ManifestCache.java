package dev.entrepot.proxy.repository;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;

/**
 * The warm path for manifests: (repository, name, tag or digest) → bytes, in memory and bounded by bytes.
 * A hit costs one lookup and no disk I/O. For tags it also remembers when the upstream last confirmed them.
 */
public final class ManifestCache {
    private static final int ENTRY_OVERHEAD = 256;

    public record Key(String repository, ImageName name, String reference) {
    }

    /** {@code checkedAtMillis}: when the upstream last confirmed a tag; meaningless for digests. */
    public record Entry(ManifestContent content, long checkedAtMillis) {
    }

    private final Cache<Key, Entry> cache;

    public ManifestCache(long maxBytes, ProxyMetrics metrics) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key k, Entry e) -> e.content().bytes().length + ENTRY_OVERHEAD)
                .recordStats()
                .build();
        metrics.monitor(cache, "manifests");
    }

    public Entry get(Key key) {
        return cache.getIfPresent(key);
    }

    public void put(Key key, Entry entry) {
        cache.put(key, entry);
    }

    public void invalidate(Key key) {
        cache.invalidate(key);
    }

    /** Forgets every reference of one image (a hosted delete: tags and digests may both be stale). */
    public void invalidateImage(String repository, ImageName name) {
        cache.asMap().keySet().removeIf(k -> k.repository().equals(repository) && k.name().equals(name));
    }

    /** Forgets everything, e.g. after a config reload changed what a repository name points to. */
    public void clear() {
        cache.invalidateAll();
    }
}
