package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.store.BlobLease;
import io.vertx.core.Future;

/**
 * The answer to a blob request: a stored blob (pinned until the lease is closed), one still arriving, or one in an
 * object store that the request's kind decides how to read ({@link RemoteBlob}).
 */
public sealed interface BlobSource permits BlobSource.Stored, BlobSource.Growing, BlobSource.Remote {

    record Stored(BlobLease lease) implements BlobSource {
    }

    record Growing(GrowingBlob blob) implements BlobSource {
    }

    record Remote(RemoteBlob blob) implements BlobSource {
    }

    /** The whole blob, stored or arriving: a remote blob's {@link RemoteBlob#whole()}, the others as they are. */
    static Future<BlobSource> whole(BlobSource source) {
        return source instanceof Remote remote ? remote.blob().whole() : Future.succeededFuture(source);
    }
}
