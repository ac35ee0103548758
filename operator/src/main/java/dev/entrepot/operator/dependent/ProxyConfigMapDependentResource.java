package dev.entrepot.operator.dependent;

import java.util.Objects;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** ConfigMap entrepot-config holding the rendered entrepot.yaml; the proxy hot-reloads it. */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class ProxyConfigMapDependentResource extends ProxyDependentResource<ConfigMap> {

    public ProxyConfigMapDependentResource() {
        super(ConfigMap.class);
    }

    @Override
    protected String objectName() {
        return ProxyWorkloadRenderer.CONFIG_MAP;
    }

    @Override
    protected ConfigMap render(NamespaceState state, ConfigMap actual) {
        return ProxyWorkloadRenderer.configMap(state.namespace(), state.entrepotYaml());
    }

    @Override
    protected boolean contentMatches(ConfigMap actual, ConfigMap desired) {
        return Objects.equals(actual.getData(), desired.getData());
    }
}
