package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.io.InputStreamBody;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.RemoteBlob;
import dev.entrepot.proxy.store.BlobObjects;
import dev.entrepot.proxy.store.BlobObjects.ObjectBody;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One request's view of a blob in the object store: its size (asked once), a redirect to it when configured (only for
 * an object that is there), ranges read straight from the object store on worker threads, and the whole blob as
 * {@code whole} serves it.
 */
final class ObjectBlob implements RemoteBlob {
    private static final Logger LOG = Logger.getLogger(ObjectBlob.class);

    private final Vertx vertx;
    private final BlobObjects objects;
    private final Digest digest;
    private final Supplier<Future<BlobSource>> whole;
    private final Runnable servedFromObjects;
    private Future<Optional<Long>> size;

    /** @param servedFromObjects told when a redirect or a range is served from the object store (metrics) */
    ObjectBlob(Vertx vertx, BlobObjects objects, Digest digest, Supplier<Future<BlobSource>> whole,
               Runnable servedFromObjects) {
        this.vertx = vertx;
        this.objects = objects;
        this.digest = digest;
        this.whole = whole;
        this.servedFromObjects = servedFromObjects;
    }

    @Override
    public synchronized Future<Optional<Long>> size() {
        if (size == null) {
            size = vertx.executeBlocking(() -> objects.objectSize(digest), false)
                    .recover(e -> Future.failedFuture(unavailable("looking up", e)));
        }
        return size;
    }

    @Override
    public Future<Optional<URI>> redirect() {
        if (!objects.redirects()) {
            return Future.succeededFuture(Optional.empty());
        }
        return size().compose(sized -> sized.isEmpty() ? Future.succeededFuture(Optional.<URI>empty())
                        : vertx.executeBlocking(() -> objects.redirectUrl(digest), false))
                .map(url -> {
                    url.ifPresent(u -> servedFromObjects.run());
                    return url;
                })
                .otherwise(e -> {
                    LOG.warnf("not redirecting to blob %s in the object store: %s", digest, e.getMessage());
                    return Optional.empty();
                });
    }

    @Override
    public Future<InputStreamBody> range(long offset, long length, Context context) {
        return context.executeBlocking(() -> objects.readObject(digest, offset, length), false)
                .recover(e -> Future.failedFuture(unavailable("reading", e)))
                .compose(read -> {
                    if (read.isEmpty()) {
                        return Future.failedFuture(new OciException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest
                                + " is gone from the object store"));
                    }
                    ObjectBody body = read.get();
                    if (body.length() != length) {
                        context.executeBlocking(() -> {
                            body.stream().close();
                            return null;
                        }, false);
                        return Future.failedFuture(unavailable("reading", new IOException("asked for " + length
                                + " bytes, the object store announced " + body.length())));
                    }
                    servedFromObjects.run();
                    return Future.succeededFuture(new InputStreamBody(context, body.stream()));
                });
    }

    @Override
    public Future<BlobSource> whole() {
        return whole.get();
    }

    private OciException unavailable(String doing, Throwable e) {
        LOG.warnf("%s blob %s in the object store failed: %s", doing, digest, e.getMessage());
        return new OciException(OciErrorCode.UNAVAILABLE, "the object store failed " + doing + " blob " + digest
                + ": " + e.getMessage());
    }
}
