package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.upstream.UpstreamClient;
import dev.entrepot.proxy.upstream.UpstreamException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** An upstream registry in memory that counts what it is asked and can be made to fail or to hold answers. */
final class FakeUpstream implements UpstreamClient {
    final AtomicInteger manifestGets = new AtomicInteger();
    final AtomicInteger manifestHeads = new AtomicInteger();
    final AtomicInteger blobOpens = new AtomicInteger();
    final AtomicInteger blobHeads = new AtomicInteger();
    final List<String> gets = new CopyOnWriteArrayList<>();

    private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Future<HttpClientResponse>>> blobs = new ConcurrentHashMap<>();
    private final Map<String, Long> blobSizes = new ConcurrentHashMap<>();
    private final Map<String, Body> bodies = new ConcurrentHashMap<>();
    private volatile Throwable failure;
    private volatile Future<Void> gate = Future.succeededFuture();

    private static String key(ImageName name, String reference) {
        return name + "@" + reference;
    }

    /** {@code tag} (and the manifest's digest) now answer {@code bytes}, with an honest Docker-Content-Digest. */
    Digest putManifest(ImageName name, String tag, byte[] bytes, String mediaType) {
        Digest digest = Digest.sha256(bytes);
        Manifest manifest = new Manifest(bytes, mediaType, digest.toString());
        manifests.put(key(name, tag), manifest);
        manifests.put(key(name, digest.toString()), manifest);
        return digest;
    }

    /** Answers {@code reference} with exactly this (possibly lying) manifest. */
    void putRaw(ImageName name, String reference, Manifest manifest) {
        manifests.put(key(name, reference), manifest);
    }

    void removeManifest(ImageName name, String reference) {
        manifests.remove(key(name, reference));
    }

    void putBlob(Digest digest, long size, Supplier<Future<HttpClientResponse>> open) {
        blobs.put(digest.toString(), open);
        blobSizes.put(digest.toString(), size);
    }

    /** Answers {@code GET /v2/<name>/<suffix>} with a 200 body. */
    void putBody(ImageName name, String suffix, Body body) {
        bodies.put(key(name, suffix), body);
    }

    /** Every call fails with {@code failure} from now on; null to heal. */
    void failWith(Throwable failure) {
        this.failure = failure;
    }

    /** Manifest GETs answer only once {@code gate} completes. */
    void holdManifestGets(Future<Void> gate) {
        this.gate = gate;
    }

    private static <T> Future<T> notFound(String what) {
        return Future.failedFuture(new UpstreamException(404, "upstream answered 404 for " + what));
    }

    @Override
    public Future<Manifest> getManifest(ImageName name, String reference) {
        manifestGets.incrementAndGet();
        Throwable down = failure;
        if (down != null) {
            return Future.failedFuture(down);
        }
        return gate.compose(v -> {
            Manifest m = manifests.get(key(name, reference));
            return m == null ? notFound(name + ":" + reference) : Future.succeededFuture(m);
        });
    }

    @Override
    public Future<Head> headManifest(ImageName name, String reference) {
        manifestHeads.incrementAndGet();
        Throwable down = failure;
        if (down != null) {
            return Future.failedFuture(down);
        }
        Manifest m = manifests.get(key(name, reference));
        if (m == null) {
            return notFound(name + ":" + reference);
        }
        return Future.succeededFuture(new Head(Digest.parse(m.digestHeader()), m.mediaType(), m.bytes().length));
    }

    @Override
    public Future<HttpClientResponse> openBlob(ImageName name, Digest digest) {
        blobOpens.incrementAndGet();
        Throwable down = failure;
        if (down != null) {
            return Future.failedFuture(down);
        }
        Supplier<Future<HttpClientResponse>> open = blobs.get(digest.toString());
        return open == null ? notFound(digest.toString()) : open.get();
    }

    @Override
    public Future<Head> headBlob(ImageName name, Digest digest) {
        blobHeads.incrementAndGet();
        Throwable down = failure;
        if (down != null) {
            return Future.failedFuture(down);
        }
        Long size = blobSizes.get(digest.toString());
        return size == null ? notFound(digest.toString()) : Future.succeededFuture(new Head(digest, null, size));
    }

    @Override
    public Future<Body> get(ImageName name, String suffix, int maxBytes) {
        gets.add(suffix);
        Throwable down = failure;
        if (down != null) {
            return Future.failedFuture(down);
        }
        String path = suffix.contains("?") ? suffix.substring(0, suffix.indexOf('?')) : suffix;
        Body body = bodies.get(key(name, path));
        return body == null ? notFound(suffix) : Future.succeededFuture(body);
    }

    static Body json(String json, String link) {
        return new Body(200, "application/json", link, Buffer.buffer(json));
    }
}
