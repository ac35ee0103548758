package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceInventory;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.quarkus.arc.Arc;

/** The namespace's proxy runs several replicas (an S3 store and entrepot.operator.proxy.replicas above 1). */
public class ScaledOutCondition implements Condition<Object, Namespace> {

    @Override
    public boolean isMet(DependentResource<Object, Namespace> dependentResource, Namespace primary,
            Context<Namespace> context) {
        // JOSDK instantiates conditions itself: look the inventory up rather than inject it.
        var state = Arc.container().instance(NamespaceInventory.class).get().read(primary, context);
        return state.hasRepositories() && state.plan().workload().scaledOut();
    }
}
