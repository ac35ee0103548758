package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceInventory;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.quarkus.arc.Arc;

/**
 * The store claim is created when the proxy mounts it (one replica), and once it exists it stays while the namespace
 * has repositories, mounted or not: it may hold hosted content of the filesystem store (or of one before it), which a
 * namespace that moved to S3 and several replicas finds again when it moves back. Deleting it is the user's call.
 */
public class StoreClaimCondition implements Condition<Object, Namespace> {

    @Override
    public boolean isMet(DependentResource<Object, Namespace> dependentResource, Namespace primary,
            Context<Namespace> context) {
        // JOSDK instantiates conditions itself: look the inventory up rather than inject it.
        var state = Arc.container().instance(NamespaceInventory.class).get().read(primary, context);
        return state.hasRepositories() && (state.plan().workload().onClaim()
                || dependentResource.getSecondaryResource(primary, context).isPresent());
    }
}
