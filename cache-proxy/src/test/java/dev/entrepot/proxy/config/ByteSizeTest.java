package dev.entrepot.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1048576, 1048576",
            "1Ki, 1024",
            "512Mi, 536870912",
            "50Gi, 53687091200",
            "2Ti, 2199023255552",
            "1Pi, 1125899906842624",
            "1K, 1000",
            "10M, 10000000",
            "10G, 10000000000",
            "3T, 3000000000000",
            "1P, 1000000000000000",
    })
    void parsesKubernetesQuantities(String text, long bytes) {
        assertThat(ByteSize.parse(text).bytes()).isEqualTo(bytes);
    }

    @Test
    void keepsTheTrimmedTextForMessages() {
        ByteSize size = ByteSize.parse("50Gi");

        assertThat(size.text()).isEqualTo("50Gi");
        assertThat(size).hasToString("50Gi");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Gi", "abc", "-1", "-1Gi", "1.5Gi", "10X", "10gi", "10mi", "10m", "Gi10", "10 Gi Gi",
            "1,000", "0x10", "1k", "10GB", "1GiB", "100B", " 50Gi", "50 Gi"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid size '" + text + "'")
                .hasMessageContaining("50Gi");
    }

    @Test
    void overflowIsAnErrorNotAWrappedNumber() {
        assertThatThrownBy(() -> ByteSize.parse("9000000Pi")).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> ByteSize.parse("99999999999999999999")).isInstanceOf(IllegalArgumentException.class);
    }
}
