package dev.entrepot.operator.inventory;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.entrepot.operator.config.OperatorConfig;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.NodeMirrorSettings;
import dev.entrepot.operator.plan.ProxySettings;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/** Reads a namespace's repositories and referenced Secrets from the informer caches and plans its proxy. */
@ApplicationScoped
public class NamespaceInventory {

    /** Event source of the user Secrets referenced by credentialsSecretRef (not the operator's own Secret). */
    public static final String REFERENCED_SECRETS = "referenced-secrets";

    @Inject
    OperatorConfig config;

    public ProxySettings settings() {
        return ProxySettings.from(config);
    }

    public NodeMirrorSettings nodeMirror() {
        return NodeMirrorSettings.from(config);
    }

    /** The namespaces informers watch: entrepot.operator.namespaces, or all. */
    public Set<String> watchedNamespaces() {
        return config.namespaces().map(Set::copyOf).orElse(Constants.WATCH_ALL_NAMESPACE_SET);
    }

    public NamespaceState read(Namespace primary, Context<Namespace> context) {
        String namespace = primary.getMetadata().getName();
        List<Repository> repositories = List.copyOf(context.getSecondaryResources(Repository.class));
        List<VirtualRepository> virtuals = List.copyOf(context.getSecondaryResources(VirtualRepository.class));
        @SuppressWarnings("unchecked")
        var secrets = (InformerEventSource<Secret, Namespace>) context.eventSourceRetriever()
                .getEventSourceFor(Secret.class, REFERENCED_SECRETS);
        var plan = NamespacePlanner.plan(repositories, virtuals,
                name -> secrets.get(new ResourceID(name, namespace)), settings());
        return new NamespaceState(namespace, repositories, virtuals, plan);
    }
}
