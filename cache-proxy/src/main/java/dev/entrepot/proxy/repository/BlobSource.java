package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.store.BlobLease;

/** The answer to a blob request: a stored blob (pinned until the lease is closed) or one still arriving. */
public sealed interface BlobSource permits BlobSource.Stored, BlobSource.Growing {

    record Stored(BlobLease lease) implements BlobSource {
    }

    record Growing(GrowingBlob blob) implements BlobSource {
    }
}
