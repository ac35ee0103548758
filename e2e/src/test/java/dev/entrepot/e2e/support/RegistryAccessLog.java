package dev.entrepot.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The access log {@link DockerRegistry} writes into its {@code registry.log} (Apache combined format:
 * {@code ... "GET /v2/library/app/manifests/1 HTTP/1.1" 404 ...}): what reached a registry that no
 * {@link CountingFront} stands before, e.g. one that must refuse connections when it is stopped.
 */
public final class RegistryAccessLog {
    private static final Pattern REQUEST = Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");

    public record Entry(String method, String path, int status) {
    }

    private final Path log;

    private RegistryAccessLog(Path log) {
        this.log = log;
    }

    public static RegistryAccessLog of(DockerRegistry registry) {
        return new RegistryAccessLog(registry.dataDir().getParent().resolve("registry.log"));
    }

    public List<Entry> entries() {
        if (!Files.exists(log)) {
            return List.of();
        }
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .map(REQUEST::matcher)
                    .filter(Matcher::find)
                    .map(m -> new Entry(m.group(1), m.group(2), Integer.parseInt(m.group(3))))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Requests, any method, whose path (with query) contains {@code pathPart}. */
    public int count(String pathPart) {
        return (int) entries().stream().filter(e -> e.path().contains(pathPart)).count();
    }

    /** Requests with this method whose path contains {@code pathPart}. */
    public int count(String method, String pathPart) {
        return (int) entries().stream().filter(e -> e.method().equals(method) && e.path().contains(pathPart)).count();
    }
}
