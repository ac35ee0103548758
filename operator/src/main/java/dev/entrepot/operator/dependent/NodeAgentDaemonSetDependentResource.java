package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.NodeAgentRenderer;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** DaemonSet entrepot-node-agent; its template changes only with operator settings, never with repositories. */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class NodeAgentDaemonSetDependentResource extends ProxyDependentResource<DaemonSet> {

    public NodeAgentDaemonSetDependentResource() {
        super(DaemonSet.class);
    }

    @Override
    protected String objectName() {
        return NodeAgentRenderer.NAME;
    }

    @Override
    protected DaemonSet render(NamespaceState state, DaemonSet actual) {
        return NodeAgentRenderer.daemonSet(state.namespace(), inventory.settings(), inventory.nodeMirror());
    }
}
