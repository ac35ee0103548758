package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.upstream.UpstreamException;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FreshnessPolicyTest {
    private final FreshnessPolicy fiveMinutes = new FreshnessPolicy(Duration.ofMinutes(5));

    @Test
    void freshUntilTheTtlHasPassed() {
        long checked = 1_000_000;

        assertThat(fiveMinutes.isFresh(checked, checked)).isTrue();
        assertThat(fiveMinutes.isFresh(checked, checked + 299_999)).isTrue();
        assertThat(fiveMinutes.isFresh(checked, checked + 300_000)).isFalse();
        assertThat(fiveMinutes.isFresh(checked, checked + 3_600_000)).isFalse();
    }

    @Test
    void zeroTtlIsNeverFresh() {
        FreshnessPolicy always = new FreshnessPolicy(Duration.ZERO);

        assertThat(always.isFresh(5_000, 5_000)).isFalse();
        assertThat(always.isFresh(5_000, 5_001)).isFalse();
    }

    @Test
    void subMillisecondPrecisionOfTheTtlDoesNotMatter() {
        FreshnessPolicy policy = new FreshnessPolicy(Duration.ofMillis(10).plusNanos(999_999));

        assertThat(policy.isFresh(0, 9)).isTrue();
        assertThat(policy.isFresh(0, 10)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 500, 502, 503, 504, 429})
    void anUnwellUpstreamAllowsStaleContent(int status) {
        assertThat(fiveMinutes.mayServeStale(new UpstreamException(status, "upstream says " + status))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 405, 410})
    void aDefiniteUpstreamAnswerIsPassedOn(int status) {
        assertThat(fiveMinutes.mayServeStale(new UpstreamException(status, "upstream says " + status))).isFalse();
    }

    @Test
    void onlyUpstreamFailuresQualify() {
        assertThat(fiveMinutes.mayServeStale(new OciException(OciErrorCode.UNAVAILABLE, "ours"))).isFalse();
        assertThat(fiveMinutes.mayServeStale(new IOException("disk"))).isFalse();
        assertThat(fiveMinutes.mayServeStale(null)).isFalse();
    }
}
