package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * PersistentVolumeClaim entrepot-store for the proxy's content store. Once it exists only its size
 * may change, and only upwards (see {@link ProxyWorkloadRenderer#storeClaim(String, String,
 * PersistentVolumeClaim)}): a bound claim keeps its class and volume.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class StoreClaimDependentResource extends ProxyDependentResource<PersistentVolumeClaim> {

    public StoreClaimDependentResource() {
        super(PersistentVolumeClaim.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.STORE_CLAIM;
    }

    @Override
    protected PersistentVolumeClaim render(NamespaceState state, PersistentVolumeClaim actual) {
        return actual == null || actual.getSpec() == null
                ? ProxyWorkloadRenderer.storeClaim(state.namespace(), state.plan().storageSize(),
                        inventory.settings().storageClass())
                : ProxyWorkloadRenderer.storeClaim(state.namespace(), state.plan().storageSize(), actual);
    }
}
