package dev.entrepot.operator.metrics;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * JOSDK's reconcile metrics, built on Quarkus' meter registry. The extension's default bean hands
 * out whatever its MeterBinder was last given (no-op metrics until Micrometer binds it); taking the
 * registry as a dependency removes that ordering question. Suspected cause of OperatorMetricsTest
 * failing in some full runs, where the running operator's reconcile counters never moved.
 */
@Singleton
public class ReconcileMetricsProducer {

    @Produces
    @Singleton
    Metrics reconcileMetrics(MeterRegistry registry) {
        return MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build();
    }
}
