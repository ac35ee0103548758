package dev.entrepot.operator.plan;

import static dev.entrepot.operator.plan.Problem.Category.CREDENTIALS;

import dev.entrepot.operator.crd.v1alpha1.common.AccessSpec;
import dev.entrepot.operator.crd.v1alpha1.common.Role;
import dev.entrepot.operator.crd.v1alpha1.common.ServiceAccountGrant;
import dev.entrepot.operator.crd.v1alpha1.common.UserSecretRef;
import dev.entrepot.operator.render.ProxyConfig;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Turns the spec.access blocks of a namespace's served repositories into entrepot.yaml's auth block.
 * A repository's grants are all or nothing: when one of its Secrets is missing or malformed, none of its
 * users and ServiceAccounts is rendered (it is never served with half its users) and the problem is
 * reported. Once anyone is granted anything the proxy is closed: an operator user (reader of every
 * repository, for the counts in status) keeps it closed even when every grant is withdrawn, and the token
 * flow signs with the namespace's generated key so restarts keep tokens valid.
 */
final class AccessPlanner {

    static final String BASIC_AUTH = "kubernetes.io/basic-auth";
    static final String USERNAME_KEY = "username";
    static final String PASSWORD_KEY = "password";

    /** One user as the Secret defines it; a second Secret with the same user name would be another password. */
    private record Defined(String secret, String passwordFile) {
    }

    /** A user read from its Secret, its password (base64) not yet copied. */
    private record Pending(String secret, String password) {
    }

    private record Grant(String user, String role) {
    }

    /** Why one entry of spec.access cannot be granted. */
    private record Broken(String reason, String message) {
    }

    private final ProxySettings settings;
    private final Function<String, Optional<Secret>> secrets;
    private final CredentialFiles files;
    private final ProblemSink problems;
    private final Map<String, Defined> users = new TreeMap<>();
    private final Map<Grant, Set<String>> grants = new TreeMap<>((a, b) -> a.user().equals(b.user())
            ? a.role().compareTo(b.role()) : a.user().compareTo(b.user()));
    private final Map<String, Map<String, Set<String>>> bindings = new LinkedHashMap<>();
    private boolean anyPrivate;

    AccessPlanner(ProxySettings settings, Function<String, Optional<Secret>> secrets, CredentialFiles files,
            ProblemSink problems) {
        this.settings = settings;
        this.secrets = secrets;
        this.files = files;
        this.problems = problems;
        this.anyPrivate = !settings.anonymousPull();
    }

    /**
     * Collects the grants of one served repository.
     *
     * @return the repository's anonymousPull override, null when its spec does not set one
     */
    Boolean grant(Subject subject, String namespace, AccessSpec access) {
        if (access == null) {
            return null;
        }
        // Closed as soon as anyone is to be granted anything, even when the grants are withdrawn below: a broken
        // Secret must never leave the proxy without users, which would open pushes to everyone.
        if (Boolean.FALSE.equals(access.getAnonymousPull()) || !orEmpty(access.getReaders()).isEmpty()
                || !orEmpty(access.getWriters()).isEmpty() || !orEmpty(access.getServiceAccounts()).isEmpty()) {
            anyPrivate = true;
        }
        Map<String, Pending> defined = new LinkedHashMap<>();
        List<Grant> wanted = new ArrayList<>();
        List<Broken> broken = new ArrayList<>();
        users(subject, "readers", access.getReaders(), Role.READER, defined, wanted, broken);
        users(subject, "writers", access.getWriters(), Role.WRITER, defined, wanted, broken);
        List<String[]> accounts = new ArrayList<>();
        for (ServiceAccountGrant sa : orEmpty(access.getServiceAccounts())) {
            if (sa == null || sa.getRole() == null) {
                broken.add(new Broken("InvalidSpec", "each spec.access.serviceAccounts entry needs a role (reader or writer)"));
                continue;
            }
            String ns = sa.getNamespace() == null ? namespace : sa.getNamespace();
            String name = sa.getName() == null ? "*" : sa.getName();
            accounts.add(new String[] {ns + ":" + name, sa.getRole().configName()});
        }
        if (!broken.isEmpty()) {
            problems.report(subject, CREDENTIALS, broken.get(0).reason(),
                    String.join("; ", broken.stream().map(Broken::message).toList()) + "; none of the users and"
                    + " ServiceAccounts of spec.access are granted anything until "
                    + (broken.size() == 1 ? "it is" : "they are") + " fixed");
            return access.getAnonymousPull();
        }
        defined.forEach((user, pending) -> users.computeIfAbsent(user, u -> new Defined(pending.secret(),
                files.file(pending.secret(), PASSWORD_KEY, pending.password()))));
        wanted.forEach(g -> grants.computeIfAbsent(g, k -> new LinkedHashSet<>()).add(subject.name()));
        accounts.forEach(a -> bindings.computeIfAbsent(a[0], k -> new TreeMap<>())
                .computeIfAbsent(a[1], k -> new LinkedHashSet<>()).add(subject.name()));
        return access.getAnonymousPull();
    }

    private void users(Subject subject, String field, List<UserSecretRef> refs, Role role, Map<String, Pending> defined,
            List<Grant> wanted, List<Broken> broken) {
        List<UserSecretRef> list = orEmpty(refs);
        for (int i = 0; i < list.size(); i++) {
            String at = "spec.access." + field + "[" + i + "]";
            String name = list.get(i) == null ? null : list.get(i).getSecretRef();
            if (name == null) {
                broken.add(new Broken("InvalidSpec", at + " needs a secretRef"));
                continue;
            }
            Optional<Secret> found = secrets.apply(name);
            if (found.isEmpty()) {
                broken.add(new Broken("SecretNotFound", "Secret " + name + " (" + at + ") not found in the namespace"));
                continue;
            }
            Secret secret = found.get();
            if (!BASIC_AUTH.equals(secret.getType())) {
                broken.add(new Broken("SecretInvalid", "Secret " + name + " (" + at + ") is of type " + (secret.getType() == null ? "Opaque"
                        : secret.getType()) + "; users need type " + BASIC_AUTH + " (kubectl create secret generic "
                        + name + " --type=" + BASIC_AUTH + " --from-literal=username=... --from-literal=password=...)"));
                continue;
            }
            Optional<String> username = NamespacePlanner.value(secret, USERNAME_KEY).map(AccessPlanner::decode);
            Optional<String> password = NamespacePlanner.value(secret, PASSWORD_KEY);
            if (username.isEmpty() || password.isEmpty()) {
                broken.add(new Broken("SecretKeyNotFound", "Secret " + name + " (" + at + ") has no key '"
                        + (username.isEmpty() ? USERNAME_KEY : PASSWORD_KEY) + "'"));
                continue;
            }
            String user = username.get().strip();
            if (user.isEmpty() || user.contains(":") || user.chars().anyMatch(Character::isISOControl)) {
                broken.add(new Broken("SecretInvalid", "Secret " + name + " (" + at + "): its username must be"
                        + " non-empty, without ':' or control characters"));
                continue;
            }
            if (user.equals(NamespacePlanner.OPERATOR_USER)) {
                broken.add(new Broken("SecretInvalid", "Secret " + name + " (" + at + "): the username " + user
                        + " is reserved for the operator"));
                continue;
            }
            String other = users.containsKey(user) ? users.get(user).secret()
                    : defined.containsKey(user) ? defined.get(user).secret() : null;
            if (other != null && !other.equals(name)) {
                broken.add(new Broken("UserConflict", "Secret " + name + " (" + at + ") defines user " + user
                        + ", which Secret " + other + " already defines with its own password"));
                continue;
            }
            defined.put(user, new Pending(name, password.get()));
            wanted.add(new Grant(user, role.configName()));
        }
    }

    /** Whether the proxy needs credentials for anything: then the operator user and the token flow are rendered. */
    boolean closed() {
        return anyPrivate;
    }

    boolean serviceAccounts() {
        return !bindings.isEmpty();
    }

    ProxyConfig.Auth auth() {
        if (!closed()) {
            return new ProxyConfig.Auth(settings.anonymousPull());
        }
        List<ProxyConfig.User> rendered = new ArrayList<>();
        grants.forEach((grant, repositories) -> rendered.add(new ProxyConfig.User(grant.user(),
                users.get(grant.user()).passwordFile(), grant.role(), List.copyOf(repositories))));
        rendered.add(new ProxyConfig.User(NamespacePlanner.OPERATOR_USER, NamespacePlanner.OPERATOR_PASSWORD_FILE,
                Role.READER.configName(), null));
        ProxyConfig.Kubernetes kubernetes = null;
        if (!bindings.isEmpty()) {
            List<ProxyConfig.Binding> rules = new ArrayList<>();
            new TreeMap<>(bindings).forEach((account, roles) -> roles.forEach((role, repositories) ->
                    rules.add(new ProxyConfig.Binding(account, role, List.copyOf(repositories)))));
            kubernetes = new ProxyConfig.Kubernetes(true,
                    settings.tokenAudiences().isEmpty() ? null : settings.tokenAudiences(), rules);
        }
        return new ProxyConfig.Auth(settings.anonymousPull(), rendered,
                new ProxyConfig.Token(NamespacePlanner.TOKEN_KEY_FILE), kubernetes);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
