package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * ServiceMonitor entrepot, so a Prometheus Operator scrapes the proxy. Only active while the
 * monitoring.coreos.com CRD exists ({@link PrometheusOperatorPresentCondition}): its informer is
 * registered on activation, so clusters without the Prometheus Operator see no failing watch.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class ServiceMonitorDependentResource extends ProxyDependentResource<ServiceMonitor> {

    public ServiceMonitorDependentResource() {
        super(ServiceMonitor.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.NAME;
    }

    @Override
    protected ServiceMonitor render(NamespaceState state, ServiceMonitor actual) {
        return ProxyWorkloadRenderer.serviceMonitor(state.namespace(), inventory.settings().tls());
    }
}
