package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.repository.ImageEvents;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.MetadataStore;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * What every remote repository shares: the cache's blob store and metadata, the one-download-per-digest table and
 * the warm manifest memory; and where content first cached is reported.
 */
public record CacheStores(BlobStore blobs, MetadataStore metadata, InflightFetches fetches, ManifestCache manifests,
                          Vertx vertx, Clock clock, ImageEvents events) {
}
