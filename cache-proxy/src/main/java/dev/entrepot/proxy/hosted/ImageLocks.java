package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.oci.ImageName;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises the writes (and the cache fills) of one image: a tag checked and then moved must not race another push
 * of the same tag. Striped: images share a few locks, held only for metadata writes of a few milliseconds.
 */
final class ImageLocks {
    private final ReentrantLock[] stripes = new ReentrantLock[64];

    ImageLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Work that may throw anything; runs with the image's lock held. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws Exception;
    }

    <T> T locked(String repository, ImageName name, Work<T> work) throws Exception {
        ReentrantLock lock = stripes[Math.floorMod((repository + "/" + name).hashCode(), stripes.length)];
        lock.lock();
        try {
            return work.run();
        } finally {
            lock.unlock();
        }
    }
}
