package dev.entrepot.proxy.hosted;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.repository.BlobUploads;
import dev.entrepot.proxy.repository.ImageEvent;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.ManifestWriter.Pushed;
import dev.entrepot.proxy.repository.TagChanges;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.store.fs.FsHostedMetadataStore;
import dev.entrepot.proxy.store.fs.FsUploadStore;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.BufferStream;
import dev.entrepot.proxy.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Real hosted stores on a temp directory, and shortcuts to push blobs and images through the repository API. */
final class HostedFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final MutableClock clock = new MutableClock(System.currentTimeMillis());
    final Vertx vertx = Vertx.vertx();
    final ExecutorService disk = Executors.newFixedThreadPool(2);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ProxyMetrics metrics = new ProxyMetrics(registry);
    final Path root;
    final FsBlobStore blobs;
    final FsHostedMetadataStore metadata;
    final FsUploadStore uploads;
    final ManifestCache cache;
    final TagChanges tagChanges = new TagChanges();
    final List<ImageEvent> events = new CopyOnWriteArrayList<>();
    final HostedStores stores;

    HostedFixture(Path root) throws Exception {
        this.root = root;
        blobs = new FsBlobStore(root.resolve("hosted"), clock, (d, s) -> { });
        metadata = new FsHostedMetadataStore(root.resolve("hosted"), blobs, clock);
        uploads = new FsUploadStore(root.resolve("uploads"), blobs, clock);
        cache = new ManifestCache(16 << 20, metrics);
        stores = new HostedStores(blobs, metadata, uploads, cache, disk, vertx, clock, tagChanges, events::add);
    }

    HostedRepository repository(String name, boolean immutableTags) {
        return new HostedRepository(name, immutableTags, stores, metrics.repository(name));
    }

    Context context() {
        return vertx.getOrCreateContext();
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Pushes a blob in one upload: start, then commit with the whole body. */
    Digest pushBlob(HostedRepository repository, String image, byte[] bytes) throws Exception {
        ImageName name = new ImageName(image);
        Digest digest = Digest.sha256(bytes);
        BlobUploads up = repository.uploads();
        BlobUploads.Session session = Await.result(up.start(name));
        Await.result(up.commit(name, session.id(), digest, new BlobUploads.Chunk(BufferStream.of(context(), bytes),
                null, bytes.length)));
        return digest;
    }

    /** An OCI image manifest over a config and layers already pushed, as JSON bytes. */
    static byte[] manifest(byte[] config, List<byte[]> layers, String extraJson) {
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.set("config", descriptor("application/vnd.oci.image.config.v1+json", config));
        ArrayNode ls = m.putArray("layers");
        layers.forEach(l -> ls.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", l)));
        String json = m.toString();
        if (extraJson != null) {
            json = json.substring(0, json.length() - 1) + "," + extraJson + "}";
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static ObjectNode descriptor(String mediaType, byte[] content) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", Digest.sha256(content).toString());
        d.put("size", content.length);
        return d;
    }

    static String descriptorJson(String mediaType, byte[] content) {
        return descriptor(mediaType, content).toString();
    }

    /** Pushes config and layers (random, from {@code seed}), then the manifest under {@code tag} (null: by digest). */
    Image pushImage(HostedRepository repository, String image, String tag, long seed, String extraJson) throws Exception {
        byte[] config = ("{\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(2000 + (int) seed, seed);
        pushBlob(repository, image, config);
        pushBlob(repository, image, layer);
        byte[] manifest = manifest(config, List.of(layer), extraJson);
        Reference ref = tag == null ? new Reference.ByDigest(Digest.sha256(manifest)) : new Reference.Tag(tag);
        Pushed pushed = Await.result(repository.manifests().put(new ImageName(image), ref, MediaTypes.OCI_MANIFEST,
                manifest));
        return new Image(pushed.digest(), manifest, Digest.sha256(config), Digest.sha256(layer));
    }

    record Image(Digest digest, byte[] manifest, Digest config, Digest layer) {
    }

    @Override
    public void close() throws Exception {
        Await.result(vertx.close());
        disk.shutdownNow();
    }
}
