package dev.entrepot.proxy.hosted;

import dev.entrepot.proxy.io.BodyPump;
import dev.entrepot.proxy.metrics.ProxyMetrics.PushKind;
import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.UploadSession;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Blob uploads into one hosted repository. Bodies stream to the session's file off the event loop; a commit
 * verifies the digest, moves the bytes into the hosted store and links the blob into the image, under the
 * collection guard so a garbage collection running meanwhile cannot take it.
 */
final class HostedUploads implements BlobUploads {
    private final String repository;
    private final HostedStores stores;
    private final RepositoryMetrics metrics;

    HostedUploads(String repository, HostedStores stores, RepositoryMetrics metrics) {
        this.repository = repository;
        this.stores = stores;
        this.metrics = metrics;
    }

    @Override
    public Future<Session> start(ImageName name) {
        return stores.blocking("starting an upload to " + repository + "/" + name, () -> {
            UploadSession session = stores.uploads().create(repository, name);
            return new Session(session.id(), 0);
        });
    }

    @Override
    public Future<Session> status(ImageName name, String id) {
        return session(name, id).map(s -> new Session(id, s.size()));
    }

    @Override
    public Future<Session> append(ImageName name, String id, Chunk chunk) {
        Context context = stores.vertx().getOrCreateContext();
        return claimed(name, id).compose(session -> write(session, chunk, context)
                .map(written -> new Session(id, session.size()))
                .onComplete(ar -> release(session)));
    }

    @Override
    public Future<Digest> commit(ImageName name, String id, Digest digest, Chunk last) {
        Context context = stores.vertx().getOrCreateContext();
        return claimed(name, id).compose(session -> {
            Future<Long> written = last == null ? Future.succeededFuture(0L) : write(session, last, context);
            return written.compose(n -> stores.blocking("storing blob " + digest, () ->
                            stores.guard().referencing(List.of(digest), () -> {
                                session.commit(digest);
                                stores.metadata().linkBlob(repository, name, digest);
                                return digest;
                            })))
                    .onComplete(ar -> {
                        release(session);
                        metrics.pushed(PushKind.BLOB, ar.succeeded());
                    });
        });
    }

    @Override
    public Future<Void> cancel(ImageName name, String id) {
        return claimed(name, id).compose(session -> stores.blocking("cancelling upload " + id, () -> {
            session.cancel();
            return (Void) null;
        }).onComplete(ar -> release(session)));
    }

    @Override
    public Future<Optional<Digest>> mount(ImageName name, Digest digest, Repository from, ImageName fromName) {
        return from.storedBlob(fromName, digest).compose(held -> {
            if (held.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            return stores.blocking("mounting " + digest + " from " + from.name() + "/" + fromName, () -> {
                try (BlobLease lease = held.get()) {
                    return stores.guard().referencing(List.of(digest), () -> {
                        stores.blobs().linkFrom(lease, digest);
                        stores.metadata().linkBlob(repository, name, digest);
                        metrics.pushed(PushKind.BLOB, true);
                        return Optional.of(digest);
                    });
                }
            });
        });
    }

    @Override
    public Future<Void> delete(ImageName name, Digest digest) {
        return stores.blocking("deleting blob " + digest, () -> {
            if (!stores.metadata().unlinkBlob(repository, name, digest)) {
                throw new OciException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not in "
                        + repository + "/" + name);
            }
            return null;
        });
    }

    /** Streams one chunk into the session, checking it starts where the session ends. */
    private Future<Long> write(UploadSession session, Chunk chunk, Context context) {
        long size = session.size();
        if (chunk.start() != null && chunk.start() != size) {
            return Future.failedFuture(outOfOrder(session, "chunk starts at " + chunk.start()));
        }
        long limit = chunk.start() != null && chunk.length() >= 0 ? chunk.length() : Long.MAX_VALUE;
        return BodyPump.pump(chunk.body(), session::append, stores.disk(), context, limit)
                .recover(e -> StoreErrors.isDiskFull(e) ? cancelForSpace(session, e)
                        : Future.failedFuture(writeFailure(session, e)))
                .compose(written -> {
                    metrics.pushedBytes(written);
                    if (chunk.length() >= 0 && written != chunk.length()) {
                        return Future.failedFuture(new OciException(OciErrorCode.SIZE_INVALID, "received " + written
                                + " bytes, announced " + chunk.length() + "; the upload now holds " + session.size()
                                + " bytes"));
                    }
                    return Future.succeededFuture(written);
                });
    }

    private void release(UploadSession session) {
        session.close();
        stores.releaseUpload(session.id());
    }

    /** A full disk: keeping the partial upload would keep the disk full, so the session ends and frees its bytes. */
    private <T> Future<T> cancelForSpace(UploadSession session, Throwable e) {
        return stores.blocking("cancelling upload " + session.id(), () -> {
            session.cancel();
            return null;
        }).transform(ar -> Future.failedFuture(StoreErrors.toOci(e, "upload " + session.id()
                + " (cancelled to free its space; start it again)")));
    }

    private static OciException writeFailure(UploadSession session, Throwable e) {
        if (e instanceof BodyPump.TooLarge) {
            return new OciException(OciErrorCode.SIZE_INVALID, "the chunk is longer than its Content-Range; the upload "
                    + "now holds " + session.size() + " bytes");
        }
        if (e instanceof BodyPump.BodyBroken) {
            return new OciException(OciErrorCode.BLOB_UPLOAD_INVALID, e.getMessage() + "; the upload holds "
                    + session.size() + " bytes and can resume");
        }
        return StoreErrors.toOci(e, "writing upload " + session.id());
    }

    /** The session, held for this request: a second request on the same session meanwhile is out of order. */
    private Future<UploadSession> claimed(ImageName name, String id) {
        return session(name, id).compose(session -> {
            if (!stores.claimUpload(id)) {
                return Future.failedFuture(outOfOrder(session, "another request is writing to this upload"));
            }
            return Future.succeededFuture(session);
        });
    }

    private Future<UploadSession> session(ImageName name, String id) {
        return stores.blocking("reading upload " + id, () -> stores.uploads().find(id)
                .filter(s -> s.repository().equals(repository) && s.name().equals(name))
                .orElseThrow(() -> new OciException(OciErrorCode.BLOB_UPLOAD_UNKNOWN, "no upload " + id + " in progress"
                        + " for " + repository + "/" + name + " (never started, finished, cancelled or expired)")));
    }

    private static OciException outOfOrder(UploadSession session, String why) {
        long size = session.size();
        return new OciException(OciErrorCode.BLOB_UPLOAD_INVALID, 416, why + "; the upload holds " + size
                + " bytes, send the next chunk from there", Map.of("Range", range(size),
                "Docker-Upload-UUID", session.id()));
    }

    /** The spec's inclusive Range of what an upload holds; {@code 0-0} when empty, as distribution says it. */
    static String range(long size) {
        return "0-" + Math.max(0, size - 1);
    }
}
