package dev.entrepot.operator.dependent;

import java.time.LocalDateTime;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.entrepot.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.CRDPresentActivationCondition;
import io.smallrye.config.SmallRyeConfig;

/**
 * Activates the ServiceMonitor dependent when the CRD servicemonitors.monitoring.coreos.com exists.
 * JOSDK's condition stops looking after ten checks; this one keeps looking every
 * {@code entrepot.operator.service-monitor.crd-check-interval}, so a Prometheus Operator installed
 * after the Entrepot operator is picked up without a restart. Once found, the CRD is assumed to stay.
 * {@code entrepot.operator.service-monitor.enabled=false} turns the feature off (and with it the
 * read of CustomResourceDefinitions).
 */
public class PrometheusOperatorPresentCondition extends CRDPresentActivationCondition<ServiceMonitor, Namespace> {

    private volatile OperatorConfig.ServiceMonitor config;

    @Override
    public boolean isMet(DependentResource<ServiceMonitor, Namespace> dependentResource, Namespace primary,
            Context<Namespace> context) {
        return config().enabled() && super.isMet(dependentResource, primary, context);
    }

    @Override
    protected boolean shouldCheckStateNow(CRDCheckState state) {
        if (state.isCrdPresent() == null || state.getLastChecked() == null) {
            return true;
        }
        return !state.isCrdPresent()
                && LocalDateTime.now().isAfter(state.getLastChecked().plus(config().crdCheckInterval()));
    }

    /** JOSDK instantiates conditions itself, also at build time: read the config mapping on first use. */
    private OperatorConfig.ServiceMonitor config() {
        if (config == null) {
            config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                    .getConfigMapping(OperatorConfig.class).serviceMonitor();
        }
        return config;
    }
}
