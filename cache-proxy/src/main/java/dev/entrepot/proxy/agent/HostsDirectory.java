package dev.entrepot.proxy.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * containerd's hosts directory ({@code <root>/<host>/hosts.toml}) as far as the agent manages it.
 * A host is managed from the moment the agent records it under {@code <root>/.entrepot-node-agent/<host>/}
 * (a name containerd never looks up: it is no registry host) until it gives it back; every other host
 * is never touched. Taking a host over copies a pre-existing hosts.toml there first; giving it back
 * restores that copy, or removes the agent's file (and the directory if the agent created it).
 * Every write is a temp file renamed over the target, so containerd, which reads hosts.toml on every
 * pull, sees the old file or the new one. The steps are ordered so that a crash at any point is
 * finished by the next run: the original is copied before the host is recorded as managed, and the
 * record goes only after the original is back.
 */
public final class HostsDirectory {

    static final String STATE = ".entrepot-node-agent";
    static final String FILE = "hosts.toml";
    private static final String MARKER = "managed";
    private static final String ORIGINAL = "original.toml";
    private static final String CREATED_DIR = "created-dir";
    private static final String TEMP = ".hosts.toml.entrepot.tmp";

    /** What the directory holds after a change, and what was done; {@code backedUp}: hosts with a saved original. */
    public record Outcome(SortedSet<String> managed, SortedSet<String> backedUp, List<String> changes) {
    }

    private final Path root;
    private final Path state;

    public HostsDirectory(Path root) {
        this.root = root;
        this.state = root.resolve(STATE);
    }

    public Path root() {
        return root;
    }

    /** Held by the one agent that manages this directory. */
    public Path lockFile() {
        return state.resolve("agent.lock");
    }

    /** Makes the managed hosts exactly {@code desired} (host to hosts.toml content). */
    public synchronized Outcome apply(Map<String, String> desired) throws IOException {
        Files.createDirectories(state);
        List<String> changes = new ArrayList<>();
        for (Map.Entry<String, String> e : desired.entrySet()) {
            ensure(requireHost(e.getKey()), e.getValue(), changes);
        }
        for (String host : managed()) {
            if (!desired.containsKey(host)) {
                changes.add(release(host));
            }
        }
        return outcome(changes);
    }

    /** Gives every managed host back (the mirror is removed, or the agent stops). */
    public synchronized Outcome releaseAll() throws IOException {
        List<String> changes = new ArrayList<>();
        for (String host : managed()) {
            changes.add(release(host));
        }
        return outcome(changes);
    }

    /** The hosts recorded as managed. */
    public SortedSet<String> managed() throws IOException {
        SortedSet<String> hosts = new TreeSet<>();
        if (!Files.isDirectory(state)) {
            return hosts;
        }
        try (Stream<Path> entries = Files.list(state)) {
            entries.filter(p -> Files.isRegularFile(p.resolve(MARKER)))
                    .map(p -> p.getFileName().toString())
                    .filter(h -> MirrorSource.HOST.matcher(h).matches())
                    .forEach(hosts::add);
        }
        return hosts;
    }

    private void ensure(String host, String content, List<String> changes) throws IOException {
        Path dir = root.resolve(host);
        Path file = dir.resolve(FILE);
        Path record = state.resolve(host);
        if (!Files.isRegularFile(record.resolve(MARKER))) {
            boolean dirExisted = Files.isDirectory(dir);
            Files.createDirectories(record);
            if (Files.isRegularFile(file)) {
                replace(record.resolve(ORIGINAL), file);
                changes.add(host + ": kept the existing " + file + " to restore later");
            } else {
                Files.deleteIfExists(record.resolve(ORIGINAL)); // left by a take-over that crashed
            }
            write(record.resolve(MARKER), dirExisted ? "" : CREATED_DIR);
            Files.createDirectories(dir);
        }
        if (!content.equals(readOrNull(file))) {
            write(file, content);
            changes.add(host + ": wrote " + file);
        }
    }

    private String release(String host) throws IOException {
        Path dir = root.resolve(host);
        Path file = dir.resolve(FILE);
        Path record = state.resolve(host);
        Path original = record.resolve(ORIGINAL);
        String change;
        if (Files.isRegularFile(original)) {
            Files.createDirectories(dir);
            replace(file, original);
            change = host + ": restored the original " + file;
        } else {
            Files.deleteIfExists(file);
            if (CREATED_DIR.equals(readOrNull(record.resolve(MARKER)))) {
                deleteIfEmpty(dir);
            }
            change = host + ": removed " + file;
        }
        Files.deleteIfExists(original);
        Files.deleteIfExists(record.resolve(MARKER));
        deleteIfEmpty(record);
        fsync(state);
        return change;
    }

    private Outcome outcome(List<String> changes) throws IOException {
        SortedSet<String> managed = managed();
        SortedSet<String> backedUp = new TreeSet<>();
        for (String host : managed) {
            if (Files.isRegularFile(state.resolve(host).resolve(ORIGINAL))) {
                backedUp.add(host);
            }
        }
        return new Outcome(managed, backedUp, List.copyOf(changes));
    }

    private static String requireHost(String host) {
        if (!MirrorSource.HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("not a registry host: " + host);
        }
        return host;
    }

    /** Temp file in the target's directory, fsynced, renamed over the target, directory fsynced. */
    private static void write(Path target, String content) throws IOException {
        Path temp = target.resolveSibling(TEMP);
        Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        commit(temp, target);
    }

    /** {@code target} becomes a copy of {@code source} (mode kept), atomically. */
    private static void replace(Path target, Path source) throws IOException {
        Path temp = target.resolveSibling(TEMP);
        Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        commit(temp, target);
    }

    private static void commit(Path temp, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsync(target.getParent());
    }

    private static void fsync(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static String readOrNull(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // someone else's files are in it: it stays
        }
    }
}
