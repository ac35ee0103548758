package dev.entrepot.proxy.auth;

import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.config.EntrepotConfig.Role;
import java.util.List;

/** {@code auth.kubernetes.bindings[]}: {@code namespace:name} or {@code namespace:*} gets {@code role} on repositories. */
record ServiceAccountBinding(String namespace, String name, Role role, List<String> repositories) {

    static ServiceAccountBinding of(EntrepotConfig.Binding binding) {
        int colon = binding.serviceAccount().indexOf(':');
        return new ServiceAccountBinding(binding.serviceAccount().substring(0, colon),
                binding.serviceAccount().substring(colon + 1), binding.role(), binding.repositories());
    }

    /** @param account {@code namespace:name} */
    boolean matches(String account) {
        int colon = account.indexOf(':');
        return colon > 0 && account.substring(0, colon).equals(namespace)
                && (name.equals("*") || account.substring(colon + 1).equals(name));
    }
}
