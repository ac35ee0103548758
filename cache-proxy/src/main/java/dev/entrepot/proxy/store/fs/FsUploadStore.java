package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.store.AdoptingBlobStore;
import dev.entrepot.proxy.store.UploadSession;
import dev.entrepot.proxy.store.UploadStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Upload sessions under {@code uploads/<id>/}: {@code info} (repository, name, start time) and {@code data} (the
 * bytes so far). Committed into an {@link AdoptingBlobStore} whose directory is on the same filesystem: a rename
 * into an {@link FsBlobStore}, an upload from the file for the S3 store. Sessions are not removed
 * at start-up: a client may resume one after a restart; {@link #expire} removes the abandoned ones. The running
 * hash lives in memory; after a restart it is rebuilt from {@code data} on first use.
 */
public final class FsUploadStore implements UploadStore {
    private static final Logger LOG = Logger.getLogger(FsUploadStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Path root;
    private final AdoptingBlobStore target;
    private final Clock clock;
    private final Map<String, Session> open = new ConcurrentHashMap<>();

    public FsUploadStore(Path root, AdoptingBlobStore target, Clock clock) throws IOException {
        this.root = root;
        this.target = target;
        this.clock = clock;
        Files.createDirectories(root);
    }

    @Override
    public UploadSession create(String repository, ImageName name) throws IOException {
        String id = UUID.randomUUID().toString();
        Path dir = root.resolve(id);
        Files.createDirectories(dir);
        Files.createFile(dir.resolve("data"));
        Instant now = clock.instant();
        DurableFiles.write(dir, dir.resolve("info"), repository + "\n" + name + "\n" + now.toEpochMilli() + "\n");
        Session session = new Session(id, dir, repository, name, now, 0, now.toEpochMilli());
        session.hasher = newSha256();
        open.put(id, session);
        return session;
    }

    @Override
    public Optional<UploadSession> find(String id) throws IOException {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Session known = open.get(id);
        if (known != null) {
            return Optional.of(known);
        }
        Path dir = root.resolve(id);
        Optional<String> info = DurableFiles.read(dir.resolve("info"));
        if (info.isEmpty()) {
            return Optional.empty();
        }
        try {
            String[] lines = info.get().split("\n");
            long size = Files.size(dir.resolve("data"));
            Session loaded = new Session(id, dir, lines[0], new ImageName(lines[1]),
                    Instant.ofEpochMilli(Long.parseLong(lines[2].trim())), size, lastActivity(dir));
            Session raced = open.putIfAbsent(id, loaded);
            return Optional.of(raced != null ? raced : loaded);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // committed or cancelled while we looked
        } catch (RuntimeException e) {
            LOG.warnf("discarding unreadable upload session %s: %s", dir, e.getMessage());
            deleteDirectory(dir);
            return Optional.empty();
        }
    }

    @Override
    public int expire(Duration idle) throws IOException {
        long cutoff = clock.millis() - idle.toMillis();
        int expired = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                Optional<UploadSession> session = ID.matcher(id).matches() ? find(id) : Optional.empty();
                if (session.isEmpty()) {
                    if (lastActivity(dir) < cutoff) {
                        deleteDirectory(dir); // debris: a crash between commit and clean-up, or a foreign file
                    }
                    continue;
                }
                if (((Session) session.get()).expireIfIdleSince(cutoff)) {
                    expired++;
                }
            }
        }
        return expired;
    }

    @Override
    public int count() throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return (int) dirs.filter(d -> ID.matcher(d.getFileName().toString()).matches()).count();
        }
    }

    private static long lastActivity(Path dir) {
        long last = 0;
        for (String file : new String[] {"data", "info", ""}) {
            try {
                last = Math.max(last, Files.getLastModifiedTime(file.isEmpty() ? dir : dir.resolve(file)).toMillis());
            } catch (IOException e) {
                // gone or unreadable: does not count as activity
            }
        }
        return last;
    }

    private static void deleteDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.deleteIfExists(dir);
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static MessageDigest newSha256() {
        return new Digest("sha256", "0".repeat(64)).newHasher();
    }

    private final class Session implements UploadSession {
        private final String id;
        private final Path dir;
        private final String repository;
        private final ImageName name;
        private final Instant startedAt;
        private long size;
        /** sha256 of the first {@code size} bytes; null until rebuilt after a restart or a failed write. */
        private MessageDigest hasher;
        private boolean ended;
        private long lastActivity;
        private FileChannel channel; // open while a request appends; closed between requests

        Session(String id, Path dir, String repository, ImageName name, Instant startedAt, long size,
                long lastActivity) {
            this.id = id;
            this.dir = dir;
            this.repository = repository;
            this.name = name;
            this.startedAt = startedAt;
            this.size = size;
            this.lastActivity = lastActivity;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String repository() {
            return repository;
        }

        @Override
        public ImageName name() {
            return name;
        }

        @Override
        public Instant startedAt() {
            return startedAt;
        }

        @Override
        public synchronized long size() {
            return size;
        }

        @Override
        public synchronized void append(ByteBuffer bytes) throws IOException {
            checkOpen();
            int length = bytes.remaining();
            ByteBuffer hashed = bytes.duplicate();
            if (channel == null) {
                channel = FileChannel.open(dir.resolve("data"), StandardOpenOption.WRITE);
            }
            try {
                channel.position(size);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException e) {
                channel.truncate(size); // keep exactly what was there: a retry appends at the same offset
                throw e;
            }
            hasher.update(hashed);
            size += length;
            lastActivity = clock.millis();
        }

        @Override
        public synchronized void commit(Digest digest) throws IOException {
            checkOpen();
            Path data = dir.resolve("data");
            byte[] computed = digest.algorithm().equals("sha256") ? hasher.digest() : rehash(data, digest.newHasher());
            hasher = null;
            if (!digest.matches(computed)) {
                end();
                throw new OciException(OciErrorCode.DIGEST_INVALID, "uploaded content does not match " + digest
                        + " (it hashes to " + digest.algorithm() + ":" + HexFormat.of().formatHex(computed)
                        + "); nothing was stored and the upload is closed");
            }
            close();
            ended = true;
            open.remove(id);
            target.adopt(data, digest);
            deleteDirectory(dir);
        }

        @Override
        public synchronized void cancel() throws IOException {
            checkOpen();
            end();
        }

        @Override
        public synchronized void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debugf("closing upload %s: %s", id, e.getMessage());
                }
                channel = null;
            }
        }

        synchronized boolean expireIfIdleSince(long cutoff) throws IOException {
            if (ended || lastActivity >= cutoff) {
                return false;
            }
            end();
            return true;
        }

        private void end() throws IOException {
            close();
            ended = true;
            open.remove(id);
            deleteDirectory(dir);
        }

        private void checkOpen() throws IOException {
            if (ended || channel == null && !Files.isRegularFile(dir.resolve("data"))) {
                ended = true;
                open.remove(id);
                throw new OciException(OciErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + id + " is not open (committed, "
                        + "cancelled or expired)");
            }
            if (hasher == null) {
                hasher = newSha256();
                rehashInto(dir.resolve("data"), hasher, size);
            }
        }

        private static byte[] rehash(Path data, MessageDigest md) throws IOException {
            rehashInto(data, md, Long.MAX_VALUE);
            return md.digest();
        }

        private static void rehashInto(Path data, MessageDigest md, long limit) throws IOException {
            byte[] buffer = new byte[64 * 1024];
            long left = limit;
            try (InputStream in = Files.newInputStream(data)) {
                int n;
                while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                    md.update(buffer, 0, n);
                    left -= n;
                }
            }
        }
    }
}
