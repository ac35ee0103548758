package dev.entrepot.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What {@code skopeo copy} wrote to disk: a {@code dir:} directory ({@code manifest.json}, {@code <hex>.manifest.json}
 * per child of an index with {@code --all}, {@code <hex>} per blob) or an OCI image layout ({@code index.json},
 * {@code blobs/sha256/<hex>}, manifests included). Every file is checked against the digest its name claims.
 */
public final class ImageCopy {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final boolean ociLayout;

    private ImageCopy(Path dir, boolean ociLayout) {
        this.dir = dir;
        this.ociLayout = ociLayout;
    }

    /** skopeo destination {@code dir:<dir>}. */
    public static ImageCopy dir(Path dir) {
        return new ImageCopy(dir, false);
    }

    /** skopeo destination {@code oci:<dir>:<tag>}; the layout must hold that one tag only. */
    public static ImageCopy ociLayout(Path dir) {
        return new ImageCopy(dir, true);
    }

    public String dirRef() {
        return "dir:" + dir;
    }

    public String ociRef(String tag) {
        return "oci:" + dir + ":" + tag;
    }

    /** Bytes of the manifest (or index) the copy was made from. */
    public byte[] manifest() {
        try {
            if (!ociLayout) {
                return Files.readAllBytes(dir.resolve("manifest.json"));
            }
            JsonNode refs = JSON.readTree(dir.resolve("index.json").toFile()).path("manifests");
            if (refs.size() != 1) {
                throw new AssertionError("expected one manifest in " + dir.resolve("index.json") + ": " + refs);
            }
            return manifest(refs.get(0).path("digest").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes of a manifest by digest (a child of an index copied with {@code --all}). */
    public byte[] manifest(String digest) {
        String hex = digest.substring("sha256:".length());
        try {
            return Files.readAllBytes(ociLayout ? dir.resolve("blobs/sha256").resolve(hex) : dir.resolve(hex + ".manifest.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Digests of everything copied: manifests, configs and layers. Throws when a file's bytes do not hash to the
     * digest its name claims (a torn or altered copy).
     */
    public Set<String> digests() {
        Set<String> digests = new TreeSet<>();
        Path blobs = ociLayout ? dir.resolve("blobs/sha256") : dir;
        try (Stream<Path> files = Files.list(blobs)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.equals("manifest.json")) {
                    digests.add(Digests.sha256(file));
                    continue;
                }
                String hex = name.endsWith(".manifest.json") ? name.substring(0, name.length() - ".manifest.json".length()) : name;
                if (!hex.matches("[0-9a-f]{64}")) {
                    continue; // dir:'s version file
                }
                String actual = Digests.sha256(file);
                if (!actual.equals("sha256:" + hex)) {
                    throw new AssertionError(file + " holds " + actual);
                }
                digests.add(actual);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digests;
    }
}
