package dev.entrepot.proxy.repository;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.store.BlobLease;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * The read side of a configured repository, as the HTTP API needs it. Image names arrive as the client wrote
 * them: a repository that rewrites names (Docker Hub's {@code library/}) does so itself. Futures fail with
 * {@link OciException}s only. Repositories that accept pushes also offer {@link Pushable}.
 */
public interface Repository {

    String name();

    Future<ManifestContent> manifest(ImageName name, Reference reference);

    /** The manifest when this repository holds it locally; never asks an upstream. */
    Future<Optional<ManifestContent>> storedManifest(ImageName name, Digest digest);

    Future<BlobSource> blob(ImageName name, Digest digest);

    /**
     * The blob as {@link #blob} answers it when this repository holds it, here or in its object store; never asks an
     * upstream. Empty when it does not hold it.
     */
    default Future<Optional<BlobSource>> heldBlob(ImageName name, Digest digest) {
        return storedBlob(name, digest).map(held -> held.map(BlobSource.Stored::new));
    }

    /** The blob when this repository holds it locally (pinned until closed); never fetches. For mounts. */
    Future<Optional<BlobLease>> storedBlob(ImageName name, Digest digest);

    /** Size of a blob without fetching it. */
    Future<Long> blobSize(ImageName name, Digest digest);

    /** All tags (sorted) or one page: {@code n} null means no limit, {@code last} null means from the start. */
    Future<Page> tags(ImageName name, Integer n, String last);

    /** The OCI referrers index for {@code subject}, as JSON bytes (an empty index when there are none). */
    Future<ManifestContent> referrers(ImageName name, Digest subject, String artifactType);

    /** Image names held locally, sorted. */
    Future<List<String>> catalog();

    /** The versions of an image held locally, newest first (for listings; never asks an upstream). */
    Future<List<ImageVersion>> versions(ImageName name);

    /** The push side, or UNSUPPORTED saying why this repository takes no writes. */
    default Pushable pushable() {
        throw new OciException(OciErrorCode.UNSUPPORTED, "repository '" + name() + "' does not accept pushes");
    }
}
