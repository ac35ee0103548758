package dev.entrepot.operator.dependent;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** A namespace gets a proxy while it holds at least one Repository or VirtualRepository. */
public class HasRepositoriesCondition implements Condition<Object, Namespace> {

    @Override
    public boolean isMet(DependentResource<Object, Namespace> dependentResource, Namespace primary,
            Context<Namespace> context) {
        return !context.getSecondaryResources(Repository.class).isEmpty()
                || !context.getSecondaryResources(VirtualRepository.class).isEmpty();
    }
}
