package dev.entrepot.operator.deploy;

import dev.entrepot.operator.config.OperatorConfig;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.reconciler.NamespaceProxyReconciler;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.CRDPresentActivationCondition;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The API permissions the operator needs, derived from its code: the reconciler's primary type,
 * its workflow dependents (full CRUD), the informer event sources of prepareEventSources (read),
 * the status subresources StatusWriter updates, and the CRD read of CRD-present activation conditions.
 */
final class OperatorRbac {

    record Grant(String group, String resource, String verb, String resourceName) implements Comparable<Grant> {
        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }
    }

    private static final List<String> READ = List.of("list", "watch");
    private static final List<String> CRUD = List.of("list", "watch", "create", "update", "delete");
    /** The informers NamespaceProxyReconciler#prepareEventSources registers. */
    private static final List<Class<? extends HasMetadata>> EVENT_SOURCES =
            List.of(Repository.class, VirtualRepository.class, Secret.class);
    /** The custom resources whose status StatusWriter updates. */
    private static final List<Class<? extends HasMetadata>> STATUS_WRITES =
            List.of(Repository.class, VirtualRepository.class);

    private OperatorRbac() {
    }

    static Set<Grant> needed() {
        Set<Grant> grants = new TreeSet<>();
        add(grants, primaryType(), READ, null);
        EVENT_SOURCES.forEach(type -> add(grants, type, READ, null));
        STATUS_WRITES.forEach(type -> grants.add(
                new Grant(HasMetadata.getGroup(type), HasMetadata.getPlural(type) + "/status", "update", null)));
        for (Dependent dependent : NamespaceProxyReconciler.class.getAnnotation(Workflow.class).dependents()) {
            Class<? extends HasMetadata> type = resourceType(dependent.type());
            add(grants, type, CRUD, null);
            if (type == ClusterRoleBinding.class) {
                // Creating a binding needs bind on the role it names (RBAC's escalation check).
                grants.add(new Grant("rbac.authorization.k8s.io", "clusterroles", "bind",
                        ProxyWorkloadRenderer.TOKEN_REVIEW_ROLE));
            }
            if (CRDPresentActivationCondition.class.isAssignableFrom(dependent.activationCondition())) {
                grants.add(new Grant("apiextensions.k8s.io", "customresourcedefinitions", "get",
                        HasMetadata.getFullResourceName(type)));
            }
        }
        return grants;
    }

    static Set<Grant> granted(ClusterRole role) {
        Set<Grant> grants = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                    ? java.util.Collections.singletonList(null) : rule.getResourceNames();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        names.forEach(name -> grants.add(new Grant(group, resource, verb, name)));
                    }
                }
            }
        }
        return grants;
    }

    /** Environment variable names of every OperatorConfig property (ENTREPOT_OPERATOR_PROXY_IMAGE ...). */
    static Set<String> configEnvNames() {
        Set<String> names = new TreeSet<>();
        collect("entrepot.operator", OperatorConfig.class, names);
        return names;
    }

    private static void collect(String prefix, Class<?> type, Set<String> names) {
        for (Method method : type.getDeclaredMethods()) {
            String property = prefix + "." + method.getName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            if (method.getReturnType().isInterface() && method.getReturnType().getName().startsWith("dev.entrepot")) {
                collect(property, method.getReturnType(), names);
            } else {
                names.add(property.replaceAll("[.-]", "_").toUpperCase(Locale.ROOT));
            }
        }
    }

    private static void add(Set<Grant> grants, Class<? extends HasMetadata> type, List<String> verbs, String name) {
        verbs.forEach(verb -> grants.add(new Grant(HasMetadata.getGroup(type), HasMetadata.getPlural(type), verb, name)));
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends HasMetadata> primaryType() {
        for (var type : NamespaceProxyReconciler.class.getGenericInterfaces()) {
            if (type instanceof ParameterizedType p && p.getRawType() == Reconciler.class) {
                return (Class<? extends HasMetadata>) p.getActualTypeArguments()[0];
            }
        }
        throw new IllegalStateException("NamespaceProxyReconciler implements no Reconciler<P>");
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends HasMetadata> resourceType(Class<? extends DependentResource> dependent) {
        try {
            return (Class<? extends HasMetadata>) dependent.getDeclaredConstructor().newInstance().resourceType();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + dependent, e);
        }
    }
}
