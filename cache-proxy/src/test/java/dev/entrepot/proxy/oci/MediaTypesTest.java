package dev.entrepot.proxy.oci;

import static dev.entrepot.proxy.oci.MediaTypes.DOCKER_MANIFEST;
import static dev.entrepot.proxy.oci.MediaTypes.DOCKER_MANIFEST_LIST;
import static dev.entrepot.proxy.oci.MediaTypes.OCI_INDEX;
import static dev.entrepot.proxy.oci.MediaTypes.OCI_MANIFEST;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypesTest {

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void noAcceptHeaderAdmitsAnything(String header) {
        assertThat(MediaTypes.accepts(header, OCI_MANIFEST)).isTrue();
        assertThat(MediaTypes.accepts(header, DOCKER_MANIFEST_LIST)).isTrue();
    }

    @Test
    void exactTypeInAList() {
        String header = OCI_MANIFEST + ", " + DOCKER_MANIFEST;

        assertThat(MediaTypes.accepts(header, OCI_MANIFEST)).isTrue();
        assertThat(MediaTypes.accepts(header, DOCKER_MANIFEST)).isTrue();
        assertThat(MediaTypes.accepts(header, OCI_INDEX)).isFalse();
        assertThat(MediaTypes.accepts(header, DOCKER_MANIFEST_LIST)).isFalse();
    }

    @Test
    void parametersAndWhitespaceAreIgnored() {
        String header = "  " + DOCKER_MANIFEST_LIST + " ; q=0.9 ,\t" + OCI_INDEX + ";q=1";

        assertThat(MediaTypes.accepts(header, DOCKER_MANIFEST_LIST)).isTrue();
        assertThat(MediaTypes.accepts(header, OCI_INDEX)).isTrue();
        assertThat(MediaTypes.accepts(header, OCI_MANIFEST)).isFalse();
    }

    @Test
    void fullWildcardAdmitsAnything() {
        assertThat(MediaTypes.accepts("*/*", OCI_MANIFEST)).isTrue();
        assertThat(MediaTypes.accepts("text/html, */*;q=0.8", DOCKER_MANIFEST)).isTrue();
        assertThat(MediaTypes.accepts("*/*", "text/plain")).isTrue();
    }

    @Test
    void subtypeWildcardAdmitsItsOwnTypeOnly() {
        assertThat(MediaTypes.accepts("application/*", OCI_INDEX)).isTrue();
        assertThat(MediaTypes.accepts("application/*", "text/plain")).isFalse();
        assertThat(MediaTypes.accepts("text/*", OCI_INDEX)).isFalse();
    }

    @Test
    void mediaTypesCompareCaseInsensitively() {
        // RFC 9110 §8.3.1: type and subtype are case-insensitive.
        assertThat(MediaTypes.accepts("Application/VND.OCI.Image.Manifest.v1+JSON", OCI_MANIFEST)).isTrue();
    }

    @Test
    void qualityZeroMeansNotAcceptable() {
        // RFC 9110 §12.4.2: "a value of 0 means not acceptable".
        assertThat(MediaTypes.accepts(OCI_INDEX + ";q=0, " + OCI_MANIFEST, OCI_INDEX)).isFalse();
        assertThat(MediaTypes.accepts(OCI_INDEX + "; q=0.000", OCI_INDEX)).isFalse();
        assertThat(MediaTypes.accepts(OCI_INDEX + ";q=0.001", OCI_INDEX)).isTrue();
        assertThat(MediaTypes.accepts(OCI_INDEX + ";Q=1.0", OCI_INDEX)).isTrue();
    }

    @Test
    void theMostSpecificMatchingRangeDecides() {
        String header = "*/*, " + OCI_INDEX + ";q=0, application/*;q=0";

        assertThat(MediaTypes.accepts(header, OCI_INDEX)).isFalse();
        assertThat(MediaTypes.accepts(header, OCI_MANIFEST)).isFalse();
        assertThat(MediaTypes.accepts(header, "text/plain")).isTrue();
        assertThat(MediaTypes.accepts("*/*;q=0, " + OCI_MANIFEST, OCI_MANIFEST)).isTrue();
    }

    @Test
    void malformedWeightsAreIgnored() {
        assertThat(MediaTypes.accepts(OCI_INDEX + ";q=high", OCI_INDEX)).isTrue();
        assertThat(MediaTypes.accepts(OCI_INDEX + ";charset=utf-8;q", OCI_INDEX)).isTrue();
    }

    @Test
    void otherTypesOnlyDoNotAdmit() {
        assertThat(MediaTypes.accepts("application/json", OCI_MANIFEST)).isFalse();
        assertThat(MediaTypes.accepts(",", OCI_MANIFEST)).isFalse();
        assertThat(MediaTypes.accepts(OCI_MANIFEST + "x", OCI_MANIFEST)).isFalse();
    }

    @Test
    void severalAcceptHeadersCountAsOneList() {
        // docker sends one Accept header per type
        assertThat(MediaTypes.accepts(List.of(OCI_INDEX, DOCKER_MANIFEST), DOCKER_MANIFEST)).isTrue();
        assertThat(MediaTypes.accepts(List.of(OCI_INDEX, DOCKER_MANIFEST), OCI_MANIFEST)).isFalse();
        assertThat(MediaTypes.accepts(List.of("*/*", OCI_INDEX + ";q=0"), OCI_INDEX)).isFalse();
        assertThat(MediaTypes.accepts(List.of(), OCI_INDEX)).isTrue();
        assertThat(MediaTypes.accepts(List.of(" ", ""), OCI_INDEX)).isTrue();
    }

    @Test
    void theProxysOwnAcceptListsEveryManifestType() {
        assertThat(MediaTypes.MANIFESTS).containsExactly(OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);
        for (String type : MediaTypes.MANIFESTS) {
            assertThat(MediaTypes.accepts(MediaTypes.MANIFESTS_ACCEPT, type)).as(type).isTrue();
        }
    }
}
