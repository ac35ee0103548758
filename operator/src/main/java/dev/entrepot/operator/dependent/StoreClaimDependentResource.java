package dev.entrepot.operator.dependent;

import java.math.BigDecimal;

import dev.entrepot.operator.reconciler.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * PersistentVolumeClaim entrepot-store for the proxy's content store. Kubernetes only lets a claim
 * grow and never change class, so the desired claim keeps the larger of actual and planned size
 * and the class it was created with.
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
        String size = state.plan().storageSize();
        String storageClass = inventory.settings().storageClass();
        if (actual != null && actual.getSpec() != null) {
            storageClass = actual.getSpec().getStorageClassName();
            Quantity current = actual.getSpec().getResources() == null ? null
                    : actual.getSpec().getResources().getRequests().get("storage");
            if (current != null && bytes(current).compareTo(bytes(new Quantity(size))) > 0) {
                size = current.toString();
            }
        }
        return ProxyWorkloadRenderer.storeClaim(state.namespace(), size, storageClass);
    }

    private static BigDecimal bytes(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity);
    }
}
