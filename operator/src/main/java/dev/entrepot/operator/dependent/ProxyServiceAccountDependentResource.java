package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * ServiceAccount entrepot, the proxy pods' own (not the namespace's default one), so that the TokenReview grant
 * ServiceAccount auth needs goes to the proxy alone. It holds no permission otherwise.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class ProxyServiceAccountDependentResource extends ProxyDependentResource<ServiceAccount> {

    public ProxyServiceAccountDependentResource() {
        super(ServiceAccount.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.SERVICE_ACCOUNT;
    }

    @Override
    protected ServiceAccount render(NamespaceState state, ServiceAccount actual) {
        return ProxyWorkloadRenderer.serviceAccount(state.namespace());
    }
}
