package dev.entrepot.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({
            "0, PT0S",
            "0s, PT0S",
            "500ms, PT0.5S",
            "90s, PT1M30S",
            "5m, PT5M",
            "1h30m, PT1H30M",
            "720h, PT720H",
            "1m30s, PT1M30S",
            "1h1m1s1ms, PT1H1M1.001S",
    })
    void parsesGoDurations(String text, Duration expected) {
        assertThat(GoDuration.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "5", "300", "m", "5x", "abc", "5m junk", "x5m", "-5m", "1.5h", "5 m", "5M",
            "1h 30m", "h1", "2d", "1d12h", " 30s"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid duration '" + text + "'")
                .hasMessageContaining("1h30m");
    }

    @ParameterizedTest
    @CsvSource({
            "PT0S, 0",
            "PT5M, 5m",
            "PT720H, 720h",
            "PT1H30M, 1h30m",
            "PT90S, 1m30s",
            "PT0.25S, 250ms",
            "PT48H, 48h",
            "PT1H0.5S, 1h500ms",
    })
    void formatsTheShortestSpelling(Duration d, String text) {
        assertThat(GoDuration.format(d)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "5m", "720h", "1h30m", "1m30s", "250ms", "1h1m1s1ms"})
    void formatAndParseRoundTrip(String text) {
        Duration d = GoDuration.parse(text);

        assertThat(GoDuration.parse(GoDuration.format(d))).isEqualTo(d);
        assertThat(GoDuration.format(d)).isEqualTo(text);
    }

    @Test
    void hugeNumbersAreRejected() {
        assertThatThrownBy(() -> GoDuration.parse("99999999999999999999h")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GoDuration.parse("9999999999999999h")).isInstanceOf(ArithmeticException.class);
    }
}
