package dev.entrepot.operator.inventory;

import dev.entrepot.operator.config.OperatorConfig;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.NodeMirrorSettings;
import dev.entrepot.operator.plan.ProxySettings;
import dev.entrepot.operator.probe.ProxyEndpoint;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Reads a namespace's repositories and referenced Secrets from the informer caches and plans its proxy. */
@ApplicationScoped
public class NamespaceInventory {

    /**
     * Event source of every Secret of the served namespaces: those credentialsSecretRef, spec.access and
     * spec.notifications reference, the TLS Secret, and the operator's generated entrepot-auth (read here for the
     * operator user's password).
     */
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
        Function<String, Optional<Secret>> lookup = name -> secrets.get(new ResourceID(name, namespace));
        var plan = NamespacePlanner.plan(repositories, virtuals, lookup, settings());
        return new NamespaceState(namespace, repositories, virtuals, plan, endpoint(namespace, plan, lookup));
    }

    /**
     * How the operator talks to the proxy: HTTPS pinned to the TLS Secret's certificates when TLS is on, as the
     * operator user (its password in the generated entrepot-auth Secret) when the proxy is closed.
     */
    static ProxyEndpoint endpoint(String namespace, NamespacePlan plan, Function<String, Optional<Secret>> secrets) {
        String certificates = null;
        if (plan.tls()) {
            // Unreadable or absent: an empty pin, which trusts nothing (the probe says why).
            certificates = secrets.apply(plan.tlsSecret()).flatMap(s -> decoded(s, "tls.crt")).orElse("");
        }
        String password = plan.closed() ? secrets.apply(ProxyWorkloadRenderer.AUTH_SECRET)
                .flatMap(s -> decoded(s, NamespacePlanner.OPERATOR_PASSWORD)).orElse(null) : null;
        return new ProxyEndpoint(namespace, certificates, password == null ? null : NamespacePlanner.OPERATOR_USER,
                password);
    }

    private static Optional<String> decoded(Secret secret, String key) {
        return Optional.ofNullable(secret.getData()).map(d -> d.get(key))
                .map(v -> new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
    }
}
