package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.cache.InflightFetches.Source;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.ManifestContent;
import dev.entrepot.proxy.repository.Repository;
import io.vertx.core.Future;
import java.util.List;

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
    public boolean normalizesDockerHubNames() {
        return false;
    }

    @Override
    public Future<ManifestContent> manifest(ImageName image, Reference reference) {
        return unsupported();
    }

    @Override
    public Future<Source> blob(ImageName image, Digest digest) {
        return unsupported();
    }

    @Override
    public Future<Long> blobSize(ImageName image, Digest digest) {
        return unsupported();
    }

    @Override
    public Future<TagPage> tags(ImageName image, Integer n, String last) {
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
    public Future<Void> push(String operation) {
        return unsupported();
    }

    private <T> Future<T> unsupported() {
        return Future.failedFuture(new OciException(OciErrorCode.UNSUPPORTED, "repository '" + name + "' is a "
                + mode + " repository, which this version of Entrepot does not serve yet"));
    }
}
