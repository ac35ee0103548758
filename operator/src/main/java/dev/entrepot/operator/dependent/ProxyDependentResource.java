package dev.entrepot.operator.dependent;

import java.net.HttpURLConnection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.entrepot.operator.inventory.NamespaceInventory;
import dev.entrepot.operator.inventory.NamespaceState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;

/**
 * One object of a namespace's shared proxy. The primary is the Namespace; the object is
 * co-owned by every repository of that namespace (see {@link NamespaceState#ownerReferences()})
 * instead of by the Namespace. When the last repository goes, Kubernetes' garbage collector
 * deletes it, and so does the workflow for whatever is still there when it runs.
 * Being {@code GarbageCollected} keeps JOSDK from putting a finalizer on Namespaces.
 */
public abstract class ProxyDependentResource<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, Namespace>
        implements SecondaryToPrimaryMapper<R> {

    private static final Logger LOG = Logger.getLogger(ProxyDependentResource.class);
    private static final int MAX_UPDATE_ATTEMPTS = 5;

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

    /** Compares only what the operator renders (see {@link OwnedFields}), plus the exact owner set. */
    @Override
    public Result<R> match(R actual, R desired, Namespace primary, Context<Namespace> context) {
        return Result.computed(matches(actual, desired, context), desired);
    }

    private boolean matches(R actual, R desired, Context<Namespace> context) {
        KubernetesSerialization serialization = context.getClient().getKubernetesSerialization();
        return OwnedFields.match(serialization.convertValue(desired, JsonNode.class),
                serialization.convertValue(actual, JsonNode.class))
                && Objects.equals(uids(actual.getMetadata().getOwnerReferences()),
                        uids(desired.getMetadata().getOwnerReferences()))
                && contentMatches(actual, desired);
    }

    /** Exact comparison for objects where a removed entry must be noticed (ConfigMap, Secret data). */
    protected boolean contentMatches(R actual, R desired) {
        return true;
    }

    /**
     * Updates from the cached object; when the server has a newer one (409: the garbage collector
     * removing a deleted repository's owner reference at the same moment, the deployment controller
     * writing status during a rollout, or the object replaced), re-reads it and applies the desired
     * state again, or finds nothing left to do (also when the object is gone). Only a conflict on
     * every attempt reaches JOSDK's retry.
     */
    @Override
    public R update(R actual, R desired, Namespace primary, Context<Namespace> context) {
        KubernetesSerialization serialization = context.getClient().getKubernetesSerialization();
        R current = actual;
        for (int attempt = 1;; attempt++) {
            try {
                // JOSDK's update annotates the object it is given; keep desired as rendered for the retry.
                return updateWithOwners(current, serialization.clone(desired), primary, context);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == MAX_UPDATE_ATTEMPTS) {
                    throw e;
                }
                LOG.infof("%s %s/%s changed since it was read (%s); re-reading it", current.getKind(),
                        current.getMetadata().getNamespace(), current.getMetadata().getName(), conflictMessage(e));
                Optional<R> fresh = reread(current, context);
                if (fresh.isEmpty()) {
                    // Deleted meanwhile, by the garbage collector when its last owner went: recreating
                    // it from this (stale) view would bring it back. Its delete event reconciles again.
                    LOG.infof("%s %s/%s is gone; the next reconciliation decides whether it is needed",
                            current.getKind(), current.getMetadata().getNamespace(), current.getMetadata().getName());
                    return current;
                }
                if (matches(fresh.get(), desired, context)) {
                    return fresh.get();
                }
                current = fresh.get();
            }
        }
    }

    private R updateWithOwners(R actual, R desired, Namespace primary, Context<Namespace> context) {
        // The non-SSA updater keeps the actual metadata; carry the new owner set over explicitly.
        R withOwners = context.getClient().getKubernetesSerialization().clone(actual);
        withOwners.getMetadata().setOwnerReferences(desired.getMetadata().getOwnerReferences());
        return super.update(withOwners, desired, primary, context);
    }

    /** A list by name: the operator's RBAC grants list and watch, not get. */
    private Optional<R> reread(R stale, Context<Namespace> context) {
        return context.getClient().resources(resourceType()).inNamespace(stale.getMetadata().getNamespace())
                .withField("metadata.name", stale.getMetadata().getName()).list().getItems().stream().findFirst();
    }

    private static String conflictMessage(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    private static List<String> uids(List<OwnerReference> references) {
        return references == null ? List.of() : references.stream().map(OwnerReference::getUid).sorted().toList();
    }
}
