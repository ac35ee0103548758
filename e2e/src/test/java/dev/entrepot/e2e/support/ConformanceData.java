package dev.entrepot.e2e.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The test data of the OCI distribution-spec v1.1.1 conformance suite ({@code conformance/setup.go}), rebuilt with
 * the same shapes: tab-indented JSON; the config descriptor carrying {@code data} (the config, base64) and
 * {@code "newUnspecifiedField": "aGVsbG8gd29ybGQ="}; every other descriptor {@code "newUnspecifiedField": null}; an
 * empty-layer manifest without {@code mediaType}; referrer artifacts with the artifact type either in
 * {@code config.mediaType} or in {@code artifactType}, each with exactly one annotation (but C, whose subject is never
 * pushed); an index artifact. One instance per suite run: configs carry a random author, blobs A and B are random.
 */
public final class ConformanceData {
    public static final String MANIFEST = ImageGenerator.OCI_MANIFEST;
    public static final String INDEX = ImageGenerator.OCI_INDEX;
    public static final String EMPTY_JSON_TYPE = "application/vnd.oci.empty.v1+json";
    public static final String EMPTY_JSON_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    public static final String ARTIFACT_TYPE_A = "application/vnd.nhl.peanut.butter.bagel";
    public static final String ARTIFACT_TYPE_B = "application/vnd.nba.strawberry.jam.croissant";
    public static final String ARTIFACT_TYPE_INDEX = "application/vnd.food.stand";
    public static final String ANNOTATION = "org.opencontainers.conformance.test";
    /** Never a valid tag: the suite expects 404 (not 400) for it on HEAD/GET. */
    public static final String NONEXISTENT_MANIFEST = ".INVALID_MANIFEST_NAME";
    public static final String DUMMY_DIGEST = Digests.sha256("hello world".getBytes(StandardCharsets.UTF_8));

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectWriter GO_INDENT = new ObjectMapper().writer(new DefaultPrettyPrinter(
            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("\t", "\n"))
            .withArrayIndenter(new DefaultIndenter("\t", "\n")));

    /** Content and digest, as the suite's {@code TestBlob}. */
    public record TestBlob(byte[] content, String digest) {
        static TestBlob of(byte[] content) {
            return new TestBlob(content, Digests.sha256(content));
        }

        public String length() {
            return Integer.toString(content.length);
        }
    }

    public final List<TestBlob> configs = new ArrayList<>();
    public final List<TestBlob> manifests = new ArrayList<>();
    public final TestBlob layer = TestBlob.of(smallTarGz());
    public final TestBlob emptyLayerManifest;
    public final TestBlob blobA = TestBlob.of(random(42));
    public final TestBlob blobB = TestBlob.of(random(42));
    public final byte[] blobBChunk1 = Arrays.copyOfRange(blobB.content(), 0, 22);
    public final byte[] blobBChunk2 = Arrays.copyOfRange(blobB.content(), 22, 42);
    /** No {@code bytes } prefix: the spec's {@code ^[0-9]+-[0-9]+$}. */
    public final String blobBChunk1Range = "0-21";
    public final String blobBChunk2Range = "22-41";
    public final TestBlob emptyJson = TestBlob.of("{}".getBytes(StandardCharsets.UTF_8));
    public final TestBlob refBlobA = TestBlob.of("NHL Peanut Butter on my NHL bagel".getBytes(StandardCharsets.UTF_8));
    public final TestBlob refBlobB = TestBlob.of("NBA Strawberry Jam on my NBA croissant".getBytes(StandardCharsets.UTF_8));
    public final TestBlob refsAConfig;
    public final TestBlob refsBConfig;
    public final TestBlob refsALayer;
    public final TestBlob refsBLayer;
    public final TestBlob refsCLayer;
    public final TestBlob refsIndex;
    /** Referrer digest → the value of its one annotation. */
    public final Map<String, String> annotationValues = new LinkedHashMap<>();

    public ConformanceData() {
        for (int i = 0; i < 5; i++) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("author", randomString(16));
            config.put("architecture", "amd64");
            config.put("os", "linux");
            config.put("rootfs", map("type", "layers", "diff_ids", List.of()));
            configs.add(TestBlob.of(goJson(config)));
        }
        for (int i = 0; i < 5; i++) {
            manifests.add(TestBlob.of(goJson(imageManifest(MANIFEST, configDescriptor(configs.get(i))))));
        }
        emptyLayerManifest = TestBlob.of(goJson(map("schemaVersion", 2, "config", configDescriptor(configs.get(1)),
                "layers", List.of())));

        Map<String, Object> subject4 = descriptor(MANIFEST, manifests.get(4).digest(), manifests.get(4).content().length);
        Map<String, Object> subject3 = descriptor(MANIFEST, manifests.get(3).digest(), manifests.get(3).content().length);
        Map<String, Object> emptyDescriptor = descriptor(EMPTY_JSON_TYPE, emptyJson.digest(), 2);
        refsAConfig = referrer(null, descriptor(ARTIFACT_TYPE_A, refBlobA), List.of(emptyDescriptor), subject4, "test config a");
        refsBConfig = referrer(null, descriptor(ARTIFACT_TYPE_B, refBlobB), List.of(emptyDescriptor), subject4, "test config b");
        refsALayer = referrer(ARTIFACT_TYPE_A, emptyDescriptor, List.of(descriptor(ARTIFACT_TYPE_A, refBlobA)), subject4,
                "test layer a");
        refsBLayer = referrer(ARTIFACT_TYPE_B, emptyDescriptor, List.of(descriptor(ARTIFACT_TYPE_B, refBlobB)), subject4,
                "test layer b");
        refsCLayer = referrer(ARTIFACT_TYPE_B, emptyDescriptor, List.of(descriptor(ARTIFACT_TYPE_B, refBlobB)), subject3, null);

        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX);
        index.put("artifactType", ARTIFACT_TYPE_INDEX);
        index.put("manifests", List.of(descriptor(MANIFEST, refsAConfig), descriptor(MANIFEST, refsALayer)));
        index.put("subject", subject4);
        index.put("annotations", Map.of(ANNOTATION, "test index"));
        refsIndex = TestBlob.of(goJson(index));
        annotationValues.put(refsIndex.digest(), "test index");
    }

    private TestBlob referrer(String artifactType, Map<String, Object> config, List<Map<String, Object>> layers,
                              Map<String, Object> subject, String annotation) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        if (artifactType != null) {
            manifest.put("artifactType", artifactType);
        }
        manifest.put("config", config);
        manifest.put("layers", layers);
        manifest.put("subject", subject);
        if (annotation != null) {
            manifest.put("annotations", Map.of(ANNOTATION, annotation));
        }
        TestBlob blob = TestBlob.of(goJson(manifest));
        if (annotation != null) {
            annotationValues.put(blob.digest(), annotation);
        }
        return blob;
    }

    private Map<String, Object> imageManifest(String mediaType, Map<String, Object> config) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", mediaType);
        manifest.put("config", config);
        manifest.put("layers", List.of(descriptor(ImageGenerator.OCI_LAYER_GZIP, layer)));
        return manifest;
    }

    /** The config descriptor carries the config itself ({@code data}) and an unknown field with a value. */
    private static Map<String, Object> configDescriptor(TestBlob config) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", ImageGenerator.OCI_CONFIG);
        d.put("digest", config.digest());
        d.put("size", config.content().length);
        d.put("data", Base64.getEncoder().encodeToString(config.content()));
        d.put("newUnspecifiedField", Base64.getEncoder().encodeToString("hello world".getBytes(StandardCharsets.UTF_8)));
        return d;
    }

    private static Map<String, Object> descriptor(String mediaType, TestBlob blob) {
        return descriptor(mediaType, blob.digest(), blob.content().length);
    }

    /** Every other descriptor: {@code "newUnspecifiedField": null} (Go's nil []byte without omitempty). */
    private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        d.put("newUnspecifiedField", null);
        return d;
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static byte[] goJson(Object value) {
        try {
            return GO_INDENT.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String randomString(int n) {
        String letters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-";
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(letters.charAt(RANDOM.nextInt(letters.length())));
        }
        return s.toString();
    }

    /** A small, fixed gzip'd tar: one text file, as the suite's layer. */
    private static byte[] smallTarGz() {
        byte[] text = "an e2e layer for the conformance workflows\n".getBytes(StandardCharsets.US_ASCII);
        byte[] tar = new byte[512 + 512 + 1024];
        byte[] name = "test.txt".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, tar, 0, name.length);
        putOctal(tar, 100, 0644, 7);
        putOctal(tar, 108, 0, 7);
        putOctal(tar, 116, 0, 7);
        putOctal(tar, 124, text.length, 11);
        putOctal(tar, 136, 1704067200L, 11);
        Arrays.fill(tar, 148, 156, (byte) ' ');
        tar[156] = '0';
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 8);
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        putOctal(tar, 148, sum, 6);
        tar[155] = ' ';
        System.arraycopy(text, 0, tar, 512, text.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void putOctal(byte[] header, int offset, long value, int digits) {
        String s = Long.toOctalString(value);
        s = "0".repeat(digits - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, header, offset, digits);
    }
}
