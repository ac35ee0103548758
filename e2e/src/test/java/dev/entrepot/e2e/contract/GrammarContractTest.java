package dev.entrepot.e2e.contract;

import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import dev.entrepot.proxy.config.ByteSize;
import dev.entrepot.proxy.config.GoDuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Durations and sizes have one grammar: what the CRDs let through is exactly what the proxy parses. */
class GrammarContractTest {
    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0s", "500ms", "30s", "5m", "720h", "1h30m", "1h1m1s1ms", "", "5", "2d", "1.5h", "5M",
            "1h 30m", " 30s", "-5m", "ms", "00", "0h"})
    void durations(String text) {
        assertThat(Pattern.matches(Patterns.DURATION, text)).as("CRD pattern vs proxy for '%s'", text)
                .isEqualTo(parses(() -> GoDuration.parse(text)));
        assertThat(Patterns.DURATION).isEqualTo(GoDuration.GRAMMAR);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1048576", "1Ki", "512Mi", "50Gi", "2Ti", "1Pi", "1K", "10M", "10G", "3T", "1P", "",
            "Gi", "1k", "10GB", "1GiB", "100B", "50 Gi", " 50Gi", "1.5Gi", "-1", "10gi"})
    void sizes(String text) {
        assertThat(Pattern.matches(Patterns.SIZE, text)).as("CRD pattern vs proxy for '%s'", text)
                .isEqualTo(parses(() -> ByteSize.parse(text)));
        assertThat(Patterns.SIZE).isEqualTo(ByteSize.GRAMMAR);
    }
}
