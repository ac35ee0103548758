package dev.entrepot.proxy.store.fs;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Directory walks that tolerate concurrent deletes: a push or delete may remove a file while the collector or a
 * listing walks past it, which must not fail the walk ({@code Files.walk} does).
 */
final class Walks {
    private Walks() {
    }

    /** Regular files under {@code dir}, at most {@code maxDepth} levels down; none when it does not exist. */
    static List<Path> files(Path dir, int maxDepth) throws IOException {
        List<Path> found = new ArrayList<>();
        walk(dir, maxDepth, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                return tolerate(e);
            }
        });
        return found;
    }

    /** Directories under {@code root} named one of {@code names}, without descending into them. */
    static List<Path> directoriesNamed(Path root, Set<String> names) throws IOException {
        List<Path> found = new ArrayList<>();
        walk(root, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (names.contains(dir.getFileName().toString())) {
                    found.add(dir);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                return tolerate(e);
            }
        });
        return found;
    }

    private static void walk(Path dir, int maxDepth, SimpleFileVisitor<Path> visitor) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, EnumSet.noneOf(FileVisitOption.class), maxDepth, visitor);
        } catch (NoSuchFileException e) {
            // the root itself went away: nothing to list
        }
    }

    private static FileVisitResult tolerate(IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
        }
        throw e;
    }
}
