package dev.entrepot.proxy.events;

import dev.entrepot.proxy.store.fs.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One endpoint's undelivered events on disk, oldest first: {@code <millis>-<seq>-<id>.json}, each written durably
 * before the change it reports is acknowledged, removed once delivered. Survives restarts. Blocking.
 */
final class Outbox {
    /** An event waiting: its file, when it was written, its body. */
    record Pending(Path file, long writtenMillis, byte[] body) {
    }

    private final Path dir;
    private final Path tmp;
    private final AtomicLong sequence = new AtomicLong();

    Outbox(Path dir, Path tmp) throws IOException {
        this.dir = dir;
        this.tmp = tmp;
        Files.createDirectories(dir);
        Files.createDirectories(tmp);
    }

    void append(long nowMillis, byte[] event) throws IOException {
        String name = String.format("%013d-%09d-%s.json", nowMillis, sequence.incrementAndGet(),
                UUID.randomUUID().toString().substring(0, 8));
        DurableFiles.write(tmp, dir.resolve(name), new String(event, StandardCharsets.UTF_8));
    }

    /** The oldest waiting event, if any. */
    Optional<Pending> oldest() throws IOException {
        List<Path> files = files();
        for (Path file : files) {
            try {
                long written = Long.parseLong(file.getFileName().toString().substring(0, 13));
                return Optional.of(new Pending(file, written, Files.readAllBytes(file)));
            } catch (NoSuchFileException e) {
                // delivered or dropped meanwhile
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                Files.deleteIfExists(file); // not ours
            }
        }
        return Optional.empty();
    }

    void remove(Pending pending) throws IOException {
        DurableFiles.delete(pending.file());
    }

    int size() throws IOException {
        return files().size();
    }

    private List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.json")) {
            entries.forEach(files::add);
        }
        files.sort(null);
        return files;
    }
}
