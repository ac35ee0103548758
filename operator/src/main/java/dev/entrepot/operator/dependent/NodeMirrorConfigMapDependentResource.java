package dev.entrepot.operator.dependent;

import java.util.Map;
import java.util.Objects;

import dev.entrepot.operator.inventory.NamespaceState;
import dev.entrepot.operator.render.NodeAgentRenderer;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * ConfigMap entrepot-node-mirror: the hosts.toml files the node agents write on every node, one key
 * per mirrored registry host. Mounted into the agents (no subPath), so a change reaches the nodes
 * without restarting them.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyWorkloadRenderer.SELECTOR))
public class NodeMirrorConfigMapDependentResource extends ProxyDependentResource<ConfigMap> {

    public NodeMirrorConfigMapDependentResource() {
        super(ConfigMap.class);
    }

    @Override
    protected String objectName() {
        return NodeAgentRenderer.CONFIG_MAP;
    }

    @Override
    protected ConfigMap render(NamespaceState state, ConfigMap actual) {
        return NodeAgentRenderer.configMap(state.namespace(), state.hostsFiles(inventory.nodeMirror()));
    }

    /** A removed host must be noticed: the agents give it back to the node. */
    @Override
    protected boolean contentMatches(ConfigMap actual, ConfigMap desired) {
        return Objects.equals(orEmpty(actual.getData()), orEmpty(desired.getData()));
    }

    private static Map<String, String> orEmpty(Map<String, String> data) {
        return data == null ? Map.of() : data;
    }
}
