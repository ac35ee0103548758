package dev.entrepot.proxy.hosted;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestCheckTest {
    private static final String D1 = Digest.sha256(new byte[] {1}).toString();
    private static final String D2 = Digest.sha256(new byte[] {2}).toString();
    private static final String CONFIG = "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
            + D1 + "\",\"size\":1}";
    private static final String LAYER = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
            + D2 + "\",\"size\":1,\"newUnspecifiedField\":null}";

    private static ParsedManifest parse(String json, String contentType) {
        return ManifestCheck.parse(json.getBytes(StandardCharsets.UTF_8), contentType);
    }

    private static OciException refused(String json, String contentType) {
        OciException e = catchThrowableOfType(OciException.class, () -> parse(json, contentType));
        assertThat(e).as("expected a refusal of %s", json).isNotNull();
        return e;
    }

    @Test
    void anImageManifestNamesItsBlobs() {
        ParsedManifest m = parse("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + CONFIG + ",\"layers\":[" + LAYER + "]}", MediaTypes.OCI_MANIFEST + "; charset=utf-8");

        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.blobs()).extracting(d -> d.digest().toString()).containsExactly(D1, D2);
        assertThat(m.children()).isEmpty();
        assertThat(m.artifactType()).as("config media type stands in").isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(m.isIndex()).isFalse();
    }

    @Test
    void withoutAMediaTypeFieldTheHeaderSaysWhatItIs() {
        ParsedManifest m = parse("{\"schemaVersion\":2,\"config\":" + CONFIG + ",\"layers\":[]}", MediaTypes.OCI_MANIFEST);

        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.blobs()).hasSize(1);
    }

    @Test
    void withNeitherItIsInferredFromTheShape() {
        assertThat(parse("{\"schemaVersion\":2,\"manifests\":[]}", null).mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(parse("{\"schemaVersion\":2,\"config\":" + CONFIG + "}", "application/json").mediaType())
                .isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void anIndexListsManifestsAndMayCarryArtifactTypeAndSubject() {
        ParsedManifest m = parse("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"artifactType\":"
                + "\"application/vnd.food.stand\",\"manifests\":[" + CONFIG + "],\"subject\":" + LAYER
                + ",\"annotations\":{\"a\":\"b\"}}", MediaTypes.OCI_INDEX);

        assertThat(m.isIndex()).isTrue();
        assertThat(m.children()).extracting(d -> d.digest().toString()).containsExactly(D1);
        assertThat(m.subject().digest().toString()).isEqualTo(D2);
        assertThat(m.artifactType()).isEqualTo("application/vnd.food.stand");
        assertThat(m.annotations().toString()).isEqualTo("{\"a\":\"b\"}");
        assertThat(m.references()).extracting(Digest::toString).containsExactly(D1);
    }

    @Test
    void headerAndBodyMustAgree() {
        OciException e = refused("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}",
                MediaTypes.DOCKER_MANIFEST);

        assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_INVALID);
        assertThat(e.getMessage()).contains(MediaTypes.DOCKER_MANIFEST).contains(MediaTypes.OCI_INDEX);
    }

    @Test
    void foreignLayersWithUrlsAreNotExpectedInTheStore() {
        ParsedManifest m = parse("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":"
                + CONFIG + ",\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\","
                + "\"digest\":\"" + D2 + "\",\"size\":5,\"urls\":[\"https://example.com/l\"]}]}", null);

        assertThat(m.blobs().get(1).external()).isTrue();
        assertThat(m.blobs().get(0).external()).isFalse();
    }

    @Test
    void badManifestsAreManifestInvalid() {
        String config = "\"config\":" + CONFIG;
        for (String bad : new String[] {
                "not json",
                "[]",
                "{\"schemaVersion\":1," + config + "}",
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\"," + config + "}",
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:nothex\",\"size\":1}}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + D1 + "\",\"size\":-1}}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" + D1 + "\",\"size\":\"1\"}}",
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D1 + "\",\"size\":1}}",
                "{\"schemaVersion\":2," + config + ",\"layers\":{}}",
                "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":{}}",
                "{\"schemaVersion\":2,\"schemaVersion\":2," + config + "}",
                "{\"schemaVersion\":2," + config + ",\"artifactType\":\"\"}"}) {
            assertThat(refused(bad, null).code()).as(bad).isEqualTo(OciErrorCode.MANIFEST_INVALID);
        }
    }

    @Test
    void overFourMebibytesIs413() {
        String padding = "x".repeat(ManifestCheck.MAX_BYTES);
        OciException e = refused("{\"schemaVersion\":2,\"config\":" + CONFIG + ",\"annotations\":{\"p\":\"" + padding
                + "\"}}", null);

        assertThat(e.status()).isEqualTo(413);
    }
}
