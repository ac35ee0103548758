package dev.entrepot.operator.dependent;

import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * ClusterRoleBinding entrepot-proxy-tokenreview-&lt;namespace&gt;: the ClusterRole entrepot-proxy-tokenreview
 * (create tokenreviews) for the namespace's proxy ServiceAccount, only while ServiceAccount auth is on there
 * ({@link ServiceAccountAuthCondition}). TokenReviews are cluster-scoped, so a RoleBinding cannot grant them, and a
 * cluster-scoped object cannot be owned by the namespace's repositories: its owner is the Namespace, so deleting
 * the namespace deletes it too; the workflow deletes it when the grant is no longer needed.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class TokenReviewBindingDependentResource extends CRUDKubernetesDependentResource<ClusterRoleBinding, Namespace> {

    public TokenReviewBindingDependentResource() {
        super(ClusterRoleBinding.class);
    }

    @Override
    protected ClusterRoleBinding desired(Namespace primary, Context<Namespace> context) {
        return ProxyWorkloadRenderer.tokenReviewBinding(primary.getMetadata().getName());
    }
}
