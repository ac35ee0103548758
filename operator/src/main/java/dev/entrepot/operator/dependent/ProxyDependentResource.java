package dev.entrepot.operator.dependent;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;

import dev.entrepot.operator.reconciler.NamespaceInventory;
import dev.entrepot.operator.reconciler.NamespaceState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;

/**
 * One object of a namespace's shared proxy. The primary is the Namespace; the object is
 * co-owned by every repository of that namespace (see {@link NamespaceState#ownerReferences()})
 * instead of by the Namespace, and is deleted by the workflow when the last repository goes.
 * Being {@code GarbageCollected} keeps JOSDK from putting a finalizer on Namespaces.
 */
public abstract class ProxyDependentResource<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, Namespace>
        implements SecondaryToPrimaryMapper<R> {

    @Inject
    NamespaceInventory inventory;

    protected ProxyDependentResource(Class<R> type) {
        super(type);
    }

    /** Fixed name of the object in every served namespace. */
    protected abstract String objectName();

    /** The object as the namespace's state asks for it; {@code actual} is null before creation. */
    protected abstract R render(NamespaceState state, R actual);

    @Override
    protected R desired(Namespace primary, Context<Namespace> context) {
        NamespaceState state = inventory.read(primary, context);
        R desired = render(state, getSecondaryResource(primary, context).orElse(null));
        desired.getMetadata().setOwnerReferences(state.ownerReferences());
        return desired;
    }

    /** Reads through this dependent's own informer: the operator has a second Secret event source. */
    @Override
    public Optional<R> getSecondaryResource(Namespace primary, Context<Namespace> context) {
        return eventSource().orElseThrow().get(targetSecondaryResourceID(primary, context));
    }

    /** Same namespaces as the Repository informers (entrepot.operator.namespaces). */
    @Override
    protected InformerEventSourceConfiguration.Builder<R> informerConfigurationBuilder(
            EventSourceContext<Namespace> context) {
        return super.informerConfigurationBuilder(context).withNamespaces(inventory.watchedNamespaces());
    }

    @Override
    protected boolean addOwnerReference() {
        return false;
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(R resource) {
        return Set.of(new ResourceID(resource.getMetadata().getNamespace()));
    }

    @Override
    protected ResourceID targetSecondaryResourceID(Namespace primary, Context<Namespace> context) {
        return new ResourceID(objectName(), primary.getMetadata().getName());
    }

    @Override
    public Result<R> match(R actual, R desired, Namespace primary, Context<Namespace> context) {
        boolean generic = super.match(actual, desired, primary, context).matched();
        boolean owners = Objects.equals(uids(actual.getMetadata().getOwnerReferences()),
                uids(desired.getMetadata().getOwnerReferences()));
        return Result.computed(generic && owners && contentMatches(actual, desired), desired);
    }

    /** Exact comparison for objects where a removed entry must be noticed (ConfigMap, Secret data). */
    protected boolean contentMatches(R actual, R desired) {
        return true;
    }

    @Override
    public R update(R actual, R desired, Namespace primary, Context<Namespace> context) {
        // The non-SSA updater keeps the actual metadata; carry the new owner set over explicitly.
        R withOwners = context.getClient().getKubernetesSerialization().clone(actual);
        withOwners.getMetadata().setOwnerReferences(desired.getMetadata().getOwnerReferences());
        return super.update(withOwners, desired, primary, context);
    }

    private static List<String> uids(List<OwnerReference> references) {
        return references == null ? List.of() : references.stream().map(OwnerReference::getUid).sorted().toList();
    }
}
