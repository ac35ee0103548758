package dev.entrepot.operator.dependent;

import java.util.Map;
import java.util.Objects;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * Secret entrepot-credentials: a copy of the upstream credentials the namespace's repositories
 * reference, one file per (Secret, key). A single, always-mounted Secret means adding or
 * rotating credentials updates files in place instead of changing (and rolling) the pod template.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class CredentialsSecretDependentResource extends ProxyDependentResource<Secret> {

    public CredentialsSecretDependentResource() {
        super(Secret.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.CREDENTIALS_SECRET;
    }

    @Override
    protected Secret render(NamespaceState state, Secret actual) {
        return ProxyWorkloadRenderer.credentials(state.namespace(), state.plan().credentialFiles());
    }

    @Override
    protected boolean contentMatches(Secret actual, Secret desired) {
        return Objects.equals(orEmpty(actual.getData()), orEmpty(desired.getData()));
    }

    private static Map<String, String> orEmpty(Map<String, String> data) {
        return data == null ? Map.of() : data;
    }
}
