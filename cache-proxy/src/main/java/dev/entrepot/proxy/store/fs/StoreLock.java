package dev.entrepot.proxy.store.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process per store directory. Start-up removes temp files and later code assumes nobody else writes, so a
 * second proxy on the same directory must not start: it would delete the first one's downloads and uploads.
 * The OS releases the lock when the process dies, kill -9 included.
 */
public final class StoreLock implements AutoCloseable {
    public static final String FILE = "entrepot.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or fails with a message a person can act on. */
    public static StoreLock acquire(Path root) throws IOException {
        Files.createDirectories(root);
        Path file = root.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very JVM (a second store over the same directory)
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("store " + root.toAbsolutePath() + " is in use by another Entrepot "
                    + "process (it holds " + file.toAbsolutePath() + "); stop it or give this one another storage.path");
        }
        return new StoreLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
