package dev.entrepot.operator.dependent;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * Deployment entrepot running the cache-proxy; its template changes only with operator settings and the namespace's
 * store (one pod on the claim, or several on emptyDirs with an S3 store; a changed store restarts the proxy).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class ProxyDeploymentDependentResource extends ProxyDependentResource<Deployment> {

    public ProxyDeploymentDependentResource() {
        super(Deployment.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.NAME;
    }

    @Override
    protected Deployment render(NamespaceState state, Deployment actual) {
        return ProxyWorkloadRenderer.deployment(state.namespace(), inventory.settings(), state.plan().workload());
    }
}
