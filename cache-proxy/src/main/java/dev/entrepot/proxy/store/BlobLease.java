package dev.entrepot.proxy.store;

import java.nio.file.Path;

/** A stored blob being read: eviction leaves it alone until {@link #close()}. Closing twice is harmless. */
public interface BlobLease extends AutoCloseable {
    Path path();

    long size();

    @Override
    void close();
}
