package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * Service entrepot (port 5000): the in-cluster pull address entrepot.<namespace>.svc:5000; with several replicas
 * clients keep to one (an upload session lives on the replica that started it).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class ProxyServiceDependentResource extends ProxyDependentResource<Service> {

    public ProxyServiceDependentResource() {
        super(Service.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.NAME;
    }

    @Override
    protected Service render(NamespaceState state, Service actual) {
        return ProxyWorkloadRenderer.service(state.namespace(), state.plan().workload());
    }
}
