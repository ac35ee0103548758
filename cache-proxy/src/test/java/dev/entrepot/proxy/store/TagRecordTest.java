package dev.entrepot.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TagRecordTest {
    private static final Digest DIGEST = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));

    @Test
    void aRecordReadsBackAsWritten() {
        TagRecord record = new TagRecord(DIGEST, Instant.ofEpochMilli(1_764_670_000_123L));

        assertThat(record.text()).isEqualTo(DIGEST + " 1764670000123");
        assertThat(TagRecord.parse(record.text() + "\n")).isEqualTo(record);
    }

    @Test
    void aDamagedRecordIsRefused() {
        for (String damaged : new String[] {"", DIGEST.toString(), DIGEST + " soon", "sha256:zz 1", DIGEST + " 1 2"}) {
            assertThatThrownBy(() -> TagRecord.parse(damaged)).as(damaged).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
