package dev.entrepot.proxy.oci;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OciErrorCodeTest {

    @ParameterizedTest
    @CsvSource({
            "BLOB_UNKNOWN, 404",
            "BLOB_UPLOAD_INVALID, 400",
            "BLOB_UPLOAD_UNKNOWN, 404",
            "DIGEST_INVALID, 400",
            "MANIFEST_BLOB_UNKNOWN, 404",
            "MANIFEST_INVALID, 400",
            "MANIFEST_UNKNOWN, 404",
            "NAME_INVALID, 400",
            "NAME_UNKNOWN, 404",
            "SIZE_INVALID, 400",
            "UNAUTHORIZED, 401",
            "DENIED, 403",
            "UNSUPPORTED, 405",
            "TOOMANYREQUESTS, 429",
            "RANGE_NOT_SATISFIABLE, 416",
            "UNAVAILABLE, 503",
            "PAGINATION_NUMBER_INVALID, 400",
            "UNKNOWN, 500",
    })
    void statusesAreTheSpecs(OciErrorCode code, int status) {
        assertThat(code.status()).isEqualTo(status);
    }

    @Test
    void everyCodeHasAStatusAndAMessage() {
        assertThat(OciErrorCode.values()).hasSize(18).allSatisfy(code -> {
            assertThat(code.status()).isBetween(400, 599);
            assertThat(code.defaultMessage()).isNotBlank();
        });
        assertThat(Arrays.stream(OciErrorCode.values()).filter(c -> c.status() >= 500))
                .as("only the registry's own failures are 5xx, never a client mistake")
                .containsExactlyInAnyOrder(OciErrorCode.UNAVAILABLE, OciErrorCode.UNKNOWN);
    }

    @Test
    void exceptionCarriesCodeStatusAndHeaders() {
        OciException e = new OciException(OciErrorCode.TOOMANYREQUESTS, 429, "slow down", Map.of("Retry-After", "7"));

        assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.getMessage()).isEqualTo("slow down");
        assertThat(e.headers()).containsExactly(Map.entry("Retry-After", "7"));
        assertThat(e.getStackTrace()).isEmpty();
    }

    @Test
    void exceptionDefaultsToTheCodesStatusAndMessage() {
        OciException e = new OciException(OciErrorCode.MANIFEST_UNKNOWN, null);

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).isEqualTo("manifest unknown to registry");
        assertThat(e.headers()).isEmpty();
    }

    @Test
    void statusMayBeOverriddenForTheSameCode() {
        OciException e = new OciException(OciErrorCode.BLOB_UNKNOWN, 416, "no", Map.of());

        assertThat(e.code().status()).isEqualTo(404);
        assertThat(e.status()).isEqualTo(416);
    }
}
