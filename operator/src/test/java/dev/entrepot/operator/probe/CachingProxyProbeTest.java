package dev.entrepot.operator.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class CachingProxyProbeTest {

    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void asksEachNamespacesProxyOncePerPeriod() {
        AtomicInteger calls = new AtomicInteger();
        ProxyProbe counting = ep -> ProxyProbe.Report.answered(true, ep.namespace() + "-" + calls.incrementAndGet(), Set.of(),
                Set.of(), null, "answered 200");
        MovableClock clock = new MovableClock();
        CachingProxyProbe probe = new CachingProxyProbe(counting, Duration.ofSeconds(10), clock);

        assertThat(probe.probe(ProxyEndpoint.plain("a")).configSha256()).isEqualTo("a-1");
        clock.now = clock.now.plusSeconds(10);
        assertThat(probe.probe(ProxyEndpoint.plain("a")).configSha256()).as("still fresh at the end of the period")
                .isEqualTo("a-1");
        assertThat(probe.probe(ProxyEndpoint.plain("b")).configSha256()).as("namespaces apart").isEqualTo("b-2");

        clock.now = clock.now.plusMillis(1);
        assertThat(probe.probe(ProxyEndpoint.plain("a")).configSha256()).isEqualTo("a-3");
        assertThat(calls).hasValue(3);
    }
}
