package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.io.SerialExecutor;
import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.upstream.HttpUpstreamClient;
import dev.entrepot.proxy.upstream.UpstreamException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Exactly one upstream fetch per digest. The first request for an uncached blob opens the upstream and
 * becomes the leader of a {@link Download}; later requests for the same digest join it and read the growing
 * temp file. The leader writes on a pool thread (disk I/O stays off the event loop), pausing the upstream when
 * the disk falls behind, and commits only a verified digest.
 */
public final class InflightFetches {
    private static final Logger LOG = Logger.getLogger(InflightFetches.class);
    private static final long PAUSE_ABOVE = 4L << 20;
    private static final long RESUME_BELOW = 1L << 20;

    private final Vertx vertx;
    private final BlobStore store;
    private final Executor pool;
    private final ProxyMetrics metrics;
    private final Consumer<Digest> onStored;
    private final Map<Digest, Download> inflight = new ConcurrentHashMap<>();

    /**
     * @param pool     threads for disk writes (shared by all downloads; each download stays ordered)
     * @param onStored told after each committed blob, e.g. to enforce the size bound
     */
    public InflightFetches(Vertx vertx, BlobStore store, Executor pool, ProxyMetrics metrics, Consumer<Digest> onStored) {
        this.vertx = vertx;
        this.store = store;
        this.pool = pool;
        this.metrics = metrics;
        this.onStored = onStored;
    }

    /**
     * The stored blob, the download already in flight, or a new download opened with {@code open}. The future
     * fails when the upstream does not deliver (the caller maps that to an OCI error).
     */
    public Future<BlobSource> fetch(Digest digest, Supplier<Future<HttpClientResponse>> open, RepositoryMetrics repo) {
        Optional<BlobLease> stored = store.open(digest);
        if (stored.isPresent()) {
            return Future.succeededFuture(new BlobSource.Stored(stored.get()));
        }
        Download mine = new Download(digest);
        Download running = inflight.putIfAbsent(digest, mine);
        if (running != null) {
            metrics.coalesced();
            return running.started().map(v -> new BlobSource.Growing(running));
        }
        // A download may have committed and left the map between our store check and our claim.
        stored = store.open(digest);
        if (stored.isPresent()) {
            // Someone may have joined ours in the meantime: complete it, so they read the stored file.
            BlobLease lease = stored.get();
            mine.start(lease.path(), lease.size());
            mine.progress(lease.size());
            mine.succeed(lease.path());
            inflight.remove(digest, mine);
            return Future.succeededFuture(new BlobSource.Stored(lease));
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
        return mine.started().map(v -> new BlobSource.Growing(mine));
    }

    /** Downloads in flight (for tests and diagnostics). */
    public int inflight() {
        return inflight.size();
    }

    private void lead(Download download, HttpClientResponse response, RepositoryMetrics repo) {
        Context context = vertx.getOrCreateContext();
        SerialExecutor disk = new SerialExecutor(pool);
        String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        long expectedSize = HttpUpstreamClient.parseLength(length);
        AtomicLong queued = new AtomicLong();
        BlobWriter[] writer = new BlobWriter[1];
        Throwable[] failure = new Throwable[1];

        disk.execute(() -> {
            try {
                writer[0] = store.newWriter(download.digest());
                download.start(writer[0].path(), expectedSize);
            } catch (IOException | RuntimeException e) {
                failure[0] = e;
                context.runOnContext(v -> response.request().reset());
            }
        });
        response.handler(chunk -> {
            int size = chunk.length();
            repo.fetched(size);
            if (queued.addAndGet(size) > PAUSE_ABOVE) {
                response.pause();
            }
            disk.execute(() -> {
                if (failure[0] == null) {
                    try {
                        writer[0].write(chunk.getByteBuf().nioBuffer());
                        download.progress(writer[0].written());
                    } catch (IOException | RuntimeException e) {
                        failure[0] = e;
                        context.runOnContext(v -> response.request().reset());
                    }
                }
                if (queued.addAndGet(-size) < RESUME_BELOW) {
                    context.runOnContext(v -> response.resume());
                }
            });
        });
        response.exceptionHandler(e -> disk.execute(() -> {
            if (failure[0] == null) {
                failure[0] = new IOException("upstream transfer of " + download.digest() + " broke: " + e.getMessage(), e);
            }
            complete(download, writer[0], failure[0], expectedSize);
        }));
        response.endHandler(v -> disk.execute(() -> complete(download, writer[0], failure[0], expectedSize)));
        response.resume();
    }

    /** On the download's disk thread: verify and commit, or discard. */
    private void complete(Download download, BlobWriter writer, Throwable failure, long expectedSize) {
        if (download.done().isComplete()) {
            return; // exception and end can both arrive
        }
        if (writer == null) {
            finish(download, null, failure);
            return;
        }
        try (writer) {
            if (failure != null) {
                throw failure;
            }
            if (expectedSize >= 0 && writer.written() != expectedSize) {
                throw new IOException("upstream sent " + writer.written() + " bytes of " + download.digest()
                        + ", announced " + expectedSize);
            }
            Path stored = writer.commit();
            finish(download, stored, null);
        } catch (Throwable e) {
            finish(download, null, e);
        }
    }

    private void finish(Download download, Path stored, Throwable failure) {
        inflight.remove(download.digest(), download);
        if (failure == null) {
            download.succeed(stored);
            onStored.accept(download.digest());
        } else {
            if (failure instanceof UpstreamException up && !up.isUpstreamFailure()) {
                // the upstream does not have it (or will not give it): the client's mistake, answered as such
                LOG.debugf("download of %s not started: %s", download.digest(), failure.getMessage());
            } else {
                LOG.warnf("download of %s failed, nothing stored: %s", download.digest(), failure.getMessage());
            }
            download.fail(UpstreamErrors.transferFailure(download.digest(), failure));
        }
    }
}
