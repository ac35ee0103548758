package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.io.InputStreamBody;
import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.RemoteBlob;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobObjects.ObjectBody;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.SharedBlobs;
import dev.entrepot.proxy.upstream.HttpUpstreamClient;
import dev.entrepot.proxy.upstream.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Exactly one upstream fetch per digest. The first request for an uncached blob opens the upstream and
 * becomes the leader of a {@link Download}; later requests for the same digest join it and read the growing
 * temp file, or follow the chunks in memory once they have caught up with it. The download writes on a pool thread
 * (disk I/O stays off the event loop), pausing the upstream when the disk falls behind; once every byte is written
 * the digest is checked (readers may then send the last byte), and only a verified blob is made durable and stored.
 *
 * <p>With {@link SharedBlobs} (replicas on one bucket) a leader first asks the bucket: a blob another replica shared
 * is streamed from it as the download's source, verified as an upstream body is (an object that does not hash to its
 * digest breaks its readers' transfers, is distrusted, and the next request fetches from the upstream and replaces
 * it); a digest nobody has is fetched by the one replica holding its fetch lease, which shares it after it verified,
 * off the clients' path, while the others wait and then stream it. A blob the bucket has but this process has not
 * may also be read in part straight from the bucket ({@link #inBucket}).
 */
public final class InflightFetches {
    private static final Logger LOG = Logger.getLogger(InflightFetches.class);
    private static final long FIRST_POLL_MILLIS = 50;
    private static final long MAX_POLL_MILLIS = 1000;

    private final Vertx vertx;
    private final BlobStore store;
    private final Executor pool;
    private final ProxyMetrics metrics;
    private final Consumer<Digest> onStored;
    private final SharedBlobs shared;
    private final Duration maxWait;
    private final DownloadClaims claims;

    /**
     * @param pool     threads for disk writes (shared by all downloads; each download stays ordered)
     * @param onStored told after each committed blob, e.g. to enforce the size bound
     */
    public InflightFetches(Vertx vertx, BlobStore store, Executor pool, ProxyMetrics metrics, Consumer<Digest> onStored) {
        this(vertx, store, pool, metrics, onStored, SharedBlobs.NONE, Duration.ZERO);
    }

    /**
     * Like the other, with blobs shared between replicas: a local miss asks {@code shared} before the upstream.
     *
     * @param maxWait how long to wait at most for another replica's fetch before fetching here
     */
    public InflightFetches(Vertx vertx, BlobStore store, Executor pool, ProxyMetrics metrics, Consumer<Digest> onStored,
                           SharedBlobs shared, Duration maxWait) {
        this.vertx = vertx;
        this.store = store;
        this.pool = pool;
        this.metrics = metrics;
        this.onStored = onStored;
        this.shared = shared;
        this.maxWait = maxWait;
        this.claims = new DownloadClaims(vertx, store::open);
    }

    /**
     * The stored blob, the download already in flight, or a new download opened with {@code open}. The future
     * fails when the upstream does not deliver (the caller maps that to an OCI error).
     */
    public Future<BlobSource> fetch(Digest digest, Supplier<Future<HttpClientResponse>> open, RepositoryMetrics repo) {
        return claims.get(digest, metrics::coalesced, mine -> {
            if (shared.enabled()) {
                fromReplicas(mine, open, repo, System.nanoTime() + maxWait.toNanos(), FIRST_POLL_MILLIS);
            } else {
                fromUpstream(mine, open, repo, null);
            }
        });
    }

    /**
     * With sharing, for a blob not downloading here and not stored here (or, with redirects, stored or not): the
     * bucket's answers (a redirect to it, its size, ranges read straight from it) and {@code whole} for the whole
     * blob, which is what {@link #fetch} gives. Empty otherwise: a download in flight is never redirected (the bucket
     * has nothing yet). Memory only.
     *
     * @param fromBucket told when a redirect or a range is served from the bucket
     */
    public Optional<RemoteBlob> inBucket(Digest digest, Supplier<Future<BlobSource>> whole, Runnable fromBucket) {
        if (!shared.enabled() || claims.running(digest).isPresent()) {
            return Optional.empty();
        }
        if (!shared.redirects()) {
            Optional<BlobLease> stored = store.open(digest);
            if (stored.isPresent()) {
                stored.get().close();
                return Optional.empty();
            }
        }
        return Optional.of(new ObjectBlob(vertx, shared, digest, whole, fromBucket));
    }

    /**
     * Another replica may have shared the blob, or be fetching it: take it from the bucket, else claim the fetch
     * lease and fetch it from the upstream, else wait for the holder (polling with backoff) and ask again. A holder
     * that died leaves a claim that lapses, and the next ask wins it. Waiting is bounded by {@code maxWait}: after
     * that this process fetches for itself, as it does when the bucket cannot be asked.
     */
    private void fromReplicas(Download mine, Supplier<Future<HttpClientResponse>> open, RepositoryMetrics repo,
                              long deadline, long pause) {
        Digest digest = mine.digest();
        vertx.executeBlocking(() -> ask(digest), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warnf("cannot ask the bucket about %s, fetching it from the upstream: %s", digest,
                        ar.cause().getMessage());
                fromUpstream(mine, open, repo, null);
            } else if (ar.result() instanceof Answer.Shared copy) {
                fromBucket(mine, copy.object(), open, repo);
            } else if (ar.result() instanceof Answer.Leased leased) {
                fromUpstream(mine, open, repo, leased.lease());
            } else if (System.nanoTime() - deadline > 0) {
                LOG.warnf("waited %s for another replica to fetch %s: fetching it here", maxWait, digest);
                fromUpstream(mine, open, repo, null);
            } else {
                // jitter: two contenders that both withdrew their claims do not meet again at once
                long delay = pause + ThreadLocalRandom.current().nextLong(pause);
                long next = Math.min(pause * 2, MAX_POLL_MILLIS);
                vertx.setTimer(delay, id -> fromReplicas(mine, open, repo, deadline, next));
            }
        });
    }

    /** What the bucket says about a digest this process does not have. */
    private sealed interface Answer {
        record Shared(ObjectBody object) implements Answer {
        }

        record Leased(SharedBlobs.FetchLease lease) implements Answer {
        }

        record Wait() implements Answer {
        }
    }

    /** Blocking: the shared object, open; or the fetch lease; or wait. */
    private Answer ask(Digest digest) throws IOException {
        Optional<Answer> copied = openShared(digest);
        if (copied.isPresent()) {
            return copied.get();
        }
        Optional<SharedBlobs.FetchLease> lease = shared.claim(digest);
        if (lease.isEmpty()) {
            return new Answer.Wait();
        }
        try {
            // The previous holder may have shared the blob and released its claim between our two looks.
            copied = openShared(digest);
        } catch (IOException | RuntimeException e) {
            lease.get().release();
            throw e;
        }
        if (copied.isPresent()) {
            lease.get().release();
            return copied.get();
        }
        return new Answer.Leased(lease.get());
    }

    private Optional<Answer> openShared(Digest digest) throws IOException {
        return shared.readObject(digest, 0, -1).map(Answer.Shared::new);
    }

    /**
     * Streams the shared object into the store as the download's body. Should it not hash to its digest, the readers'
     * transfers break, nothing is stored, and the object is not read again: the next request fetches upstream.
     */
    private void fromBucket(Download mine, ObjectBody object, Supplier<Future<HttpClientResponse>> open,
                            RepositoryMetrics repo) {
        InputStreamBody body = new InputStreamBody(vertx.getOrCreateContext(), object.stream());
        new Transfer(vertx, pool, mine, new Transfer.Source(body, object.length(), body::close),
                () -> store.newWriter(mine.digest()), bytes -> { }, (stored, failure) -> {
            if (failure instanceof OciException oci && oci.code() == OciErrorCode.DIGEST_INVALID) {
                shared.distrust(mine.digest());
            }
            finish(mine, stored, failure == null ? null : new OciException(OciErrorCode.UNAVAILABLE, 502,
                    "copy of " + mine.digest() + " from the bucket failed: " + failure.getMessage(), Map.of()));
        }).begin();
    }

    /** Opens the upstream and leads the download; with sharing on, shares what verified and then ends the lease. */
    private void fromUpstream(Download mine, Supplier<Future<HttpClientResponse>> open, RepositoryMetrics repo,
                              SharedBlobs.FetchLease lease) {
        if (shared.enabled()) {
            // Off the client's path: it is served from the local file meanwhile.
            mine.done().onComplete(ar -> vertx.executeBlocking(() -> share(mine.digest(), ar.succeeded(), lease),
                    false));
        }
        Future<HttpClientResponse> opened;
        try {
            opened = open.get();
        } catch (RuntimeException e) {
            opened = Future.failedFuture(e); // never leave the digest claimed by a download that cannot start
        }
        opened.onComplete(ar -> {
            if (ar.failed()) {
                finish(mine, null, ar.cause());
            } else {
                lead(mine, ar.result(), repo);
            }
        });
    }

    /** Blocking: uploads the verified blob (pinned meanwhile) unless shared already, then releases the lease. */
    private Void share(Digest digest, boolean verified, SharedBlobs.FetchLease lease) {
        try {
            if (verified) {
                Optional<BlobLease> pinned = store.open(digest);
                if (pinned.isPresent()) {
                    try (BlobLease local = pinned.get()) {
                        shared.publish(digest, local.path(), local.size());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot share %s through the bucket (other replicas fetch it themselves): %s", digest,
                    e.getMessage());
        } finally {
            if (lease != null) {
                lease.release();
            }
        }
        return null;
    }

    /**
     * The stored blob, never fetching. A download whose digest is verified has sent its last byte to its readers but
     * may still be making the blob durable: wait for that, so a client that has read a whole blob can mount it at
     * once. A download not yet verified is not waited for (the blob is then not held here).
     */
    public Future<Optional<BlobLease>> stored(Digest digest) {
        Optional<BlobLease> stored = store.open(digest);
        Optional<Download> running = claims.running(digest);
        if (stored.isPresent() || running.isEmpty() || !running.get().verified()) {
            return Future.succeededFuture(stored);
        }
        return running.get().done().transform(ar -> Future.succeededFuture(store.open(digest)));
    }

    /** Downloads in flight (for tests and diagnostics). */
    public int inflight() {
        return claims.size();
    }

    private void lead(Download download, HttpClientResponse response, RepositoryMetrics repo) {
        long length = HttpUpstreamClient.parseLength(response.getHeader(HttpHeaders.CONTENT_LENGTH));
        new Transfer(vertx, pool, download, new Transfer.Source(response, length, () -> response.request().reset()),
                () -> store.newWriter(download.digest()), repo::fetched,
                (stored, failure) -> finish(download, stored, failure)).begin();
    }

    private void finish(Download download, Path stored, Throwable failure) {
        claims.release(download);
        if (failure == null) {
            download.succeed(stored);
            onStored.accept(download.digest());
        } else {
            if (download.verified()) {
                LOG.warnf("%s was verified and served but could not be stored: %s", download.digest(),
                        failure.getMessage());
            } else if (failure instanceof UpstreamException up && !up.isUpstreamFailure()) {
                // the upstream does not have it (or will not give it): the client's mistake, answered as such
                LOG.debugf("download of %s not started: %s", download.digest(), failure.getMessage());
            } else {
                LOG.warnf("download of %s failed, nothing stored: %s", download.digest(), failure.getMessage());
            }
            download.fail(UpstreamErrors.transferFailure(download.digest(), failure));
        }
    }
}
