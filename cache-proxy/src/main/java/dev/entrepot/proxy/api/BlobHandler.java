package dev.entrepot.proxy.api;

import dev.entrepot.proxy.io.InputStreamBody;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.GrowingBlob;
import dev.entrepot.proxy.repository.RemoteBlob;
import dev.entrepot.proxy.repository.Repositories.Target;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.BlobLease;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET|HEAD /v2/<repository>/<name>/blobs/<digest>}. A stored blob goes out with sendfile (zero copy,
 * Range → offset/length); one still downloading streams from its growing temp file; one in an object store but not
 * here streams from the object store (a range straight from it, the whole blob while its local copy is made).
 */
final class BlobHandler {
    /**
     * Ranges read straight from a bucket at once. Each holds one of the bucket client's pooled connections (64) at
     * the pace of its client, and clients that stall would otherwise take every connection from manifest reads,
     * pushes and fills; beyond this a range is served from a fill of the local copy, which the disk paces.
     */
    static final int BUCKET_RANGE_STREAMS = 16;

    private final Vertx vertx;
    private final ProxyMetrics metrics;
    private final Semaphore rangeStreams = new Semaphore(BUCKET_RANGE_STREAMS);

    BlobHandler(Vertx vertx, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    void get(HttpServerRequest request, Repository repository, ImageName name, Digest digest) {
        Context context = vertx.getOrCreateContext();
        HttpServerResponse response = request.response();
        if (request.method() == HttpMethod.HEAD) {
            repository.blobSize(name, digest).onComplete(ar -> context.runOnContext(v -> {
                if (ar.failed()) {
                    OciErrors.send(response, request.method(), ar.cause());
                    return;
                }
                headers(response, digest).putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(ar.result())).end();
            }));
            return;
        }
        send(request, repository, name, digest, repository.blob(name, digest), context);
    }

    private void send(HttpServerRequest request, Repository repository, ImageName name, Digest digest,
                      Future<BlobSource> source, Context context) {
        source.onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request.response(), request.method(), ar.cause());
            } else if (ar.result() instanceof BlobSource.Stored stored) {
                sendStored(request, repository, digest, stored.lease());
            } else if (ar.result() instanceof BlobSource.Growing growing) {
                sendGrowing(request, repository, name, digest, growing.blob(), context);
            } else {
                sendRemote(request, repository, name, digest, ((BlobSource.Remote) ar.result()).blob(), context);
            }
        }));
    }

    /**
     * A blob in an object store: with redirects configured, the client is sent there (307 to a pre-signed URL, as
     * distribution does; S3 honours a Range the client sends again). Else, and for a blob the object store lacks, a
     * range is read straight from it (its size asked first, to judge the range); the whole blob is what
     * {@link RemoteBlob#whole()} gives. An object store that cannot tell the size leaves the range to the whole
     * blob's path.
     */
    private void sendRemote(HttpServerRequest request, Repository repository, ImageName name, Digest digest,
                            RemoteBlob remote, Context context) {
        remote.redirect().onComplete(ar -> context.runOnContext(v -> {
            if (ar.succeeded() && ar.result().isPresent()) {
                metrics.repository(repository.name()).redirected();
                request.response().setStatusCode(307)
                        .putHeader(Headers.DOCKER_CONTENT_DIGEST, digest.toString())
                        .putHeader(HttpHeaders.LOCATION, ar.result().get().toString())
                        .putHeader(HttpHeaders.CONTENT_LENGTH, "0").end();
            } else {
                sendFromObjectStore(request, repository, name, digest, remote, context);
            }
        }));
    }

    private void sendFromObjectStore(HttpServerRequest request, Repository repository, ImageName name, Digest digest,
                                     RemoteBlob remote, Context context) {
        String header = request.getHeader("Range");
        if (header == null) {
            send(request, repository, name, digest, remote.whole(), context);
            return;
        }
        remote.size().onComplete(sized -> context.runOnContext(v -> {
            if (sized.failed() || sized.result().isEmpty()) {
                send(request, repository, name, digest, remote.whole(), context);
                return;
            }
            long size = sized.result().get();
            ByteRange range;
            try {
                range = ByteRange.parse(header, size);
            } catch (RuntimeException e) {
                OciErrors.send(request.response(), request.method(), e);
                return;
            }
            if (range == null) {
                send(request, repository, name, digest, remote.whole(), context);
                return;
            }
            if (!rangeStreams.tryAcquire()) {
                // as many client-paced bucket reads as the pool may spare: this range comes from a fill instead
                send(request, repository, name, digest, remote.whole(), context);
                return;
            }
            Runnable release = once(rangeStreams::release);
            remote.range(range.start(), range.length(), context).onComplete(opened -> context.runOnContext(x -> {
                if (opened.failed()) {
                    release.run();
                    OciErrors.send(request.response(), request.method(), opened.cause());
                } else {
                    sendObjectRange(request, repository, digest, opened.result(), range, size, release);
                }
            }));
        }));
    }

    /**
     * Streams a range read from the object store, at the pace the client reads it (paused while its write queue is
     * full). A transfer that breaks or brings the wrong number of bytes resets the connection: it never ends like a
     * complete answer.
     */
    private void sendObjectRange(HttpServerRequest request, Repository repository, Digest digest,
                                 InputStreamBody body, ByteRange range, long size, Runnable release) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            body.close();
            release.run();
            return;
        }
        headers(response, digest).setStatusCode(206)
                .putHeader(HttpHeaders.CONTENT_RANGE, range.contentRange(size))
                .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(range.length()));
        long[] sent = new long[1];
        response.closeHandler(v -> {
            body.close();
            release.run();
        });
        body.handler(chunk -> {
            sent[0] += chunk.length();
            if (sent[0] > range.length()) {
                body.close();
                response.reset();
                return;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                body.pause();
                response.drainHandler(d -> body.resume());
            }
        });
        body.exceptionHandler(e -> {
            release.run();
            if (!response.closed()) {
                response.reset();
            }
        });
        body.endHandler(v -> {
            release.run();
            if (sent[0] == range.length()) {
                response.end();
                metrics.repository(repository.name()).served(sent[0]);
            } else if (!response.closed()) {
                response.reset();
            }
        });
        body.resume();
    }

    private static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    void delete(HttpServerRequest request, Target target, Digest digest) {
        BlobUploads uploads = target.repository().pushable().uploads();
        Context context = vertx.getOrCreateContext();
        uploads.delete(target.name(), digest).onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request, ar.cause());
            } else {
                request.response().setStatusCode(202).putHeader(HttpHeaders.CONTENT_LENGTH, "0").end();
            }
        }));
    }

    private void sendStored(HttpServerRequest request, Repository repository, Digest digest, BlobLease lease) {
        HttpServerResponse response = request.response();
        long size = lease.size();
        ByteRange range;
        try {
            range = ByteRange.parse(request.getHeader("Range"), size);
        } catch (RuntimeException e) {
            lease.close();
            OciErrors.send(response, request.method(), e);
            return;
        }
        headers(response, digest);
        long offset = 0;
        long length = size;
        if (range != null) {
            response.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, range.contentRange(size));
            offset = range.start();
            length = range.length();
        }
        long sent = length;
        response.closeHandler(v -> lease.close()); // a client gone mid-transfer must not leave the blob pinned
        response.sendFile(lease.path().toString(), offset, length).onComplete(ar -> {
            lease.close();
            if (ar.succeeded()) {
                metrics.repository(repository.name()).served(sent);
            }
        });
    }

    private void sendGrowing(HttpServerRequest request, Repository repository, ImageName name, Digest digest,
                             GrowingBlob download, Context context) {
        HttpServerResponse response = request.response();
        if (request.getHeader("Range") != null) {
            if (download.size() < 0) {
                // Without the size no range can be judged: serve it from the verified blob once it is stored.
                whenDone(request, repository, name, digest, download, context);
                return;
            }
            ByteRange range;
            try {
                range = ByteRange.parse(request.getHeader("Range"), download.size());
            } catch (RuntimeException e) {
                OciErrors.send(response, request.method(), e);
                return;
            }
            if (range != null) {
                sendGrowingRange(request, repository, name, digest, download, range, context);
                return;
            }
        }
        headers(response, digest);
        if (download.size() >= 0) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(download.size()));
        } else {
            response.setChunked(true);
        }
        new GrowingFileSender(vertx, context, response, download,
                sent -> metrics.repository(repository.name()).served(sent),
                () -> get(request, repository, name, digest)).start();
    }

    private void whenDone(HttpServerRequest request, Repository repository, ImageName name, Digest digest,
                          GrowingBlob download, Context context) {
        download.done().onComplete(ar -> context.runOnContext(v -> {
            if (ar.failed()) {
                OciErrors.send(request.response(), request.method(), ar.cause());
            } else {
                get(request, repository, name, digest);
            }
        }));
    }

    /**
     * A range of a blob still arriving, as soon as its bytes are on disk (a resuming client need not wait for the
     * whole download). The file is opened while it is still the temp file or already the stored one: an open handle
     * survives the rename.
     */
    private void sendGrowingRange(HttpServerRequest request, Repository repository, ImageName name, Digest digest,
                                  GrowingBlob download, ByteRange range, Context context) {
        if (download.failed()) {
            OciErrors.send(request.response(), request.method(), download.done().cause());
            return;
        }
        if (download.succeeded()) {
            get(request, repository, name, digest);
            return;
        }
        if (download.written() <= range.end()) {
            download.whenProgressed(download.written(), context,
                    () -> sendGrowingRange(request, repository, name, digest, download, range, context));
            return;
        }
        HttpServerResponse response = request.response();
        vertx.fileSystem().open(download.path().toString(), new OpenOptions().setRead(true).setWrite(false))
                .onComplete(ar -> context.runOnContext(v -> {
                    if (ar.failed()) { // renamed between our look and the open: it is stored now
                        get(request, repository, name, digest);
                        return;
                    }
                    AsyncFile file = ar.result().setReadPos(range.start()).setReadLength(range.length());
                    headers(response, digest).setStatusCode(206)
                            .putHeader(HttpHeaders.CONTENT_RANGE, range.contentRange(download.size()))
                            .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(range.length()));
                    response.closeHandler(x -> file.close());
                    response.send(file).onComplete(done -> {
                        file.close();
                        if (done.succeeded()) {
                            metrics.repository(repository.name()).served(range.length());
                        }
                    });
                }));
    }

    private static HttpServerResponse headers(HttpServerResponse response, Digest digest) {
        return response.putHeader(HttpHeaders.CONTENT_TYPE, MediaTypes.OCTET_STREAM)
                .putHeader(Headers.DOCKER_CONTENT_DIGEST, digest.toString())
                .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
                .putHeader(HttpHeaders.ETAG, "\"" + digest + "\"");
    }
}
