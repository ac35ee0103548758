package dev.entrepot.proxy.store.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Small files replaced atomically and durably: written to a temp file, fsynced, renamed over the target, then the
 * directory fsynced, so after a crash a reader finds the old content or the new one, never a mix or nothing.
 */
public final class DurableFiles {
    private static final Logger LOG = Logger.getLogger(DurableFiles.class);

    private DurableFiles() {
    }

    public static void write(Path tmpDir, Path target, String content) throws IOException {
        Files.createDirectories(target.getParent());
        Path temp = tmpDir.resolve("meta." + UUID.randomUUID());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public static Optional<String> read(Path path) throws IOException {
        try {
            return Optional.of(Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Deletes the file and makes the deletion durable; false when there was nothing to delete. */
    public static boolean delete(Path path) throws IOException {
        boolean deleted = Files.deleteIfExists(path);
        if (deleted) {
            fsyncDirectory(path.getParent());
        }
        return deleted;
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some filesystems refuse fsync on directories; the rename itself is still atomic.
            LOG.debugf("directory fsync not supported on %s: %s", dir, e.getMessage());
        }
    }
}
