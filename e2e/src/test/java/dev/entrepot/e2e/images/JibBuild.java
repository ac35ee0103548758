package dev.entrepot.e2e.images;

import dev.entrepot.e2e.support.Exec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The images built as the README says, by Maven with Quarkus' Jib extension pushing to a registry:
 * {@code mvn package -Dquarkus.container-image.push=true -Dquarkus.container-image.registry=...}. It runs
 * on a copy of the sources (poms and src/main of cache-proxy and operator), so the jars of the build that
 * runs this test are never rewritten under it; the local repository is the one that build filled, and
 * Maven runs offline.
 */
final class JibBuild {
    private static final Duration TIMEOUT = Duration.ofMinutes(15);
    private static final Pattern PUSHED = Pattern.compile("Pushed container image (\\S+) \\((sha256:[0-9a-f]{64})\\)");

    /** @param images image reference (registry/group/name:tag) to the digest Jib reported */
    record Result(Map<String, String> images, Duration took) {
    }

    private JibBuild() {
    }

    static Result run(Path dir, Map<String, String> properties) {
        Path sources = Path.of(System.getProperty("entrepot.e2e.sourceRoot", "..")).toAbsolutePath().normalize();
        Path copy = dir.resolve("src");
        try {
            copySources(sources, copy);
            List<String> command = new ArrayList<>(List.of(maven(), "-B", "-o", "-f", copy.resolve("pom.xml").toString(),
                    "-pl", "cache-proxy,operator", "package", "-Dmaven.test.skip=true"));
            String repository = System.getProperty("entrepot.e2e.mavenRepository", "");
            if (!repository.isBlank()) {
                command.add("-Dmaven.repo.local=" + repository);
            }
            properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            long start = System.nanoTime();
            Exec.Result result = Exec.run(TIMEOUT, command);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            Files.writeString(dir.resolve("maven.log"), String.join(" ", command) + "\n\n" + result.stdout() + result.stderr());
            if (!result.ok()) {
                throw new AssertionError("image build failed (exit " + result.exitCode() + "), see " + dir.resolve("maven.log")
                        + "\n" + tail(result.stdout(), 40));
            }
            Map<String, String> images = new TreeMap<>();
            Matcher pushed = PUSHED.matcher(result.stdout());
            while (pushed.find()) {
                images.put(pushed.group(1), pushed.group(2));
            }
            return new Result(images, took);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String maven() {
        String home = System.getProperty("entrepot.e2e.mavenHome", "");
        return home.isBlank() ? "mvn" : Path.of(home, "bin", "mvn").toString();
    }

    private static void copySources(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Files.copy(from.resolve("pom.xml"), to.resolve("pom.xml"), StandardCopyOption.REPLACE_EXISTING);
        // the root pom lists e2e as a module: Maven reads its pom even when -pl leaves it out
        Files.createDirectories(to.resolve("e2e"));
        Files.copy(from.resolve("e2e/pom.xml"), to.resolve("e2e/pom.xml"), StandardCopyOption.REPLACE_EXISTING);
        for (String module : List.of("cache-proxy", "operator")) {
            Files.createDirectories(to.resolve(module));
            Files.copy(from.resolve(module).resolve("pom.xml"), to.resolve(module).resolve("pom.xml"),
                    StandardCopyOption.REPLACE_EXISTING);
            copyTree(from.resolve(module).resolve("src/main"), to.resolve(module).resolve("src/main"));
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
