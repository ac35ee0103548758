package dev.entrepot.proxy.auth;

import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.config.EntrepotConfig.Role;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may do what where, for one config generation. A repository is pulled anonymously when its
 * {@code anonymousPull} (else {@code auth.anonymousPull}) says so; users and ServiceAccounts pull where they hold
 * reader or writer (or where anonymous pull is on) and push and delete where they hold writer. A virtual repository
 * decides for pulls through it; pushes and deletes through it go to its {@code pushTo}, whose writers they need.
 * With no user and no ServiceAccount authentication configured the proxy is open: anonymous callers may also push
 * and delete wherever anonymous pull is on (as distribution is out of the box).
 */
public final class AccessPolicy {
    private final Map<String, Boolean> anonymousPull;
    private final Map<String, String> writesGoTo;
    private final Map<String, Grants> users;
    private final List<ServiceAccountBinding> bindings;
    private final boolean open;

    private AccessPolicy(Map<String, Boolean> anonymousPull, Map<String, String> writesGoTo, Map<String, Grants> users,
                         List<ServiceAccountBinding> bindings, boolean open) {
        this.anonymousPull = anonymousPull;
        this.writesGoTo = writesGoTo;
        this.users = users;
        this.bindings = bindings;
        this.open = open;
    }

    public static AccessPolicy of(EntrepotConfig config) {
        EntrepotConfig.Auth auth = config.auth();
        Map<String, Boolean> anonymous = new HashMap<>();
        Map<String, String> writes = new HashMap<>();
        for (EntrepotConfig.Repository r : config.repositories()) {
            anonymous.put(r.name(), r.anonymousPull() != null ? r.anonymousPull() : auth.anonymousPull());
            if (r.virtual() != null && r.virtual().pushTo() != null) {
                writes.put(r.name(), r.virtual().pushTo());
            }
        }
        Map<String, Grants> users = new HashMap<>();
        for (EntrepotConfig.User user : auth.users()) {
            users.put(user.name(), users.getOrDefault(user.name(), Grants.NONE).plus(user.role(), user.repositories()));
        }
        boolean kubernetes = auth.kubernetes() != null && auth.kubernetes().enabled();
        List<ServiceAccountBinding> bindings = kubernetes
                ? auth.kubernetes().bindings().stream().map(ServiceAccountBinding::of).toList() : List.of();
        return new AccessPolicy(Map.copyOf(anonymous), Map.copyOf(writes), Map.copyOf(users), bindings,
                users.isEmpty() && !kubernetes);
    }

    /** No authentication configured: anyone who reaches the proxy may push where anonymous pull is on. */
    public boolean open() {
        return open;
    }

    public boolean knowsUser(String name) {
        return users.containsKey(name);
    }

    /** True when every repository may be pulled without credentials. */
    public boolean anonymousEverywhere() {
        return !anonymousPull.containsValue(false);
    }

    /** True when some repository may be pulled without credentials. */
    public boolean anonymousAnywhere() {
        return anonymousPull.containsValue(true);
    }

    public boolean allows(Subject subject, String repository, Action action) {
        String decides = action == Action.PULL ? repository : writesGoTo.getOrDefault(repository, repository);
        boolean anonymous = anonymousPull.getOrDefault(decides, false);
        if (anonymous && (action == Action.PULL || open)) {
            return true;
        }
        return Grants.covers(grants(subject).role(decides), action);
    }

    /** Every action {@code subject} may take on {@code repository}. */
    public Set<Action> allowed(Subject subject, String repository) {
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (Action action : Action.values()) {
            if (allows(subject, repository, action)) {
                actions.add(action);
            }
        }
        return actions;
    }

    /** Registry-wide maintenance (garbage collection): a writer of every repository, or anyone when open. */
    public boolean maintains(Subject subject) {
        return open || grants(subject).everywhere(Role.WRITER);
    }

    private Grants grants(Subject subject) {
        return switch (subject.kind()) {
            case ANONYMOUS -> Grants.NONE;
            case USER -> users.getOrDefault(subject.name(), Grants.NONE);
            case SERVICE_ACCOUNT -> {
                Grants grants = Grants.NONE;
                for (ServiceAccountBinding b : bindings) {
                    if (b.matches(subject.name())) {
                        grants = grants.plus(b.role(), b.repositories());
                    }
                }
                yield grants;
            }
        };
    }
}
