package dev.entrepot.proxy.store.s3;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.store.BlobUses;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The agreement between replicas sharing one bucket, in small objects under {@code <area>_gc/}. It relies on nothing
 * but S3's strong read-after-write consistency per key and for listings.
 *
 * <p>Uses and removals: a pusher PUTs a use {@code used/<alg>/<hex>/<time>-<holder>-<n>} (a key of its own, so
 * that forgetting old uses can never delete a new one) then HEADs {@code deleting/<alg>/<hex>}; the collector PUTs
 * {@code deleting/<alg>/<hex>} then lists {@code used/<alg>/<hex>/}, deletes only when it finds no use, and deletes
 * its removal record last. If the pusher's PUT came before the collector's listing, the collector spares the blob;
 * otherwise the collector's PUT came before the pusher's HEAD, which finds the removal record (and waits until it is
 * gone, that is until the blob is deleted) or finds it already gone (the blob was deleted before). Either way the
 * pusher, asking for the blob afterwards, sees whether it is there. A use is kept until a collector forgets it (older
 * than the grace period), so it covers the time between a pusher's look and its link or manifest write.
 *
 * <p>Bounded by time: a collector that died inside a removal leaves its record; pushers wait for a record at most
 * {@link #REMOVAL_WAIT} and then go on, and a collector never starts deleting more than {@link #REMOVAL_WINDOW} after
 * writing the record, so a wait that long outlasts every removal still in flight. The next lease holder removes
 * records that old.
 *
 * <p>The lease: {@code lease/<holder>} holding an expiry time. A contender first looks for a live claim of another
 * holder, then writes its own claim, then lists the claims again, and holds the lease only if no other live claim is
 * there; else it withdraws. Each writes before it lists, so of two contenders the later lister sees the earlier one:
 * at most one holds (both may lose, and try at the next run). The holder renews its claim every {@link #RENEW_EVERY}
 * to {@link #LEASE} ahead, and stops counting itself the holder {@link #SAFETY} before a claim it could not renew
 * runs out; others take a claim over only once its expiry has passed, by their clocks. Clocks of replicas must
 * agree within {@link #SAFETY}.
 */
public final class S3BlobUses implements BlobUses {
    private static final Logger LOG = Logger.getLogger(S3BlobUses.class);
    static final Duration LEASE = Duration.ofSeconds(60);
    static final Duration RENEW_EVERY = Duration.ofSeconds(15);
    static final Duration SAFETY = Duration.ofSeconds(20);
    static final Duration REMOVAL_WINDOW = Duration.ofSeconds(10);
    static final Duration REMOVAL_WAIT = Duration.ofSeconds(60);
    /** S3 gives LastModified to the second: a use younger than this before a cutoff may still be after it. */
    private static final Duration TIMESTAMP_GRAIN = Duration.ofSeconds(1);

    private final Bucket bucket;
    private final String used;
    private final String deleting;
    private final String leases;
    private final Clock clock;
    private final String holder;
    private final AtomicLong uses = new AtomicLong();

    /** @param area key prefix of the store whose blobs these are ({@code hosted/}) */
    public S3BlobUses(Bucket bucket, String area, Clock clock) {
        this.bucket = bucket;
        this.used = area + "_gc/used/";
        this.deleting = area + "_gc/deleting/";
        this.leases = area + "_gc/lease/";
        this.clock = clock;
        this.holder = holderName();
    }

    /** Who this process is in lease claims and records: the host (pod) name, the pid and a random part. */
    static String holderName() {
        String host = System.getenv("HOSTNAME");
        String name = (host == null || host.isBlank() ? "" : host + "-") + ProcessHandle.current().pid() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    String holder() {
        return holder;
    }

    // ---- pusher side ----------------------------------------------------------------------------------------

    @Override
    public void use(Collection<Digest> digests) throws IOException {
        Set<Digest> distinct = new LinkedHashSet<>(digests);
        for (Digest digest : distinct) {
            bucket.writeText(used + path(digest) + "/" + clock.millis() + "-" + holder + "-" + uses.incrementAndGet(),
                    "");
        }
        for (Digest digest : distinct) {
            awaitNoRemoval(digest);
        }
    }

    private void awaitNoRemoval(Digest digest) throws IOException {
        long deadline = System.nanoTime() + REMOVAL_WAIT.toNanos();
        long pause = 10;
        while (bucket.size(deleting + path(digest)).isPresent()) {
            if (System.nanoTime() > deadline) {
                LOG.warnf("a removal of %s recorded in s3://%s/%s has lasted more than %s: going on (its collector "
                        + "stopped or died)", digest, bucket.name(), bucket.fullKey(deleting + path(digest)),
                        REMOVAL_WAIT);
                return;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while a collector removes " + digest);
            }
            pause = Math.min(pause * 2, 500);
        }
    }

    // ---- collector side -------------------------------------------------------------------------------------

    @Override
    public Set<Digest> usedSince(Instant since) throws IOException {
        Set<Digest> recent = new HashSet<>();
        for (Bucket.Listed use : bucket.list(used)) {
            Optional<Digest> digest = digestOf(use.key().substring(used.length()));
            if (digest.isPresent() && !use.lastModified().plus(TIMESTAMP_GRAIN).isBefore(since)) {
                recent.add(digest.get());
            }
        }
        return recent;
    }

    @Override
    public void forgetUsesBefore(Instant before) throws IOException {
        int forgotten = 0;
        for (Bucket.Listed use : bucket.list(used)) {
            if (use.lastModified().plus(TIMESTAMP_GRAIN).isBefore(before)) {
                bucket.delete(use.key());
                forgotten++;
            }
        }
        LOG.debugf("forgot %d blob use(s) recorded before %s", forgotten, before);
    }

    @Override
    public boolean removeUnlessUsed(Digest digest, Removal removal) throws IOException {
        long started = System.nanoTime();
        String record = deleting + path(digest);
        bucket.writeText(record, holder + " " + clock.millis());
        try {
            if (!bucket.list(used + path(digest) + "/").isEmpty()) {
                return false;
            }
            if (System.nanoTime() - started > REMOVAL_WINDOW.toNanos()) {
                LOG.warnf("not removing %s: recording the removal took more than %s", digest, REMOVAL_WINDOW);
                return false;
            }
            removal.run();
            return true;
        } finally {
            try {
                bucket.delete(record);
            } catch (IOException e) {
                LOG.warnf("cannot delete the removal record of %s (pushers of it wait up to %s): %s", digest,
                        REMOVAL_WAIT, e.getMessage());
            }
        }
    }

    @Override
    public Optional<Lease> lease() throws IOException {
        String mine = leases + holder;
        Optional<Claim> rival = liveRival(mine);
        if (rival.isEmpty()) {
            long renewedAt = System.nanoTime();
            bucket.writeText(mine, claim());
            rival = liveRival(mine);
            if (rival.isEmpty()) {
                removeDeadClaims(mine);
                removeStaleRemovals();
                return Optional.of(new BucketLease(mine, renewedAt));
            }
            bucket.delete(mine);
        }
        LOG.infof("the collection lease is held by %s until %s", rival.get().holder(), rival.get().expires());
        return Optional.empty();
    }

    private record Claim(String key, String holder, Instant expires) {
    }

    private String claim() {
        return holder + "\n" + clock.instant().plus(LEASE).toEpochMilli() + "\n";
    }

    private Optional<Claim> liveRival(String mine) throws IOException {
        Instant now = clock.instant();
        for (Claim claim : claims()) {
            if (!claim.key().equals(mine) && claim.expires().isAfter(now)) {
                return Optional.of(claim);
            }
        }
        return Optional.empty();
    }

    private Set<Claim> claims() throws IOException {
        Set<Claim> found = new LinkedHashSet<>();
        for (Bucket.Listed listed : bucket.list(leases)) {
            Optional<String> text = bucket.readText(listed.key()); // empty: withdrawn or released meanwhile
            if (text.isEmpty()) {
                continue;
            }
            String[] lines = text.get().strip().split("\n");
            Instant expires;
            try {
                expires = Instant.ofEpochMilli(Long.parseLong(lines[lines.length - 1].trim()));
            } catch (NumberFormatException e) {
                expires = listed.lastModified().plus(LEASE); // not ours to read: live as long as a lease would be
            }
            found.add(new Claim(listed.key(), lines[0].trim(), expires));
        }
        return found;
    }

    private void removeDeadClaims(String mine) throws IOException {
        Instant now = clock.instant();
        for (Claim claim : claims()) {
            if (!claim.key().equals(mine) && !claim.expires().isAfter(now)) {
                LOG.infof("taking over the collection lease of %s, expired at %s", claim.holder(), claim.expires());
                bucket.delete(claim.key());
            }
        }
    }

    /** Removal records so old that their collector is gone: nobody will delete them otherwise. */
    private void removeStaleRemovals() throws IOException {
        Instant stale = clock.instant().minus(REMOVAL_WAIT.multipliedBy(2));
        for (Bucket.Listed record : bucket.list(deleting)) {
            if (record.lastModified().isBefore(stale)) {
                LOG.infof("removing the removal record %s a stopped collector left", record.key());
                bucket.delete(record.key());
            }
        }
    }

    /** The claim this process holds, renewed in the background until closed. */
    private final class BucketLease implements Lease {
        private final String key;
        private final ScheduledExecutorService renewer;
        private volatile long renewedAtNanos;
        private volatile boolean lost;

        BucketLease(String key, long renewedAtNanos) {
            this.key = key;
            this.renewedAtNanos = renewedAtNanos;
            this.renewer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread t = new Thread(task, "entrepot-gc-lease");
                t.setDaemon(true);
                return t;
            });
            renewer.scheduleWithFixedDelay(this::renew, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        private void renew() {
            long started = System.nanoTime();
            if (!held()) {
                return;
            }
            try {
                bucket.writeText(key, claim());
                renewedAtNanos = started;
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot renew the collection lease: %s", e.getMessage());
            }
        }

        @Override
        public boolean held() {
            if (!lost && System.nanoTime() - renewedAtNanos > LEASE.minus(SAFETY).toNanos()) {
                lost = true;
                LOG.warnf("the collection lease of %s was not renewed in time; another replica may take it", holder);
            }
            return !lost;
        }

        @Override
        public void close() {
            renewer.shutdownNow();
            try {
                renewer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                bucket.delete(key);
            } catch (IOException e) {
                LOG.warnf("cannot release the collection lease (it lapses at its expiry): %s", e.getMessage());
            }
        }
    }

    private static String path(Digest digest) {
        return digest.algorithm() + "/" + digest.hex();
    }

    /** The digest of {@code <alg>/<hex>/<anything>}. */
    private static Optional<Digest> digestOf(String algorithmSlashHex) {
        String[] parts = algorithmSlashHex.split("/");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Digest(parts[0], parts[1]));
        } catch (OciException e) {
            return Optional.empty();
        }
    }
}
