package dev.entrepot.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class CachingUpstreamProbeTest {

    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void reusesAResultUntilItExpires() {
        AtomicInteger calls = new AtomicInteger();
        UpstreamProbe counting = url -> calls.incrementAndGet() % 2 == 1
                ? UpstreamProbe.Result.reachable("first") : UpstreamProbe.Result.unreachable("second");
        MovableClock clock = new MovableClock();
        CachingUpstreamProbe probe = new CachingUpstreamProbe(counting, Duration.ofSeconds(60), clock);

        assertThat(probe.probe("https://a").detail()).isEqualTo("first");
        clock.now = clock.now.plusSeconds(59);
        assertThat(probe.probe("https://a").detail()).isEqualTo("first");
        assertThat(calls).hasValue(1);

        assertThat(probe.probe("https://b").detail()).isEqualTo("second");
        assertThat(calls).hasValue(2);

        clock.now = clock.now.plusSeconds(2);
        assertThat(probe.probe("https://a").detail()).isEqualTo("first");
        assertThat(calls).hasValue(3);
    }
}
