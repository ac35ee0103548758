package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.upstream.UpstreamException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamErrorsTest {
    private static OciException map(Throwable failure) {
        return UpstreamErrors.toOci(failure, OciErrorCode.MANIFEST_UNKNOWN, "manifest library/nginx:latest");
    }

    @Test
    void ourOwnErrorsPassThrough() {
        OciException own = new OciException(OciErrorCode.DIGEST_INVALID, 502, "bad bytes", Map.of());

        assertThat(map(own)).isSameAs(own);
    }

    @Test
    void notFoundUpstreamIsTheCallersUnknownCode() {
        OciException e = map(new UpstreamException(404, "upstream answered 404"));

        assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).contains("manifest library/nginx:latest");

        OciException blob = UpstreamErrors.toOci(new UpstreamException(404, "x"), OciErrorCode.BLOB_UNKNOWN, "blob");
        assertThat(blob.code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN);
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403})
    void refusedUpstreamReadsAsUnknown(int status) {
        OciException e = map(new UpstreamException(status, "upstream answered " + status));

        assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).contains("credentials");
    }

    @Test
    void rateLimitedUpstreamIsTooManyRequestsWithRetryAfter() {
        OciException e = map(new UpstreamException(429, "slow down", Duration.ofSeconds(42)));

        assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.headers()).containsEntry("Retry-After", "42");
    }

    @Test
    void retryAfterIsAtLeastOneSecondAndDefaultsToTen() {
        assertThat(map(new UpstreamException(429, "x", Duration.ofMillis(200))).headers())
                .containsEntry("Retry-After", "1");
        assertThat(map(new UpstreamException(429, "x")).headers()).containsEntry("Retry-After", "10");
    }

    @Test
    void unreachableUpstreamIsUnavailable() {
        OciException e = map(new UpstreamException(0, "connection refused"));

        assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.getMessage()).contains("unreachable").contains("connection refused");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void failingUpstreamIsUnavailable(int status) {
        OciException e = map(new UpstreamException(status, "upstream answered " + status));

        assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(e.status()).isEqualTo(503);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 405, 416})
    void anUnexpectedUpstreamAnswerIsABadGateway(int status) {
        OciException e = map(new UpstreamException(status, "upstream answered " + status));

        assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(e.status()).isEqualTo(502);
    }

    @Test
    void anythingElseIsOurInternalError() {
        OciException e = map(new IOException("disk full"));

        assertThat(e.code()).isEqualTo(OciErrorCode.UNKNOWN);
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.getMessage()).contains("disk full");
    }
}
