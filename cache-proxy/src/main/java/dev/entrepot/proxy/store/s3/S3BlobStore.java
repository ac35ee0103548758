package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.store.AdoptingBlobStore;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobUses;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.store.TieredBlobStore;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * Blobs in an object store at {@code <area>blobs/<algorithm>/<hex>}, with a size-bounded local disk tier (an
 * {@link FsBlobStore}) that every lease is served from, so a warm hit keeps sendfile speed and readers can tail a
 * blob while it downloads. The object store is the durable copy; the local tier is a cache of it and can be lost.
 *
 * <p>Writing: bytes go to a local temp file (hashed as they come); every full part is uploaded to an uncompleted
 * multipart upload while later bytes still arrive. {@link BlobWriter#commit()} verifies the digest first and only
 * then completes the upload (or, for a blob smaller than one part, PUTs it), so nothing is ever visible under a
 * content address that does not hash to it; a mismatch or an abandoned writer aborts the upload. Uploads a crash
 * left behind are invisible and removed by {@link #abortAbandonedUploads}.
 *
 * <p>Reading: a blob missing from the local tier is looked up in the bucket (another replica may have stored it),
 * downloaded to the local tier and its digest verified again. That is blocking network I/O: unlike
 * {@link FsBlobStore#open}, {@link #open} on a local miss must not run on the event loop. Serving does not wait for
 * that: it reads the object while a {@link #newLocalWriter} makes the local copy ({@link TieredBlobStore}), and reads
 * ranges straight from the bucket.
 *
 * <p>Replicas sharing the bucket agree on removals through {@link S3BlobUses}; every answer that matters to them
 * ({@link #storedSize}, {@link #list}, whether {@link #adopt} or {@link #linkFrom} must send the blob) is asked of the
 * bucket, never of what this process knows.
 */
public final class S3BlobStore implements AdoptingBlobStore, TieredBlobStore {
    private static final Logger LOG = Logger.getLogger(S3BlobStore.class);
    /** CopyObject's limit; larger blobs are linked by streaming them. */
    private static final long MAX_COPY = 5L << 30;

    private final Bucket bucket;
    private final String area;
    private final S3LocalTier tier;
    private final FsBlobStore local;
    private final Path tmp;
    private final Clock clock;
    private final Executor parts;
    private final S3BlobUses uses;
    /** What this process knows is in the bucket: size and last use. Other replicas' blobs join on first open. */
    private final S3KnownBlobs known;
    private final Duration redirectTtl;

    /**
     * @param area          key prefix of this store in the bucket ({@code cache/}, {@code hosted/})
     * @param localRoot     the local tier's directory (its {@code blobs/} and {@code tmp/})
     * @param localMaxBytes the local tier is trimmed to this size, least recently used first
     * @param parts         where part uploads run while the writer goes on writing
     */
    public S3BlobStore(Bucket bucket, String area, Path localRoot, long localMaxBytes, Clock clock, Executor parts)
            throws IOException {
        this(bucket, area, localRoot, localMaxBytes, clock, parts, null);
    }

    /** @param redirectTtl how long a redirect's URL is valid; null: blob GETs are not redirected */
    public S3BlobStore(Bucket bucket, String area, Path localRoot, long localMaxBytes, Clock clock, Executor parts,
                       Duration redirectTtl) throws IOException {
        this.redirectTtl = redirectTtl;
        this.bucket = bucket;
        this.area = area;
        this.tier = new S3LocalTier(localRoot, clock, localMaxBytes);
        this.local = tier.files();
        this.tmp = localRoot.resolve("tmp");
        this.clock = clock;
        this.parts = parts;
        this.uses = new S3BlobUses(bucket, area, clock);
        this.known = new S3KnownBlobs(area, clock);
        known.load(bucket);
    }

    /** The local tier (metrics, tests). */
    public FsBlobStore local() {
        return local;
    }

    String keyOf(Digest digest) {
        return area + "blobs/" + digest.algorithm() + "/" + digest.hex();
    }

    @Override
    public Optional<BlobLease> open(Digest digest) {
        return open(digest, true);
    }

    private Optional<BlobLease> open(Digest digest, boolean use) {
        Optional<BlobLease> held = local.open(digest);
        if (held.isPresent()) {
            if (use) {
                touch(digest);
            }
            return held.map(l -> new Lease(digest, l));
        }
        // Wanted until pinned: another copy trimming the tier to its bound meanwhile must not take this one. A copy
        // found in the tier may still be on its way out (trimmed before we wanted it): copy it again then.
        try (S3LocalTier.Wanted wanted = tier.want(digest)) {
            for (int attempt = 0; attempt < 5 && held.isEmpty(); attempt++) {
                if (!fetchToLocal(digest)) {
                    return Optional.empty();
                }
                held = local.open(digest);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (held.isPresent() && use) {
            touch(digest);
        }
        return held.map(l -> new Lease(digest, l));
    }

    /**
     * Downloads the blob from the bucket into the local tier, verifying it; false when the bucket has none, or an
     * object that does not hash to the digest (not served, logged). Blocking readers of one missing blob wait for one
     * download rather than each starting their own.
     */
    private boolean fetchToLocal(Digest digest) throws IOException {
        return tier.copyOnce(digest, () -> download(digest));
    }

    private boolean download(Digest digest) throws IOException {
        Optional<ObjectBody> object = readObject(digest, 0, -1);
        if (object.isEmpty()) {
            return false;
        }
        try (InputStream in = object.get().stream(); BlobWriter writer = newLocalWriter(digest)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                writer.write(ByteBuffer.wrap(buffer, 0, n));
            }
            writer.commit();
            return true;
        } catch (OciException e) {
            // Not ours to delete (a replica may be writing it right now, or a person must look): a miss, loudly.
            LOG.errorf("object s3://%s/%s does not hash to its digest; not serving it", bucket.name(),
                    bucket.fullKey(keyOf(digest)));
            return false;
        }
    }

    @Override
    public BlobWriter newWriter(Digest expected) throws IOException {
        Path temp = tmp.resolve(expected.hex() + "." + UUID.randomUUID());
        return new S3BlobWriter(this, expected, temp, FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.READ));
    }

    /** Called by a writer whose bytes are verified and in the bucket: the blob joins both tiers. */
    Path committed(Digest digest, Path verified, long size) throws IOException {
        remember(digest, size);
        tier.adopt(verified, digest, size);
        return local.pathOf(digest);
    }

    Bucket bucket() {
        return bucket;
    }

    Executor parts() {
        return parts;
    }

    @Override
    public Optional<byte[]> read(Digest digest, int maxBytes) throws IOException {
        return readWhole(digest, maxBytes, true);
    }

    @Override
    public Optional<byte[]> peek(Digest digest, int maxBytes) throws IOException {
        return readWhole(digest, maxBytes, false);
    }

    private Optional<byte[]> readWhole(Digest digest, int maxBytes, boolean use) throws IOException {
        Optional<BlobLease> lease;
        try {
            lease = open(digest, use);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try (BlobLease l = lease.get()) {
            if (l.size() > maxBytes) {
                throw new IOException("blob " + digest + " is " + l.size() + " bytes, more than " + maxBytes);
            }
            return Optional.of(Files.readAllBytes(l.path()));
        }
    }

    @Override
    public void touch(Digest digest) {
        known.touch(digest);
        local.touch(digest);
    }

    @Override
    public Instant lastUsed(Digest digest) {
        return known.lastUsed(digest);
    }

    /** Bytes in the bucket as this process knows them (its own writes, its start-up listing, blobs it opened). */
    @Override
    public long totalBytes() {
        return known.totalBytes();
    }

    /**
     * Uploads a verified file (a finished upload session) unless the bucket has the blob already, then moves the file
     * into the local tier. Large files go up as parallel parts read from disk, so memory stays bounded.
     */
    @Override
    public void adopt(Path verified, Digest digest) throws IOException {
        long size = Files.size(verified);
        if (bucket.size(keyOf(digest)).isEmpty()) {
            bucket.uploadFile(keyOf(digest), verified, size, parts);
        }
        remember(digest, size);
        tier.adopt(verified, digest, size);
    }

    @Override
    public void linkFrom(BlobLease source, Digest digest) throws IOException {
        // Asked of the bucket, not of what this process knows: another replica's collector may have removed it.
        if (bucket.size(keyOf(digest)).isPresent()) {
            remember(digest, source.size());
            touch(digest);
            return;
        }
        // Another store of this bucket: the store copies. This store itself (a mount between hosted images of a blob
        // collected meanwhile): the lease's local copy, verified when it was stored, is sent again.
        if (source instanceof Lease other && other.store() != this && other.store().bucket.sameBucketAs(bucket)
                && source.size() <= MAX_COPY) {
            // Same bucket: the store copies, no byte passes through this process. The source is verified content.
            bucket.copy(other.store().bucket.fullKey(other.store().keyOf(digest)), keyOf(digest));
            remember(digest, source.size());
            local.linkFrom(source, digest);
            return;
        }
        try (BlobWriter writer = newWriter(digest); InputStream in = Files.newInputStream(source.path())) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                writer.write(ByteBuffer.wrap(buffer, 0, n));
            }
            writer.commit();
        }
    }

    /**
     * Deletes the blob from the bucket and the local tier unless this process is reading it. Readers on other
     * replicas are not seen: their local copies keep serving, the next open there misses.
     */
    @Override
    public boolean remove(Digest digest) {
        if (local.index().pins(digest) > 0) {
            return false;
        }
        if (local.index().contains(digest) && !local.remove(digest)) {
            return false;
        }
        try {
            bucket.delete(keyOf(digest));
        } catch (IOException e) {
            LOG.warnf("cannot delete %s from the object store: %s", digest, e.getMessage());
            return false;
        }
        forget(digest);
        return true;
    }

    @Override
    public Optional<Long> storedSize(Digest digest) throws IOException {
        return bucket.size(keyOf(digest));
    }

    /**
     * The blobs in the bucket now, whichever replica stored them, last used when stored (or, by this process, read
     * later).
     */
    @Override
    public List<Stat> list() throws IOException {
        List<Stat> found = new ArrayList<>();
        for (Bucket.Listed object : bucket.list(area + "blobs/")) {
            Optional<Digest> digest = known.digestOf(object);
            if (digest.isPresent()) {
                found.add(new Stat(digest.get(), object.size(), known.lastUsed(digest.get(), object)));
            }
        }
        return found;
    }

    @Override
    public BlobUses uses() {
        return uses;
    }

    @Override
    public Optional<Long> objectSize(Digest digest) throws IOException {
        Optional<Long> size = bucket.size(keyOf(digest));
        if (size.isEmpty()) {
            forget(digest);
        }
        return size;
    }

    /** Streams the blob, or part of it, straight from the bucket (no local copy); empty when absent. */
    @Override
    public Optional<ObjectBody> readObject(Digest digest, long offset, long length) throws IOException {
        Optional<Bucket.Read> read = bucket.open(keyOf(digest), offset, length);
        if (read.isEmpty()) {
            forget(digest);
        }
        return read.map(r -> new ObjectBody(r.stream(), r.length()));
    }

    @Override
    public Optional<BlobLease> openLocal(Digest digest) {
        Optional<BlobLease> held = local.open(digest);
        held.ifPresent(l -> touch(digest));
        return held.map(l -> new Lease(digest, l));
    }

    /** A writer of the local tier only: the bucket has the blob. Its commit trims the tier to make room first. */
    @Override
    public BlobWriter newLocalWriter(Digest digest) throws IOException {
        return tier.newCopyWriter(digest, size -> remember(digest, size));
    }

    /** A URL a client may GET the blob from, without this proxy, until it expires. */
    public URI presignedUrl(Digest digest, Duration validFor) {
        return bucket.presignedGet(keyOf(digest), validFor);
    }

    @Override
    public boolean redirects() {
        return redirectTtl != null;
    }

    @Override
    public Optional<URI> redirectUrl(Digest digest) {
        return redirects() ? Optional.of(presignedUrl(digest, redirectTtl)) : Optional.empty();
    }

    /**
     * Aborts multipart uploads of blobs started more than {@code olderThan} ago: what a crashed or killed process
     * left (never visible, but billed). Returns how many. Uploads younger than that may belong to a live replica.
     */
    public int abortAbandonedUploads(Duration olderThan) throws IOException {
        Instant cutoff = clock.instant().minus(olderThan);
        int aborted = 0;
        for (Bucket.PendingUpload upload : bucket.pendingMultiparts(area + "blobs/")) {
            if (upload.initiated() == null || !upload.initiated().isAfter(cutoff)) {
                bucket.abortMultipart(upload.key(), upload.uploadId());
                aborted++;
            }
        }
        if (aborted > 0) {
            LOG.infof("aborted %d abandoned blob upload(s) in s3://%s/%s", aborted, bucket.name(), bucket.fullKey(area));
        }
        return aborted;
    }

    private void remember(Digest digest, long size) {
        known.remember(digest, size);
    }

    private void forget(Digest digest) {
        known.forget(digest);
    }

    /** A lease on the local copy; knows where the blob is in the bucket, for server-side copies. */
    private final class Lease implements BlobLease {
        private final Digest digest;
        private final BlobLease localLease;

        Lease(Digest digest, BlobLease localLease) {
            this.digest = digest;
            this.localLease = localLease;
        }

        S3BlobStore store() {
            return S3BlobStore.this;
        }

        @Override
        public Path path() {
            return localLease.path();
        }

        @Override
        public long size() {
            return localLease.size();
        }

        @Override
        public void close() {
            localLease.close();
        }

        @Override
        public String toString() {
            return "s3 lease " + digest;
        }
    }
}
