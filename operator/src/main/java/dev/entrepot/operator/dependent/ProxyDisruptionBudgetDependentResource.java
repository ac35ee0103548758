package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * PodDisruptionBudget entrepot: drains and cluster upgrades evict one proxy replica at a time. Only while the
 * namespace runs several ({@link ScaledOutCondition}): with one, a budget would either block every drain or allow
 * nothing more than no budget does.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class ProxyDisruptionBudgetDependentResource extends ProxyDependentResource<PodDisruptionBudget> {

    public ProxyDisruptionBudgetDependentResource() {
        super(PodDisruptionBudget.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.NAME;
    }

    @Override
    protected PodDisruptionBudget render(NamespaceState state, PodDisruptionBudget actual) {
        return ProxyWorkloadRenderer.disruptionBudget(state.namespace());
    }
}
