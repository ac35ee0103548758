package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.repository.Pushable;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.BlobLease;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * A configured standard or virtual repository. The config contract accepts them so the operator can render
 * them today; this release answers every request for them with a clear UNSUPPORTED instead of a 404 that would
 * read like missing content.
 */
final class UnservedRepository implements Repository {
    private final String name;
    private final String mode;

    UnservedRepository(String name, String mode) {
        this.name = name;
        this.mode = mode;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Future<ManifestContent> manifest(ImageName image, Reference reference) {
        return unsupported();
    }

    @Override
    public Future<BlobSource> blob(ImageName image, Digest digest) {
        return unsupported();
    }

    @Override
    public Future<Long> blobSize(ImageName image, Digest digest) {
        return unsupported();
    }

    @Override
    public Future<Page> tags(ImageName image, Integer n, String last) {
        return unsupported();
    }

    @Override
    public Future<ManifestContent> referrers(ImageName image, Digest subject, String artifactType) {
        return unsupported();
    }

    @Override
    public Future<List<String>> catalog() {
        return Future.succeededFuture(List.of());
    }

    @Override
    public Future<Optional<BlobLease>> storedBlob(ImageName image, Digest digest) {
        return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Pushable pushable() {
        throw error();
    }

    private <T> Future<T> unsupported() {
        return Future.failedFuture(error());
    }

    private OciException error() {
        return new OciException(OciErrorCode.UNSUPPORTED, "repository '" + name + "' is a " + mode
                + " repository, which this version of Entrepot does not serve yet");
    }
}
