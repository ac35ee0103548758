package dev.entrepot.e2e.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small image held in memory for pushes to hosted repositories: a unique config, layers of random bytes, and the
 * OCI manifest over them. Pushed with {@link PushClient}, checked byte-exact with {@link OciClient}.
 */
public record HostedImage(Blob config, List<Blob> layers, byte[] manifest, String digest) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One blob and how a descriptor names it. */
    public record Blob(String mediaType, byte[] bytes, String digest) {
        public static Blob of(String mediaType, byte[] bytes) {
            return new Blob(mediaType, bytes, Digests.sha256(bytes));
        }

        /** Random (incompressible) bytes as a gzip'd layer; the store does not look inside. */
        public static Blob randomLayer(int size) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(size);
            try {
                ImageGenerator.writeRandom(out, size, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return of(ImageGenerator.OCI_LAYER_GZIP, out.toByteArray());
        }

        public long size() {
            return bytes.length;
        }

        public Map<String, Object> descriptor() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", mediaType);
            d.put("digest", digest);
            d.put("size", bytes.length);
            return d;
        }
    }

    /** An image with a fresh config (so a fresh manifest digest) and one random layer per size. */
    public static HostedImage random(String label, int... layerSizes) {
        List<Blob> layers = new ArrayList<>();
        for (int size : layerSizes) {
            layers.add(Blob.randomLayer(size));
        }
        return of(label, layers);
    }

    /** An image over given layers (shared with other images, say) with a fresh config. */
    public static HostedImage of(String label, List<Blob> layers) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", Map.of("Labels", Map.of("dev.entrepot.e2e.image", label, "nonce", UUID.randomUUID().toString())));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", layers.stream().map(Blob::digest).toList()));
        Blob configBlob = Blob.of(ImageGenerator.OCI_CONFIG, bytes(config));
        return of(configBlob, layers, Map.of());
    }

    /** The manifest over {@code config} and {@code layers}, plus extra top-level fields (subject, annotations...). */
    public static HostedImage of(Blob config, List<Blob> layers, Map<String, Object> extra) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", ImageGenerator.OCI_MANIFEST);
        manifest.put("config", config.descriptor());
        manifest.put("layers", layers.stream().map(Blob::descriptor).toList());
        manifest.putAll(extra);
        byte[] bytes = bytes(manifest);
        return new HostedImage(config, List.copyOf(layers), bytes, Digests.sha256(bytes));
    }

    /** This manifest as a descriptor (for a subject or an index). */
    public Map<String, Object> descriptor() {
        return Map.of("mediaType", ImageGenerator.OCI_MANIFEST, "digest", digest, "size", manifest.length);
    }

    public List<Blob> blobs() {
        List<Blob> all = new ArrayList<>();
        all.add(config);
        all.addAll(layers);
        return all;
    }

    /** Config then layers, each uploaded (POST + PUT), then the manifest by {@code reference} (a tag, or null: by digest). */
    public HostedImage push(PushClient client, String name, String reference) {
        for (Blob blob : blobs()) {
            client.pushBlob(name, blob.bytes());
        }
        pushManifest(client, name, reference);
        return this;
    }

    /** Only the manifest; fails unless 201 with the right digest. */
    public void pushManifest(PushClient client, String name, String reference) {
        OciClient.Response response = client.putManifest(name, reference == null ? digest : reference,
                ImageGenerator.OCI_MANIFEST, manifest);
        assertThat(response.status()).as("PUT manifest %s:%s: %s", name, reference, response).isEqualTo(201);
        assertThat(response.header("Docker-Content-Digest")).isEqualTo(digest);
    }

    /** Manifest (by digest, and by {@code tag} when not null) and every blob come back byte-exact. */
    public void assertPullable(OciClient client, String name, String tag) {
        OciClient.Response byDigest = client.manifest(name, digest);
        assertThat(byDigest.status()).as("manifest %s@%s: %s", name, digest, byDigest).isEqualTo(200);
        assertThat(byDigest.body()).as("manifest %s@%s bytes", name, digest).isEqualTo(manifest);
        if (tag != null) {
            OciClient.Response byTag = client.manifest(name, tag);
            assertThat(byTag.status()).as("manifest %s:%s: %s", name, tag, byTag).isEqualTo(200);
            assertThat(byTag.body()).isEqualTo(manifest);
        }
        for (Blob blob : blobs()) {
            OciClient.Download download = client.blob(name, blob.digest(), Duration.ofSeconds(60));
            assertThat(download.complete(blob.digest())).as("blob %s of %s: %s", blob.digest(), name, download).isTrue();
            assertThat(download.bytes()).isEqualTo(blob.size());
        }
    }

    public static byte[] bytes(Object json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
