package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.upstream.UpstreamClient.Manifest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestBytesTest {
    private static final byte[] DOCKER = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST
            + "\",\"config\":{},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] OCI_NO_TYPE = "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] INDEX_NO_TYPE = "{\"schemaVersion\":2,\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
    private static final Reference LATEST = new Reference.Tag("latest");

    private static OciException failure(Manifest fetched, Reference reference) {
        OciException e = catchThrowableOfType(() -> ManifestBytes.verify(fetched, reference), OciException.class);
        assertThat(e).as("expected an OciException").isNotNull();
        return e;
    }

    private static Digest sha512(byte[] bytes) throws Exception {
        return new Digest("sha512", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes)));
    }

    // ---- digest verification ----

    @Test
    void byDigestTheBytesMustHashToTheReference() {
        Digest digest = Digest.sha256(DOCKER);

        ManifestContent content = ManifestBytes.verify(new Manifest(DOCKER, MediaTypes.DOCKER_MANIFEST, null),
                new Reference.ByDigest(digest));

        assertThat(content.digest()).isEqualTo(digest);
        assertThat(content.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(content.bytes()).isEqualTo(DOCKER);
    }

    @Test
    void byDigestOtherBytesAreABadUpstream() {
        Reference wanted = new Reference.ByDigest(Digest.sha256(OCI_NO_TYPE));

        OciException e = failure(new Manifest(DOCKER, MediaTypes.DOCKER_MANIFEST, null), wanted);

        assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.getMessage()).contains(wanted.toString());
    }

    @Test
    void byDigestTheReferenceWinsOverAWrongHeader() {
        Digest digest = Digest.sha256(DOCKER);

        ManifestContent content = ManifestBytes.verify(new Manifest(DOCKER, MediaTypes.DOCKER_MANIFEST,
                Digest.sha256(OCI_NO_TYPE).toString()), new Reference.ByDigest(digest));

        assertThat(content.digest()).isEqualTo(digest);
    }

    @Test
    void bySha512Digest() throws Exception {
        Digest digest = sha512(DOCKER);

        assertThat(ManifestBytes.verify(new Manifest(DOCKER, null, null), new Reference.ByDigest(digest)).digest())
                .isEqualTo(digest);
        assertThat(failure(new Manifest(OCI_NO_TYPE, null, null), new Reference.ByDigest(digest)).code())
                .isEqualTo(OciErrorCode.DIGEST_INVALID);
    }

    @Test
    void byTagTheDockerContentDigestHeaderIsChecked() {
        Digest digest = Digest.sha256(DOCKER);

        ManifestContent content = ManifestBytes.verify(new Manifest(DOCKER, MediaTypes.DOCKER_MANIFEST,
                " " + digest + " "), LATEST);

        assertThat(content.digest()).isEqualTo(digest);
    }

    @Test
    void byTagAHeaderThatDoesNotMatchTheBytesIsABadUpstream() {
        OciException e = failure(new Manifest(DOCKER, MediaTypes.DOCKER_MANIFEST,
                Digest.sha256(OCI_NO_TYPE).toString()), LATEST);

        assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.headers()).isEmpty();
    }

    @Test
    void byTagASha512HeaderIsKept() throws Exception {
        Digest digest = sha512(DOCKER);

        assertThat(ManifestBytes.verify(new Manifest(DOCKER, null, digest.toString()), LATEST).digest())
                .isEqualTo(digest);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"garbage", "md5:0123", "sha256:NOTHEX", "sha256:abc"})
    void byTagWithoutAUsableHeaderTheSha256OfTheBytesIsTheDigest(String header) {
        ManifestContent content = ManifestBytes.verify(new Manifest(DOCKER, MediaTypes.DOCKER_MANIFEST, header), LATEST);

        assertThat(content.digest()).isEqualTo(Digest.sha256(DOCKER));
    }

    @Test
    void bytesAreKeptExactly() {
        byte[] spaced = "{ \"schemaVersion\" : 2,\n  \"manifests\": [] }\n".getBytes(StandardCharsets.UTF_8);

        ManifestContent content = ManifestBytes.verify(new Manifest(spaced, MediaTypes.OCI_INDEX, null), LATEST);

        assertThat(content.bytes()).isEqualTo(spaced);
        assertThat(content.digest()).isEqualTo(Digest.sha256(spaced));
    }

    // ---- media type ----

    @Test
    void aSpecificContentTypeIsKept() {
        assertThat(ManifestBytes.mediaType(MediaTypes.OCI_INDEX, OCI_NO_TYPE)).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(ManifestBytes.mediaType(MediaTypes.DOCKER_MANIFEST_LIST, DOCKER))
                .isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"application/json", "text/plain", "application/octet-stream", "  "})
    void aVagueContentTypeDefersToTheManifestsOwnMediaType(String header) {
        assertThat(ManifestBytes.mediaType(header, DOCKER)).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    }

    @Test
    void withoutAMediaTypeFieldAManifestsListIsAnIndex() {
        assertThat(ManifestBytes.mediaType("application/json", INDEX_NO_TYPE)).isEqualTo(MediaTypes.OCI_INDEX);
    }

    @Test
    void withoutAMediaTypeFieldAnImageManifestIsOci() {
        assertThat(ManifestBytes.mediaType(null, OCI_NO_TYPE)).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void verifySniffsTheMediaTypeToo() {
        ManifestContent content = ManifestBytes.verify(new Manifest(INDEX_NO_TYPE, "text/plain", null), LATEST);

        assertThat(content.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    }

    @Test
    void aVagueTypeOnSomethingThatIsNotJsonIsAnInvalidManifest() {
        byte[] html = "<html>rate limited</html>".getBytes(StandardCharsets.UTF_8);

        OciException e = failure(new Manifest(html, "text/plain", null), LATEST);

        assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_INVALID);
        assertThat(e.status()).isEqualTo(502);
    }
}
