package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.store.BlobLease;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * At most one {@link Download} per digest, whatever its source (an upstream, a bucket): a request for a blob gets the
 * stored copy, joins the download in flight, or claims the digest and starts one. A download whose digest verified
 * has sent its last byte but may still be making the blob durable: a request arriving then waits for that and asks
 * again, so it is served the stored blob (or starts a new download should storing have failed). Whoever completes a
 * download {@link #release}s its claim.
 */
final class DownloadClaims {
    private final Vertx vertx;
    private final Function<Digest, Optional<BlobLease>> stored;
    private final Map<Digest, Download> inflight = new ConcurrentHashMap<>();

    /** @param stored the stored copy of a digest, opened (never blocks on I/O) */
    DownloadClaims(Vertx vertx, Function<Digest, Optional<BlobLease>> stored) {
        this.vertx = vertx;
        this.stored = stored;
    }

    /**
     * The stored blob, the download in flight, or a new download given to {@code start} (which must complete or fail
     * it, and release the claim when it does).
     *
     * @param joined told when the request joins a download in flight
     */
    Future<BlobSource> get(Digest digest, Runnable joined, Consumer<Download> start) {
        Optional<BlobLease> lease = stored.apply(digest);
        if (lease.isPresent()) {
            return Future.succeededFuture(new BlobSource.Stored(lease.get()));
        }
        Download mine = new Download(digest);
        Download running = inflight.putIfAbsent(digest, mine);
        if (running != null && running.verified()) {
            // Every byte is here and right: ask again once it is stored (a hit then) rather than join a download
            // that cost this request nothing; on the caller's context, where a new download must start.
            Context caller = vertx.getOrCreateContext();
            Promise<BlobSource> again = Promise.promise();
            running.done().onComplete(ar -> caller.runOnContext(v -> get(digest, joined, start).onComplete(again)));
            return again.future();
        }
        if (running != null) {
            joined.run();
            return running.started().map(v -> new BlobSource.Growing(running));
        }
        // A download may have committed and left the map between our look and our claim.
        lease = stored.apply(digest);
        if (lease.isPresent()) {
            // Someone may have joined ours in the meantime: complete it, so they read the stored file.
            BlobLease copy = lease.get();
            mine.start(copy.path(), copy.size());
            mine.progress(copy.size());
            mine.succeed(copy.path());
            inflight.remove(digest, mine);
            return Future.succeededFuture(new BlobSource.Stored(copy));
        }
        start.accept(mine);
        return mine.started().map(v -> new BlobSource.Growing(mine));
    }

    /** Ends the claim of a download that completed or failed. */
    void release(Download download) {
        inflight.remove(download.digest(), download);
    }

    /** The download in flight for {@code digest}, if any. */
    Optional<Download> running(Digest digest) {
        return Optional.ofNullable(inflight.get(digest));
    }

    /** Downloads in flight. */
    int size() {
        return inflight.size();
    }
}
