package dev.entrepot.proxy.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The hosts.toml files the operator rendered, as the kubelet mounts its ConfigMap: one key
 * {@code <host>.hosts.toml} per registry host, ':' written as '_' (ConfigMap keys cannot hold ':',
 * registry hosts cannot hold '_'). The kubelet swaps the whole set at once (the {@code ..data}
 * symlink), so one read sees one version of the ConfigMap.
 */
public final class MirrorSource {

    static final String SUFFIX = ".hosts.toml";
    /** What the operator's CRDs allow in mirrorOf; anything else could escape the hosts directory. */
    static final Pattern HOST = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?");
    private static final long MAX_FILE = 64 * 1024;

    /** @param files host to hosts.toml content; @param ignored keys that are not a host's file, with why */
    public record Contents(SortedMap<String, String> files, List<String> ignored) {
    }

    private final Path dir;

    public MirrorSource(Path dir) {
        this.dir = dir;
    }

    /** An absent directory reads as no hosts: the ConfigMap is optional until the operator writes it. */
    public Contents read() throws IOException {
        SortedMap<String, String> files = new TreeMap<>();
        List<String> ignored = new ArrayList<>();
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) {
            entries = list.sorted().toList();
        } catch (NoSuchFileException e) {
            return new Contents(files, ignored);
        }
        for (Path entry : entries) {
            String key = entry.getFileName().toString();
            if (key.startsWith("..")) {
                continue; // the kubelet's own bookkeeping (..data, ..<timestamp>)
            }
            Optional<String> host = host(key);
            if (host.isEmpty()) {
                ignored.add(key + ": not <registry host>" + SUFFIX);
            } else if (Files.size(entry) > MAX_FILE) {
                ignored.add(key + ": larger than " + MAX_FILE + " bytes");
            } else {
                files.put(host.get(), Files.readString(entry, StandardCharsets.UTF_8));
            }
        }
        return new Contents(files, ignored);
    }

    /** The registry host a ConfigMap key stands for, if it is one. */
    static Optional<String> host(String key) {
        if (!key.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        String host = key.substring(0, key.length() - SUFFIX.length()).replace('_', ':');
        return HOST.matcher(host).matches() ? Optional.of(host) : Optional.empty();
    }

    /** The ConfigMap key of a host's file (the operator's side of the naming rule). */
    public static String key(String host) {
        return host.replace(':', '_') + SUFFIX;
    }
}
