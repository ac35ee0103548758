package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.SharedBlobs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Cached (pull-through) blobs shared through the bucket, under {@code cache/}: {@code cache/blobs/<alg>/<hex>} holds
 * a blob some replica fetched and verified; {@code cache/fetching/<alg>/<hex>/<holder>-<n>} are claims of the fetch
 * lease, each holding its holder and expiry time.
 *
 * <p>The lease cannot rest on {@code If-None-Match: *} alone (s3proxy evaluates it with a separate lookup), so it
 * works like {@link S3BlobUses}' collection lease: a contender looks for a live claim of another, writes its own,
 * lists again and holds the lease only if no other live claim is there; else it withdraws. Each writes before it
 * lists, so of two contenders the later lister sees the earlier one: at most one holds (both may lose and try
 * again). The holder renews its claim every third of {@code lease}; a claim whose expiry has passed is dead (its
 * holder stopped) and is removed by the next winner. Clocks of replicas must agree to well within {@code lease}.
 *
 * <p>Nothing here is trimmed by the proxy: the cache area grows with what replicas fetched, and is best bounded by
 * a lifecycle rule of the bucket (a missing object only costs one more upstream fetch).
 */
public final class S3SharedBlobs implements SharedBlobs, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(S3SharedBlobs.class);
    private static final String AREA = "cache/";

    private final Bucket bucket;
    private final Executor parts;
    private final Clock clock;
    private final Duration lease;
    private final Duration redirectTtl;
    private final String holder = S3BlobUses.holderName();
    private final AtomicLong claims = new AtomicLong();
    /** Digests whose shared object did not hash to them: the next publish replaces it. */
    private final Set<Digest> distrusted = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread t = new Thread(task, "entrepot-fetch-lease");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param parts where part uploads of large blobs run
     * @param lease how long a claim lives without renewal: how long replicas wait for a holder that died
     */
    public S3SharedBlobs(Bucket bucket, Executor parts, Clock clock, Duration lease) {
        this(bucket, parts, clock, lease, null);
    }

    /** @param redirectTtl how long a redirect's URL is valid; null: blob GETs are not redirected */
    public S3SharedBlobs(Bucket bucket, Executor parts, Clock clock, Duration lease, Duration redirectTtl) {
        this.redirectTtl = redirectTtl;
        this.bucket = bucket;
        this.parts = parts;
        this.clock = clock;
        this.lease = lease;
    }

    String blobKey(Digest digest) {
        return AREA + "blobs/" + digest.algorithm() + "/" + digest.hex();
    }

    String claimsOf(Digest digest) {
        return AREA + "fetching/" + digest.algorithm() + "/" + digest.hex() + "/";
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Optional<Long> objectSize(Digest digest) throws IOException {
        return distrusted.contains(digest) ? Optional.empty() : bucket.size(blobKey(digest));
    }

    @Override
    public Optional<ObjectBody> readObject(Digest digest, long offset, long length) throws IOException {
        if (distrusted.contains(digest)) {
            return Optional.empty();
        }
        return bucket.open(blobKey(digest), offset, length).map(r -> new ObjectBody(r.stream(), r.length()));
    }

    @Override
    public boolean redirects() {
        return redirectTtl != null;
    }

    @Override
    public Optional<URI> redirectUrl(Digest digest) {
        if (!redirects() || distrusted.contains(digest)) {
            return Optional.empty();
        }
        return Optional.of(bucket.presignedGet(blobKey(digest), redirectTtl));
    }

    @Override
    public void distrust(Digest digest) {
        // Someone may want to look at the store; the replica that fetches it next replaces it.
        if (distrusted.add(digest)) {
            LOG.errorf("shared object s3://%s/%s does not hash to its digest; not serving it again, fetching upstream",
                    bucket.name(), bucket.fullKey(blobKey(digest)));
        }
    }

    @Override
    public void publish(Digest digest, Path verified, long size) throws IOException {
        boolean replace = distrusted.remove(digest);
        if (!replace && bucket.size(blobKey(digest)).isPresent()) {
            return;
        }
        bucket.uploadFile(blobKey(digest), verified, size, parts);
    }

    @Override
    public Optional<FetchLease> claim(Digest digest) throws IOException {
        String dir = claimsOf(digest);
        String mine = dir + holder + "-" + claims.incrementAndGet();
        if (liveRival(dir, mine)) {
            return Optional.empty();
        }
        bucket.writeText(mine, claimText());
        if (liveRival(dir, mine)) {
            bucket.delete(mine);
            return Optional.empty();
        }
        removeDeadClaims(dir, mine);
        return Optional.of(new Claim(mine));
    }

    private String claimText() {
        return holder + "\n" + clock.instant().plus(lease).toEpochMilli() + "\n";
    }

    private boolean liveRival(String dir, String mine) throws IOException {
        Instant now = clock.instant();
        for (Bucket.Listed claim : bucket.list(dir)) {
            if (!claim.key().equals(mine) && expiry(claim).filter(now::isBefore).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private void removeDeadClaims(String dir, String mine) throws IOException {
        Instant now = clock.instant();
        for (Bucket.Listed claim : bucket.list(dir)) {
            if (!claim.key().equals(mine) && expiry(claim).filter(now::isBefore).isEmpty()) {
                LOG.infof("taking over the fetch lease %s, expired", claim.key());
                bucket.delete(claim.key());
            }
        }
    }

    /** When a claim lapses; empty when it is gone meanwhile (withdrawn or released). */
    private Optional<Instant> expiry(Bucket.Listed claim) throws IOException {
        Optional<String> text = bucket.readText(claim.key());
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String[] lines = text.get().strip().split("\n");
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(lines[lines.length - 1].trim())));
        } catch (NumberFormatException e) {
            return Optional.of(claim.lastModified().plus(lease)); // not ours to read: live as long as a lease
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }

    /** A claim this process holds, renewed in the background until released. */
    private final class Claim implements FetchLease {
        private final String key;
        private final ScheduledFuture<?> renewal;
        private boolean released;

        Claim(String key) {
            this.key = key;
            long every = Math.max(1, lease.toMillis() / 3);
            this.renewal = renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
        }

        /** Synchronized with release, so that no renewal writes the claim again after it is deleted. */
        private synchronized void renew() {
            if (released) {
                return;
            }
            try {
                bucket.writeText(key, claimText());
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot renew the fetch lease %s (other replicas may fetch too): %s", key, e.getMessage());
            }
        }

        @Override
        public synchronized void release() {
            if (released) {
                return;
            }
            released = true;
            renewal.cancel(false);
            try {
                bucket.delete(key);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot release the fetch lease %s (it lapses by itself): %s", key, e.getMessage());
            }
        }
    }
}
