package dev.entrepot.proxy.virtual;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.oci.ReferrersIndex;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.repository.Pages;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.testing.StubRepository;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A member for virtual-repository tests: answers manifests by tag or digest from a map, can go down (every call
 * UNAVAILABLE) or be slow, and counts what it was asked.
 */
final class FakeMember implements StubRepository {
    private final String name;
    private final Map<String, ManifestContent> manifests = new ConcurrentHashMap<>();
    private final Map<String, List<String>> tags = new ConcurrentHashMap<>();
    private final Map<Digest, Long> blobs = new ConcurrentHashMap<>();
    final AtomicInteger manifestCalls = new AtomicInteger();
    final AtomicInteger blobCalls = new AtomicInteger();
    volatile boolean down;

    FakeMember(String name) {
        this.name = name;
    }

    /** Holds {@code image:tag} with content made from {@code seed}; returns its digest. */
    Digest has(String image, String tag, String seed) {
        byte[] bytes = ("{\"schemaVersion\":2,\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        ManifestContent content = new ManifestContent(Digest.sha256(bytes), MediaTypes.OCI_MANIFEST, bytes);
        manifests.put(image + ":" + tag, content);
        manifests.put(image + "@" + content.digest(), content);
        tags.computeIfAbsent(image, i -> new CopyOnWriteArrayList<>()).add(tag);
        return content.digest();
    }

    void hasBlob(Digest digest, long size) {
        blobs.put(digest, size);
    }

    @Override
    public String name() {
        return name;
    }

    private <T> Future<T> unavailable() {
        return Future.failedFuture(new OciException(OciErrorCode.UNAVAILABLE, name + " is down"));
    }

    @Override
    public Future<ManifestContent> manifest(ImageName image, Reference reference) {
        manifestCalls.incrementAndGet();
        if (down) {
            return unavailable();
        }
        String key = image + (reference instanceof Reference.Tag ? ":" : "@") + reference;
        ManifestContent m = manifests.get(key);
        return m != null ? Future.succeededFuture(m)
                : Future.failedFuture(new OciException(OciErrorCode.MANIFEST_UNKNOWN, key + " not in " + name));
    }

    @Override
    public Future<Optional<ManifestContent>> storedManifest(ImageName image, Digest digest) {
        return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<Optional<BlobLease>> storedBlob(ImageName image, Digest digest) {
        return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<Long> blobSize(ImageName image, Digest digest) {
        blobCalls.incrementAndGet();
        if (down) {
            return unavailable();
        }
        Long size = blobs.get(digest);
        return size != null ? Future.succeededFuture(size)
                : Future.failedFuture(new OciException(OciErrorCode.BLOB_UNKNOWN, digest + " not in " + name));
    }

    @Override
    public Future<Page> tags(ImageName image, Integer n, String last) {
        if (down) {
            return unavailable();
        }
        List<String> list = tags.get(image.value());
        return list == null ? Future.failedFuture(new OciException(OciErrorCode.NAME_UNKNOWN, "no " + image))
                : Future.succeededFuture(Pages.page(list.stream().sorted().toList(), n, last));
    }

    @Override
    public Future<ManifestContent> referrers(ImageName image, Digest subject, String artifactType) {
        return down ? unavailable() : Future.succeededFuture(ReferrersIndex.of(List.of(), artifactType));
    }

    @Override
    public Future<List<String>> catalog() {
        return Future.succeededFuture(List.copyOf(tags.keySet()));
    }
}
