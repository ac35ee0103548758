package dev.entrepot.operator.inventory;

import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.NodeMirrorSettings;
import dev.entrepot.operator.probe.ProxyEndpoint;
import dev.entrepot.operator.render.NodeAgentRenderer;
import dev.entrepot.operator.render.ProxyConfigRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;

/** The repositories of one namespace as seen in the informer caches, and the plan derived from them. */
public record NamespaceState(String namespace, List<Repository> repositories, List<VirtualRepository> virtuals,
        NamespacePlan plan, ProxyEndpoint endpoint) {

    public boolean hasRepositories() {
        return !repositories.isEmpty() || !virtuals.isEmpty();
    }

    /** The proxy's entrepot.yaml, as the ConfigMap holds it. */
    public String entrepotYaml() {
        return ProxyConfigRenderer.render(plan.config());
    }

    /** The hosts.toml files of the node mirror, by ConfigMap key: one per mirrorOf host the proxy serves. */
    public SortedMap<String, String> hostsFiles(NodeMirrorSettings settings) {
        return NodeAgentRenderer.hostsFiles(plan.config(), namespace, settings);
    }

    /** What the proxy reports as configSha256 once it applied {@link #entrepotYaml()}. */
    public String configSha256() {
        return ProxyConfigRenderer.sha256(entrepotYaml());
    }

    /**
     * Every repository of the namespace co-owns the proxy's objects (none as controller), so the
     * Kubernetes garbage collector removes them once the last repository is gone, even when the
     * operator is not running.
     */
    public List<OwnerReference> ownerReferences() {
        List<HasMetadata> owners = new ArrayList<>(repositories);
        owners.addAll(virtuals);
        return owners.stream()
                .sorted(Comparator.comparing((HasMetadata o) -> o.getKind()).thenComparing(o -> o.getMetadata().getName()))
                .map(o -> new OwnerReferenceBuilder().withApiVersion(o.getApiVersion()).withKind(o.getKind())
                        .withName(o.getMetadata().getName()).withUid(o.getMetadata().getUid()).build())
                .toList();
    }
}
