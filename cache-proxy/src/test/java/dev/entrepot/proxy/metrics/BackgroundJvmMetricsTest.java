package dev.entrepot.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BackgroundJvmMetricsTest {

    @Test
    void registersWhatQuarkusJvmAndSystemBindersWouldOnAThreadOfItsOwn() throws InterruptedException {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackgroundJvmMetrics metrics = new BackgroundJvmMetrics();

        metrics.bindTo(registry);
        metrics.awaitBound();

        Set<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
        assertThat(names).contains(
                "jvm.classes.loaded", // ClassLoaderMetrics
                "jvm.gc.overhead", // JvmHeapPressureMetrics
                "jvm.memory.used", "jvm.buffer.count", // JvmMemoryMetrics
                "jvm.threads.live", "jvm.threads.states", // JvmThreadMetrics
                "jvm.info", // Quarkus' JVMInfoBinder
                "jvm.gc.max.data.size", "jvm.gc.memory.allocated", // JvmGcMetrics
                "process.uptime", "process.start.time", // UptimeMetrics
                "system.cpu.count", "process.cpu.usage", // ProcessorMetrics
                "process.files.open"); // FileDescriptorMetrics
        metrics.stop();
    }
}
