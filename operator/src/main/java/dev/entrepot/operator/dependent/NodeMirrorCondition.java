package dev.entrepot.operator.dependent;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.entrepot.operator.config.OperatorConfig;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.plan.NodeMirrorSettings;
import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.smallrye.config.SmallRyeConfig;

/**
 * The node mirror runs in the one namespace entrepot.operator.node-mirror.namespace names, while it
 * holds repositories (a node's hosts.toml for a registry can name one mirror, so one namespace serves
 * every node). When that stops being true the workflow deletes the DaemonSet, whose agents put the
 * nodes' original files back as they stop.
 */
public class NodeMirrorCondition implements Condition<Object, Namespace> {

    private volatile NodeMirrorSettings settings;

    @Override
    public boolean isMet(DependentResource<Object, Namespace> dependentResource, Namespace primary,
            Context<Namespace> context) {
        return settings().enabledFor(primary.getMetadata().getName())
                && (!context.getSecondaryResources(Repository.class).isEmpty()
                        || !context.getSecondaryResources(VirtualRepository.class).isEmpty());
    }

    /** JOSDK instantiates conditions itself: read the config mapping on first use. */
    private NodeMirrorSettings settings() {
        if (settings == null) {
            settings = NodeMirrorSettings.from(ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                    .getConfigMapping(OperatorConfig.class));
        }
        return settings;
    }
}
