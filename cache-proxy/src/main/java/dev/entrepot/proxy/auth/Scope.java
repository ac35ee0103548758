package dev.entrepot.proxy.auth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A token scope as the distribution token spec writes it, {@code repository:team/app:pull,push} or
 * {@code registry:catalog:*}; the same shape is a token's {@code access} entry (with {@code actions} as a list).
 */
public record Scope(String type, String name, Set<String> actions) {
    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";
    public static final Scope CATALOG = new Scope(REGISTRY, "catalog", Set.of("*"));

    /** Every scope in the given parameters; each may hold several separated by spaces (OAuth2 form posts). */
    public static List<Scope> parseAll(Iterable<String> params) {
        List<Scope> scopes = new ArrayList<>();
        for (String param : params) {
            for (String item : param.trim().split("\\s+")) {
                Scope scope = parse(item);
                if (scope != null) {
                    scopes.add(scope);
                }
            }
        }
        return scopes;
    }

    /** Null for text that is no scope (skipped, like distribution does). */
    static Scope parse(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first <= 0 || last <= first + 1) {
            return null;
        }
        String type = text.substring(0, first);
        if (type.startsWith(REPOSITORY + "(")) {
            type = REPOSITORY; // repository(plugin): docker's old plugin class
        }
        Set<String> actions = new LinkedHashSet<>();
        for (String action : text.substring(last + 1).split(",")) {
            if (!action.isBlank()) {
                actions.add(action.trim());
            }
        }
        return new Scope(type, text.substring(first + 1, last), Set.copyOf(actions));
    }

    public static Scope repository(String name, Set<Action> actions) {
        Set<String> names = new LinkedHashSet<>();
        for (Action action : Action.values()) {
            if (actions.contains(action)) {
                names.add(action.scopeName());
            }
        }
        return new Scope(REPOSITORY, name, names);
    }

    /** Whether this access entry lets {@code action} happen on repository {@code name}. */
    boolean covers(String name, Action action) {
        return type.equals(REPOSITORY) && this.name.equals(name)
                && (actions.contains(action.scopeName()) || actions.contains("*"));
    }

    boolean isCatalog() {
        return type.equals(REGISTRY) && name.equals("catalog");
    }

    /** The actions in pull, push, delete order, others after them. */
    public List<String> orderedActions() {
        List<String> ordered = new ArrayList<>();
        for (Action action : Action.values()) {
            if (actions.contains(action.scopeName())) {
                ordered.add(action.scopeName());
            }
        }
        actions.stream().filter(a -> Action.ofScopeName(a) == null).sorted().forEach(ordered::add);
        return ordered;
    }

    /** The text form, as in a challenge or a token response's {@code scope}. */
    @Override
    public String toString() {
        return type + ":" + name + ":" + String.join(",", orderedActions());
    }
}
