package dev.entrepot.proxy.virtual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.ManifestWriter;
import dev.entrepot.proxy.repository.Pushable;
import dev.entrepot.proxy.repository.Repository;
import io.vertx.core.Future;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushes through a virtual repository, to its {@code pushTo} member. A client pushing through the virtual asks it
 * which blobs exist, and the virtual answers for all its members: a layer another member holds is not uploaded.
 * So when the pushTo member refuses a manifest for content it lacks, that content is brought over from the members
 * that have it (mounted, or fetched and then mounted; child manifests copied) and the manifest is put again.
 */
final class VirtualPush implements Pushable, ManifestWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VirtualRepository virtual;
    private final Repository target;

    VirtualPush(VirtualRepository virtual, Repository target) {
        this.virtual = virtual;
        this.target = target;
    }

    @Override
    public BlobUploads uploads() {
        return target.pushable().uploads();
    }

    @Override
    public ManifestWriter manifests() {
        return this;
    }

    @Override
    public Future<Pushed> put(ImageName name, Reference reference, String contentType, byte[] body, String host) {
        ManifestWriter writer = target.pushable().manifests();
        return writer.put(name, reference, contentType, body, host).recover(e -> lacksContent(e)
                ? adopt(name, body, host).compose(v -> writer.put(name, reference, contentType, body, host))
                : Future.failedFuture(e));
    }

    @Override
    public Future<Void> delete(ImageName name, Reference reference, String host) {
        return target.pushable().manifests().delete(name, reference, host);
    }

    private static boolean lacksContent(Throwable e) {
        return e instanceof OciException oci && (oci.code() == OciErrorCode.MANIFEST_BLOB_UNKNOWN
                || oci.code() == OciErrorCode.MANIFEST_UNKNOWN);
    }

    /** Brings every blob and child manifest {@code manifest} refers to into the target image, one after another. */
    private Future<Void> adopt(ImageName name, byte[] manifest, String host) {
        JsonNode root;
        try {
            root = JSON.readTree(manifest);
        } catch (IOException e) {
            return Future.failedFuture(new OciException(OciErrorCode.MANIFEST_INVALID, "manifest is not JSON"));
        }
        List<Digest> blobs = new ArrayList<>();
        List<Digest> children = new ArrayList<>();
        try {
            if (root.path("config").has("digest")) {
                blobs.add(Digest.parse(root.path("config").path("digest").asText()));
            }
            for (JsonNode layer : root.path("layers")) {
                if (!layer.has("urls")) {
                    blobs.add(Digest.parse(layer.path("digest").asText()));
                }
            }
            for (JsonNode child : root.path("manifests")) {
                children.add(Digest.parse(child.path("digest").asText()));
            }
        } catch (OciException e) {
            return Future.failedFuture(new OciException(OciErrorCode.MANIFEST_INVALID, e.getMessage()));
        }
        Future<Void> chain = Future.succeededFuture();
        for (Digest d : blobs) {
            chain = chain.compose(v -> ensureBlob(name, d));
        }
        for (Digest d : children) {
            chain = chain.compose(v -> ensureManifest(name, d, host));
        }
        return chain;
    }

    private Future<Void> ensureBlob(ImageName name, Digest digest) {
        return target.storedBlob(name, digest).compose(held -> {
            if (held.isPresent()) {
                held.get().close();
                return Future.succeededFuture();
            }
            return virtual.blob(name, digest).compose(BlobSource::whole)
                    .compose(source -> {
                        if (source instanceof BlobSource.Stored stored) {
                            stored.lease().close();
                            return Future.succeededFuture();
                        }
                        return ((BlobSource.Growing) source).blob().done(); // fetched into a member's cache first
                    })
                    .compose(v -> target.pushable().uploads().mount(name, digest, virtual, name))
                    .compose(mounted -> mounted.isPresent() ? Future.<Void>succeededFuture()
                            : Future.failedFuture(new OciException(OciErrorCode.MANIFEST_BLOB_UNKNOWN, "blob " + digest
                            + " is in no member of '" + virtual.name() + "'; push it first")));
        });
    }

    private Future<Void> ensureManifest(ImageName name, Digest digest, String host) {
        return target.storedManifest(name, digest).compose(held -> held.isPresent() ? Future.succeededFuture()
                : virtual.manifest(name, new Reference.ByDigest(digest)).compose(child ->
                        put(name, new Reference.ByDigest(digest), child.mediaType(), child.bytes(), host).mapEmpty()));
    }
}
