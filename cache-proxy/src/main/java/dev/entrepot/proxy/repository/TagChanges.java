package dev.entrepot.proxy.repository;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts changes of hosted tags (pushes, deletes), so whoever remembers what a tag resolved to — a virtual
 * repository's resolution cache — can tell its memory is older than the last change and ask again.
 */
public final class TagChanges {
    private final AtomicLong version = new AtomicLong();

    public long current() {
        return version.get();
    }

    public void changed() {
        version.incrementAndGet();
    }
}
