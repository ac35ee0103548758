package dev.entrepot.e2e.support;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes test images into an OCI image layout directory ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/*}) that {@code skopeo copy oci:DIR:TAG ...} pushes to a registry.
 *
 * <p>Layers are real tar archives (gzip'd or not) holding one file of random bytes, so containerd
 * can unpack them; the config carries correct {@code rootfs.diff_ids} and a {@code history}
 * array (distribution's proxy mode needs it for its schema1 fallback). Content streams to disk,
 * so a 1 GiB layer never sits in memory.
 */
public final class ImageGenerator {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    /** What a client that understands every modern manifest type sends. */
    public static final String ACCEPT_ALL_MANIFESTS =
            String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Descriptor(String mediaType, String digest, long size) {
        public String hex() {
            return digest.substring("sha256:".length());
        }
    }

    /** @param fileSha256 sha256 of the one file inside the layer, null when not computed (big layers) */
    public record Layer(Descriptor descriptor, String diffId, String fileName, long fileSize, String fileSha256) {
    }

    public record Image(Descriptor manifest, Descriptor config, List<Layer> layers, String architecture) {
    }

    public record Index(Descriptor descriptor, List<Image> images) {
    }

    private final Path layout;
    private final List<Map<String, Object>> refs = new ArrayList<>();

    private ImageGenerator(Path layout) {
        this.layout = layout;
    }

    public static ImageGenerator create(Path layout) {
        try {
            Files.createDirectories(layout.resolve("blobs/sha256"));
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            ImageGenerator generator = new ImageGenerator(layout);
            generator.writeIndexJson();
            return generator;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path layout() {
        return layout;
    }

    /** skopeo transport reference for a tag of this layout. */
    public String ociRef(String tag) {
        return "oci:" + layout + ":" + tag;
    }

    public Path blobPath(String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    /** A linux image for {@code arch} with one gzip'd layer per entry of {@code fileSizes}. */
    public Image image(String name, String arch, long... fileSizes) {
        return image(name, arch, true, fileSizes);
    }

    public Image image(String name, String arch, boolean gzip, long... fileSizes) {
        try {
            List<Layer> layers = new ArrayList<>();
            for (int i = 0; i < fileSizes.length; i++) {
                layers.add(writeLayer(name + "-" + arch + "-" + i + ".bin", fileSizes[i], gzip));
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("created", "2024-01-01T00:00:00Z");
            config.put("architecture", arch);
            config.put("os", "linux");
            config.put("config", Map.of(
                    "Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                    "Labels", Map.of("dev.entrepot.e2e.image", name)));
            config.put("rootfs", Map.of("type", "layers", "diff_ids", layers.stream().map(Layer::diffId).toList()));
            List<Map<String, Object>> history = new ArrayList<>();
            for (Layer layer : layers) {
                history.add(Map.of("created", "2024-01-01T00:00:00Z", "created_by", "e2e: add /e2e/" + layer.fileName()));
            }
            config.put("history", history);
            Descriptor configDescriptor = writeJsonBlob(OCI_CONFIG, config);

            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", OCI_MANIFEST);
            manifest.put("config", descriptorJson(configDescriptor, null));
            manifest.put("layers", layers.stream().map(l -> descriptorJson(l.descriptor(), null)).toList());
            Descriptor manifestDescriptor = writeJsonBlob(OCI_MANIFEST, manifest);
            return new Image(manifestDescriptor, configDescriptor, layers, arch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An OCI image index over images of different architectures. */
    public Index index(Image... images) {
        try {
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("schemaVersion", 2);
            index.put("mediaType", OCI_INDEX);
            index.put("manifests", List.of(images).stream()
                    .map(image -> descriptorJson(image.manifest(), Map.of("architecture", image.architecture(), "os", "linux")))
                    .toList());
            return new Index(writeJsonBlob(OCI_INDEX, index), List.of(images));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes {@code descriptor} available as {@code oci:LAYOUT:tag}. */
    public synchronized void tag(String tag, Descriptor descriptor) {
        Map<String, Object> ref = descriptorJson(descriptor, null);
        ref.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
        refs.removeIf(r -> tag.equals(((Map<?, ?>) r.get("annotations")).get("org.opencontainers.image.ref.name")));
        refs.add(ref);
        try {
            writeIndexJson();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeIndexJson() throws IOException {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("manifests", refs);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    private static Map<String, Object> descriptorJson(Descriptor descriptor, Map<String, Object> platform) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mediaType", descriptor.mediaType());
        json.put("digest", descriptor.digest());
        json.put("size", descriptor.size());
        if (platform != null) {
            json.put("platform", platform);
        }
        return json;
    }

    private Descriptor writeJsonBlob(String mediaType, Object value) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(value);
        String digest = Digests.sha256(bytes);
        Files.write(blobPath(digest), bytes);
        return new Descriptor(mediaType, digest, bytes.length);
    }

    private Layer writeLayer(String fileName, long fileSize, boolean gzip) throws IOException {
        Path tmp = Files.createTempFile(layout.resolve("blobs/sha256"), "layer", ".tmp");
        MessageDigest blobDigest = Digests.newSha256();
        MessageDigest diffDigest = gzip ? Digests.newSha256() : blobDigest;
        MessageDigest fileDigest = fileSize <= 64L << 20 ? Digests.newSha256() : null;
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
             DigestOutputStream blobOut = new DigestOutputStream(file, blobDigest)) {
            OutputStream compressed = gzip ? new FastGzipOutputStream(blobOut) : blobOut;
            OutputStream tar = gzip ? new DigestOutputStream(compressed, diffDigest) : compressed;
            tar.write(tarHeader("e2e/", 0, '5', 0755));
            tar.write(tarHeader("e2e/" + fileName, fileSize, '0', 0644));
            writeRandom(tar, fileSize, fileDigest);
            int pad = (int) ((512 - fileSize % 512) % 512);
            tar.write(new byte[pad + 1024]);
            tar.flush();
            if (gzip) {
                ((GZIPOutputStream) compressed).finish();
            }
        }
        String digest = Digests.hex(blobDigest);
        Files.move(tmp, layout.resolve("blobs/sha256").resolve(digest.substring(7)), StandardCopyOption.REPLACE_EXISTING);
        String diffId = gzip ? Digests.hex(diffDigest) : digest;
        return new Layer(new Descriptor(gzip ? OCI_LAYER_GZIP : OCI_LAYER_TAR, digest, Files.size(blobPath(digest))),
                diffId, fileName, fileSize, fileDigest == null ? null : Digests.hex(fileDigest));
    }

    /** Incompressible bytes from a fast PRNG, streamed in 64 KiB chunks. */
    public static void writeRandom(OutputStream out, long size, MessageDigest alsoDigest) throws IOException {
        SplittableRandom random = new SplittableRandom(ThreadLocalRandom.current().nextLong());
        byte[] buffer = new byte[1 << 16];
        long remaining = size;
        while (remaining > 0) {
            for (int i = 0; i < buffer.length; i += 8) {
                LONGS.set(buffer, i, random.nextLong());
            }
            int n = (int) Math.min(buffer.length, remaining);
            out.write(buffer, 0, n);
            if (alsoDigest != null) {
                alsoDigest.update(buffer, 0, n);
            }
            remaining -= n;
        }
    }

    private static byte[] tarHeader(String name, long size, char type, int mode) {
        byte[] header = new byte[512];
        put(header, 0, name, 100);
        put(header, 100, octal(mode, 7), 8);
        put(header, 108, octal(0, 7), 8);
        put(header, 116, octal(0, 7), 8);
        put(header, 124, octal(size, 11), 12);
        put(header, 136, octal(1704067200L, 11), 12);
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        header[156] = (byte) type;
        put(header, 257, "ustar", 6);
        put(header, 263, "00", 2);
        put(header, 265, "root", 32);
        put(header, 297, "root", 32);
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, octal(sum, 6), 7);
        header[155] = ' ';
        return header;
    }

    private static String octal(long value, int digits) {
        String s = Long.toOctalString(value);
        if (s.length() > digits) {
            throw new IllegalArgumentException("too large for a tar header: " + value);
        }
        return "0".repeat(digits - s.length()) + s;
    }

    private static void put(byte[] header, int offset, String value, int field) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > field) {
            throw new IllegalArgumentException("tar field too long: " + value);
        }
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    /** Random data does not compress; the fastest level keeps generation quick. */
    private static final class FastGzipOutputStream extends GZIPOutputStream {
        FastGzipOutputStream(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
