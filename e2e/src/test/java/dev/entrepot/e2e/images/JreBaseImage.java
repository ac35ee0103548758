package dev.entrepot.e2e.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.DockerRegistry;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.Skopeo;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A small JRE base image made from Debian packages only: {@code mmdebstrap} writes a minimal bookworm
 * rootfs (essential packages and {@code openjdk-17-jre-headless}, no docs, man pages or locales) as a
 * tarball, which becomes the one gzip'd layer of an OCI image layout, and {@code skopeo copy} pushes it.
 * The rootfs is kept in {@code cacheDir} keyed by the mmdebstrap command, so only the first run of a
 * work tree downloads packages (mvn clean forgets it).
 */
final class JreBaseImage {
    private static final Duration MMDEBSTRAP_TIMEOUT = Duration.ofMinutes(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private JreBaseImage() {
    }

    /** Builds (or reuses) the rootfs and pushes the image as {@code nameAndTag}; returns its registry reference. */
    static String buildAndPush(Path dir, Path cacheDir, DockerRegistry registry, String nameAndTag) {
        try {
            Files.createDirectories(dir);
            Path rootfs = rootfs(dir, cacheDir);
            Path layout = dir.resolve("layout");
            writeLayout(rootfs, layout, "jre");
            Skopeo.copyOk("oci:" + layout + ":jre", registry.ref(nameAndTag));
            return registry.hostPort() + "/" + nameAndTag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> mmdebstrap(Path target) {
        List<String> command = new ArrayList<>(List.of("mmdebstrap", "--variant=essential", "--format=tar",
                "--include=openjdk-17-jre-headless",
                // mirrors that serve a frozen snapshot have Release files past their Valid-Until
                "--aptopt=Acquire::Check-Valid-Until \"false\"",
                "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-include=/usr/share/doc/*/copyright",
                "--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/locale/*",
                // update-alternatives links java.1.gz there even when man pages are excluded
                "--essential-hook=mkdir -p \"$1/usr/share/man/man1\"",
                // mmdebstrap copies the build machine's resolver and host name in; an image carries neither
                "--customize-hook=rm -f \"$1/etc/resolv.conf\" \"$1/etc/hostname\"",
                "bookworm", target.toString()));
        // Default: mmdebstrap's own (the Debian mirror, with updates and security for a stable suite).
        String mirror = System.getProperty("entrepot.e2e.debianMirror", "");
        if (!mirror.isBlank()) {
            command.add(mirror);
        }
        return command;
    }

    private static Path rootfs(Path dir, Path cacheDir) throws IOException {
        String key = Digests.sha256(String.join("\n", mmdebstrap(Path.of("rootfs.tar")))
                .getBytes(StandardCharsets.UTF_8)).substring("sha256:".length(), "sha256:".length() + 16);
        Path cached = cacheDir.resolve("jre17-" + key + ".tar");
        if (Files.isRegularFile(cached)) {
            Files.writeString(dir.resolve("mmdebstrap.log"), "reused " + cached + "\n");
            return cached;
        }
        Files.createDirectories(cacheDir);
        Path partial = cacheDir.resolve("jre17-" + key + ".partial.tar");
        Exec.Result result = Exec.run(MMDEBSTRAP_TIMEOUT, mmdebstrap(partial));
        Files.writeString(dir.resolve("mmdebstrap.log"), result.stdout() + result.stderr());
        result.requireOk();
        Files.move(partial, cached, StandardCopyOption.ATOMIC_MOVE);
        return cached;
    }

    /** The rootfs tarball as the single layer of an amd64 image whose config puts the usual PATH in place. */
    private static void writeLayout(Path rootfs, Path layout, String tag) throws IOException {
        Path blobs = layout.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        Path tmp = blobs.resolve("layer.tmp");
        MessageDigest blobDigest = Digests.newSha256();
        MessageDigest diffDigest = Digests.newSha256();
        try (InputStream in = Files.newInputStream(rootfs);
             OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
             DigestOutputStream blob = new DigestOutputStream(file, blobDigest);
             GZIPOutputStream gzip = new FastGzip(blob);
             DigestOutputStream tar = new DigestOutputStream(gzip, diffDigest)) {
            in.transferTo(tar);
        }
        String layerDigest = Digests.hex(blobDigest);
        long layerSize = Files.size(tmp);
        Files.move(tmp, blobs.resolve(layerDigest.substring("sha256:".length())), StandardCopyOption.REPLACE_EXISTING);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", Map.of("Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(Digests.hex(diffDigest))));
        config.put("history", List.of(Map.of("created_by", "mmdebstrap bookworm + openjdk-17-jre-headless (e2e)")));
        Map<String, Object> configDescriptor = writeJson(blobs, ImageGenerator.OCI_CONFIG, config);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", ImageGenerator.OCI_MANIFEST);
        manifest.put("config", configDescriptor);
        manifest.put("layers", List.of(Map.of("mediaType", ImageGenerator.OCI_LAYER_GZIP, "digest", layerDigest,
                "size", layerSize)));
        Map<String, Object> manifestDescriptor = new LinkedHashMap<>(writeJson(blobs, ImageGenerator.OCI_MANIFEST, manifest));
        manifestDescriptor.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));

        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(
                Map.of("schemaVersion", 2, "manifests", List.of(manifestDescriptor))));
    }

    private static Map<String, Object> writeJson(Path blobs, String mediaType, Object value) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(value);
        String digest = Digests.sha256(bytes);
        Files.write(blobs.resolve(digest.substring("sha256:".length())), bytes);
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", digest);
        descriptor.put("size", bytes.length);
        return descriptor;
    }

    /** Level 1: the layer is ~340 MB of tar and only crosses the loopback. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
