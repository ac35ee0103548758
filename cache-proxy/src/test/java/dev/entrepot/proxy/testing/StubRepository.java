package dev.entrepot.proxy.testing;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.ImageVersion;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.BlobLease;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** A {@link Repository} for tests that need only part of it: whatever a test does not override fails loudly. */
public interface StubRepository extends Repository {
    @Override
    default Future<ManifestContent> manifest(ImageName name, Reference reference) {
        throw new UnsupportedOperationException();
    }

    @Override
    default Future<BlobSource> blob(ImageName name, Digest digest) {
        throw new UnsupportedOperationException();
    }

    @Override
    default Future<Optional<ManifestContent>> storedManifest(ImageName name, Digest digest) {
        throw new UnsupportedOperationException();
    }

    @Override
    default Future<Optional<BlobLease>> storedBlob(ImageName name, Digest digest) {
        throw new UnsupportedOperationException();
    }

    @Override
    default Future<Long> blobSize(ImageName name, Digest digest) {
        throw new UnsupportedOperationException();
    }

    @Override
    default Future<Page> tags(ImageName name, Integer n, String last) {
        throw new UnsupportedOperationException();
    }

    @Override
    default Future<ManifestContent> referrers(ImageName name, Digest subject, String artifactType) {
        throw new UnsupportedOperationException();
    }

    @Override
    default Future<List<ImageVersion>> versions(ImageName name) {
        throw new UnsupportedOperationException();
    }

    @Override
    default Future<List<String>> catalog() {
        throw new UnsupportedOperationException();
    }
}
