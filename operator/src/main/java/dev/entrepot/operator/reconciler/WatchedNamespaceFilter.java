package dev.entrepot.operator.reconciler;

import java.util.Optional;
import java.util.Set;

import org.eclipse.microprofile.config.ConfigProvider;

import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.processing.event.source.filter.GenericFilter;

/** Ignores Namespaces outside entrepot.operator.namespaces (when that list is set). */
public class WatchedNamespaceFilter implements GenericFilter<Namespace> {

    private final Optional<Set<String>> watched = ConfigProvider.getConfig()
            .getOptionalValues("entrepot.operator.namespaces", String.class).map(Set::copyOf);

    @Override
    public boolean accept(Namespace namespace) {
        return watched.map(set -> set.contains(namespace.getMetadata().getName())).orElse(true);
    }
}
