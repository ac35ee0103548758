package dev.entrepot.proxy.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.quarkus.micrometer.runtime.binder.JVMInfoBinder;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The JVM and process metrics ({@code jvm_*}, {@code process_*}, {@code system_*}) that Quarkus' own binders would
 * register ({@code quarkus.micrometer.binder.jvm} and {@code .system}, off in application.properties): the same
 * binders, in the same order, on the same registry, but on a thread of their own. Binding them is mostly class
 * loading (JMX, the platform MXBeans: 0.1-0.4 s on 2 busy cores) that Quarkus does on the main thread before the
 * port opens; here it runs beside the rest of the start, and the meters appear a few hundred ms after the registry
 * does, long before a first scrape.
 */
@Singleton
public class BackgroundJvmMetrics implements MeterBinder {
    private static final Logger LOG = Logger.getLogger(BackgroundJvmMetrics.class);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private boolean closed;
    private Thread binding;

    /** Called once by Quarkus with the root registry, as it does every {@link MeterBinder} bean. */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (binding != null) {
            return;
        }
        binding = new Thread(() -> bind(registry), "entrepot-jvm-metrics");
        binding.setDaemon(true);
        binding.start();
    }

    /** Waits until the meters are registered. */
    void awaitBound() throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = binding;
        }
        if (t != null) {
            t.join();
        }
    }

    private void bind(MeterRegistry registry) {
        try {
            new ClassLoaderMetrics().bindTo(registry);
            JvmHeapPressureMetrics heapPressure = new JvmHeapPressureMetrics();
            closeLater(heapPressure);
            heapPressure.bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new JVMInfoBinder().bindTo(registry);
            JvmGcMetrics gc = new JvmGcMetrics();
            closeLater(gc);
            gc.bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
        } catch (RuntimeException | LinkageError e) {
            LOG.warnf("JVM metrics not registered: %s", e.toString());
        }
    }

    private synchronized void closeLater(AutoCloseable binder) {
        if (closed) {
            close(binder); // the process is stopping: whatever binds next goes unused
        } else {
            toClose.add(binder);
        }
    }

    /** What Quarkus does for its own binders at shutdown: the GC listeners and the heap pressure timer go. */
    @PreDestroy
    synchronized void stop() {
        closed = true;
        toClose.forEach(BackgroundJvmMetrics::close);
        toClose.clear();
    }

    private static void close(AutoCloseable binder) {
        try {
            binder.close();
        } catch (Exception e) {
            LOG.debugf("closing %s: %s", binder, e.getMessage());
        }
    }
}
