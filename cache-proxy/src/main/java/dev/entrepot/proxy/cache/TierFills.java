package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.io.InputStreamBody;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.TieredBlobs;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobObjects.ObjectBody;
import dev.entrepot.proxy.store.TieredBlobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The local copies of a tiered store (hosted blobs in an S3 bucket, {@link TieredBlobStore}) made while clients read
 * them: a GET of a blob not in the local tier streams the object from the bucket at once, as a {@link Download}
 * whose source is the bucket rather than an upstream. Its bytes go to a local temp file (hashed) and to every reader;
 * readers of one digest share one bucket GET; the last byte goes out once the digest verified, and only a verified
 * copy joins the local tier. An object that does not hash to its digest breaks its readers' transfers (as a broken
 * upstream download does) and leaves nothing behind. Byte ranges of a blob not here are read straight from the
 * bucket ({@link ObjectBlob}). With redirects configured every GET may be sent to the bucket, local copy or not.
 */
public final class TierFills implements TieredBlobs {
    private static final Logger LOG = Logger.getLogger(TierFills.class);

    private final Vertx vertx;
    private final TieredBlobStore store;
    private final Executor pool;
    private final DownloadClaims claims;

    /** @param pool threads for the local tier's disk writes */
    public TierFills(Vertx vertx, TieredBlobStore store, Executor pool) {
        this.vertx = vertx;
        this.store = store;
        this.pool = pool;
        this.claims = new DownloadClaims(vertx, store::openLocal);
    }

    @Override
    public BlobSource source(Digest digest) {
        if (!store.redirects()) {
            Optional<BlobLease> local = store.openLocal(digest);
            if (local.isPresent()) {
                return new BlobSource.Stored(local.get());
            }
        }
        return new BlobSource.Remote(new ObjectBlob(vertx, store, digest, () -> whole(digest), () -> { }));
    }

    /** The local copy, the fill in flight, or a new fill from the object store; fails when it has no such blob. */
    public Future<BlobSource> whole(Digest digest) {
        return claims.get(digest, () -> { }, this::fromBucket);
    }

    private void fromBucket(Download mine) {
        Digest digest = mine.digest();
        vertx.executeBlocking(() -> store.readObject(digest, 0, -1), false).onComplete(ar -> {
            if (ar.failed()) {
                finish(mine, null, ar.cause());
            } else if (ar.result().isEmpty()) {
                finish(mine, null, new OciException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest
                        + " is not in the object store"));
            } else {
                fill(mine, ar.result().get());
            }
        });
    }

    /** Fills in flight (tests, diagnostics). */
    public int inflight() {
        return claims.size();
    }

    private void fill(Download download, ObjectBody object) {
        InputStreamBody body = new InputStreamBody(vertx.getOrCreateContext(), object.stream());
        new Transfer(vertx, pool, download, new Transfer.Source(body, object.length(), body::close),
                () -> store.newLocalWriter(download.digest()), bytes -> { },
                (stored, failure) -> finish(download, stored, failure)).begin();
    }

    private void finish(Download download, Path stored, Throwable failure) {
        claims.release(download);
        if (failure == null) {
            download.succeed(stored);
            return;
        }
        Digest digest = download.digest();
        OciException answer;
        if (download.verified()) {
            LOG.warnf("%s was verified and served, but its local copy could not be stored: %s", digest,
                    failure.getMessage());
            answer = new OciException(OciErrorCode.UNAVAILABLE, "the local copy of " + digest + " failed");
        } else if (failure instanceof OciException oci && oci.code() == OciErrorCode.BLOB_UNKNOWN) {
            answer = oci;
        } else if (failure instanceof OciException oci && oci.code() == OciErrorCode.DIGEST_INVALID) {
            // Not ours to delete (a replica may be writing it right now, or a person must look): loudly.
            LOG.errorf("the object of blob %s in the object store does not hash to its digest: its readers' "
                    + "transfers were broken, nothing was stored", digest);
            answer = new OciException(OciErrorCode.UNKNOWN, "the stored copy of blob " + digest
                    + " does not match its digest");
        } else {
            LOG.warnf("reading %s from the object store failed, nothing stored: %s", digest, failure.getMessage());
            answer = new OciException(OciErrorCode.UNAVAILABLE, "reading blob " + digest
                    + " from the object store failed: " + failure.getMessage());
        }
        download.fail(answer);
    }
}
