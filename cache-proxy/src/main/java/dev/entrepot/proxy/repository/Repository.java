package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.cache.InflightFetches.Source;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import io.vertx.core.Future;
import java.util.List;

/**
 * What the HTTP API needs from a configured repository. Remote repositories implement the pull side; the push
 * side (uploads, manifest PUT, deletes) answers {@code UNSUPPORTED} until hosted repositories implement it.
 * Futures fail with {@link OciException}s only.
 */
public interface Repository {

    String name();

    /** Docker Hub keeps official images under {@code library/}: single-segment names are rewritten. */
    boolean normalizesDockerHubNames();

    Future<ManifestContent> manifest(ImageName name, Reference reference);

    Future<Source> blob(ImageName name, Digest digest);

    /** Size of a blob without fetching it. */
    Future<Long> blobSize(ImageName name, Digest digest);

    /** All tags (sorted) or one page: {@code n} null means no limit, {@code last} null means from the start. */
    Future<TagPage> tags(ImageName name, Integer n, String last);

    /** The OCI referrers index for {@code subject}, as JSON bytes. */
    Future<ManifestContent> referrers(ImageName name, Digest subject, String artifactType);

    /** Image names held locally, sorted. */
    Future<List<String>> catalog();

    default Future<Void> push(String operation) {
        return Future.failedFuture(new OciException(OciErrorCode.UNSUPPORTED,
                operation + " is not supported: repository '" + name() + "' is a pull-through cache"));
    }

    record TagPage(List<String> tags, boolean more) {
    }
}
