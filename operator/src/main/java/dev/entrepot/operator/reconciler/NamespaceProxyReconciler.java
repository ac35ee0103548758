package dev.entrepot.operator.reconciler;

import dev.entrepot.operator.config.OperatorConfig;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.dependent.AuthSecretDependentResource;
import dev.entrepot.operator.dependent.CredentialsSecretDependentResource;
import dev.entrepot.operator.dependent.HasRepositoriesCondition;
import dev.entrepot.operator.dependent.NodeAgentDaemonSetDependentResource;
import dev.entrepot.operator.dependent.NodeMirrorCondition;
import dev.entrepot.operator.dependent.NodeMirrorConfigMapDependentResource;
import dev.entrepot.operator.dependent.PrometheusOperatorPresentCondition;
import dev.entrepot.operator.dependent.ProxyConfigMapDependentResource;
import dev.entrepot.operator.dependent.ProxyDeploymentDependentResource;
import dev.entrepot.operator.dependent.ProxyDisruptionBudgetDependentResource;
import dev.entrepot.operator.dependent.ProxyServiceAccountDependentResource;
import dev.entrepot.operator.dependent.ProxyServiceDependentResource;
import dev.entrepot.operator.dependent.ScaledOutCondition;
import dev.entrepot.operator.dependent.ServiceAccountAuthCondition;
import dev.entrepot.operator.dependent.ServiceMonitorDependentResource;
import dev.entrepot.operator.dependent.StoreClaimCondition;
import dev.entrepot.operator.dependent.StoreClaimDependentResource;
import dev.entrepot.operator.dependent.TokenReviewBindingDependentResource;
import dev.entrepot.operator.inventory.NamespaceInventory;
import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.plan.NodeMirrorSettings;
import dev.entrepot.operator.probe.ProxyListing;
import dev.entrepot.operator.probe.ProxyProbe;
import dev.entrepot.operator.probe.UpstreamProbe;
import dev.entrepot.operator.status.NodeMirrorView;
import dev.entrepot.operator.status.ProxyView;
import dev.entrepot.operator.status.StatusAggregator;
import dev.entrepot.operator.status.StatusWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One shared proxy per namespace, so the namespace is the primary: any change to a Repository,
 * VirtualRepository, referenced Secret or owned object reconciles its whole namespace, serially.
 * The workflow creates/updates the proxy objects (or deletes them when no repository is left), and in
 * the node mirror's namespace the node agents; this class then asks the proxy what it serves and
 * writes every repository's status.
 */
@ControllerConfiguration(name = NamespaceProxyReconciler.NAME, generationAwareEventProcessing = false,
        informer = @Informer(genericFilter = WatchedNamespaceFilter.class),
        // Re-probe upstreams and heal drift even without events.
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 2, timeUnit = TimeUnit.MINUTES))
@Workflow(dependents = {
        @Dependent(name = NamespaceProxyReconciler.CREDENTIALS, type = CredentialsSecretDependentResource.class,
                reconcilePrecondition = HasRepositoriesCondition.class),
        @Dependent(type = AuthSecretDependentResource.class, reconcilePrecondition = HasRepositoriesCondition.class),
        @Dependent(type = ProxyServiceAccountDependentResource.class,
                reconcilePrecondition = HasRepositoriesCondition.class),
        @Dependent(type = TokenReviewBindingDependentResource.class,
                reconcilePrecondition = ServiceAccountAuthCondition.class),
        @Dependent(name = NamespaceProxyReconciler.CONFIG, type = ProxyConfigMapDependentResource.class,
                reconcilePrecondition = HasRepositoriesCondition.class),
        @Dependent(type = StoreClaimDependentResource.class, reconcilePrecondition = StoreClaimCondition.class),
        // A new pod reads the store's settings and keys once, at start: they must be in place before a rollout.
        @Dependent(type = ProxyDeploymentDependentResource.class, reconcilePrecondition = HasRepositoriesCondition.class,
                dependsOn = {NamespaceProxyReconciler.CONFIG, NamespaceProxyReconciler.CREDENTIALS}),
        @Dependent(type = ProxyServiceDependentResource.class, reconcilePrecondition = HasRepositoriesCondition.class),
        @Dependent(type = ProxyDisruptionBudgetDependentResource.class, reconcilePrecondition = ScaledOutCondition.class),
        @Dependent(type = ServiceMonitorDependentResource.class, reconcilePrecondition = HasRepositoriesCondition.class,
                activationCondition = PrometheusOperatorPresentCondition.class),
        @Dependent(type = NodeMirrorConfigMapDependentResource.class, reconcilePrecondition = NodeMirrorCondition.class),
        @Dependent(type = NodeAgentDaemonSetDependentResource.class, reconcilePrecondition = NodeMirrorCondition.class)
})
public class NamespaceProxyReconciler implements Reconciler<Namespace> {

    public static final String NAME = "entrepot-namespace-proxy";
    static final String CONFIG = "proxy-config";
    static final String CREDENTIALS = "proxy-credentials";
    private static final Logger LOG = Logger.getLogger(NamespaceProxyReconciler.class);

    @Inject
    NamespaceInventory inventory;

    @Inject
    UpstreamProbe upstreamProbe;

    @Inject
    ProxyProbe proxyProbe;

    @Inject
    ProxyListing proxyListing;

    @Inject
    OperatorConfig config;

    @Override
    public UpdateControl<Namespace> reconcile(Namespace namespace, Context<Namespace> context) {
        NamespaceState state = inventory.read(namespace, context);
        if (!state.hasRepositories()) {
            return UpdateControl.noUpdate();
        }
        boolean available = context.getSecondaryResource(Deployment.class)
                .map(d -> d.getStatus() != null && d.getStatus().getAvailableReplicas() != null
                        && d.getStatus().getAvailableReplicas() > 0)
                .orElse(false);
        // Only a proxy with an available replica is asked: the others cannot answer anyway.
        var proxy = new ProxyView(available, state.configSha256(),
                available ? proxyProbe.probe(state.endpoint()) : null);
        var statuses = new StatusAggregator(state.plan(), state.namespace(), proxy, nodeMirror(state, context),
                upstreamProbe::probe, Instant.now()).withListing(answeredAndUp(proxy) ? proxyListing.list(state.endpoint())
                        : null);
        int writes = 0;
        for (Repository r : state.repositories()) {
            writes += StatusWriter.write(context.getClient(), r, statuses.repository(r)) ? 1 : 0;
        }
        for (VirtualRepository v : state.virtuals()) {
            writes += StatusWriter.write(context.getClient(), v, statuses.virtual(v)) ? 1 : 0;
        }
        if (writes > 0) {
            LOG.debugf("namespace %s: %d repository statuses updated", state.namespace(), writes);
        }
        // Neither the kubelet refreshing the mounted ConfigMap nor the proxy raises an event: ask again later.
        return statuses.awaitingProxy()
                ? UpdateControl.<Namespace>noUpdate().rescheduleAfter(recheckAfter())
                : UpdateControl.noUpdate();
    }

    /** Counts are asked only of a proxy that answers and is ready; the listing cached by proxyListing. */
    private static boolean answeredAndUp(ProxyView proxy) {
        return proxy.available() && proxy.report().outcome() == ProxyProbe.Outcome.ANSWERED && proxy.report().up();
    }

    private NodeMirrorView nodeMirror(NamespaceState state, Context<Namespace> context) {
        NodeMirrorSettings settings = inventory.nodeMirror();
        return settings.enabledFor(state.namespace())
                ? new NodeMirrorView(true, context.getSecondaryResource(DaemonSet.class).orElse(null),
                        settings.hostsDir(), settings.mirrorUrl())
                : NodeMirrorView.disabled();
    }

    private Duration recheckAfter() {
        return config.proxy().probe().cacheFor().plusSeconds(1);
    }

    @Override
    public List<EventSource<?, Namespace>> prepareEventSources(EventSourceContext<Namespace> context) {
        Set<String> namespaces = inventory.watchedNamespaces();
        return List.of(
                new InformerEventSource<>(byNamespace(Repository.class, namespaces).build(), context),
                new InformerEventSource<>(byNamespace(VirtualRepository.class, namespaces).build(), context),
                new InformerEventSource<>(byNamespace(Secret.class, namespaces)
                        .withName(NamespaceInventory.REFERENCED_SECRETS).build(), context));
    }

    /** Every object of a namespace maps to that namespace's reconciliation. */
    private static <R extends HasMetadata> InformerEventSourceConfiguration.Builder<R> byNamespace(
            Class<R> type, Set<String> namespaces) {
        return InformerEventSourceConfiguration.from(type, Namespace.class)
                .withNamespaces(namespaces)
                .withSecondaryToPrimaryMapper(r -> Set.of(new ResourceID(r.getMetadata().getNamespace())));
    }
}
