package dev.entrepot.operator.plan;

import static dev.entrepot.operator.plan.Problem.Category.CONFLICT;
import static dev.entrepot.operator.plan.Problem.Category.CREDENTIALS;
import static dev.entrepot.operator.plan.Problem.Category.RESOLUTION;
import static dev.entrepot.operator.plan.Problem.Category.SPEC;
import static dev.entrepot.operator.plan.Problem.Category.TLS;

import dev.entrepot.operator.crd.v1alpha1.common.Patterns;
import dev.entrepot.operator.crd.v1alpha1.repository.CleanupPolicy;
import dev.entrepot.operator.crd.v1alpha1.repository.CredentialsSecretRef;
import dev.entrepot.operator.crd.v1alpha1.repository.RemoteSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositoryMode;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositorySpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StandardSpec;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.render.ProxyConfig.RepositoryEntry;
import dev.entrepot.operator.render.ProxyConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Pure translation of a namespace's Repository and VirtualRepository objects into a
 * {@link NamespacePlan}. Only a config the proxy accepts is ever produced: whatever cannot be
 * honoured is left out (or served without the faulty part) and reported as a {@link Problem}.
 * Order is deterministic: Repositories by name, then VirtualRepositories by name.
 */
public final class NamespacePlanner {

    public static final String STORE_PATH = "/var/lib/entrepot";
    public static final String CREDENTIALS_DIR = "/etc/entrepot/credentials";
    /** The operator's generated Secret: the token signing key and the operator user's password. */
    public static final String AUTH_DIR = "/etc/entrepot/auth";
    public static final String TOKEN_KEY = "token-key.pem";
    public static final String OPERATOR_PASSWORD = "operator-password";
    static final String TOKEN_KEY_FILE = AUTH_DIR + "/" + TOKEN_KEY;
    static final String OPERATOR_PASSWORD_FILE = AUTH_DIR + "/" + OPERATOR_PASSWORD;
    /** The user the operator asks a closed proxy for its listing as: a reader of every repository. */
    public static final String OPERATOR_USER = "entrepot-operator";
    /** Where the TLS Secret (entrepot.operator.proxy.tls-secret) is mounted. */
    public static final String TLS_DIR = "/etc/entrepot/tls";
    static final String TLS_TYPE = "kubernetes.io/tls";

    private static final Pattern DURATION = Pattern.compile(Patterns.DURATION);
    private static final Pattern HOST = Pattern.compile(Patterns.REGISTRY_HOST);
    private static final Pattern URL = Pattern.compile(Patterns.REGISTRY_URL);
    private static final Comparator<HasMetadata> BY_NAME =
            Comparator.comparing(r -> r.getMetadata().getName());

    private final ProxySettings settings;
    private final Function<String, Optional<Secret>> secrets;
    private final Map<Subject, List<Problem>> problems = new LinkedHashMap<>();
    private final SortedMap<String, String> credentialFiles = new TreeMap<>();
    private final Map<String, String> mirrorClaims = new HashMap<>();
    private final Map<String, RepositoryMode> servedModes = new HashMap<>();
    private final Set<String> virtualNames = new HashSet<>();

    private final AccessPlanner access;

    private NamespacePlanner(ProxySettings settings, Function<String, Optional<Secret>> secrets) {
        this.settings = settings;
        this.secrets = secrets;
        this.access = new AccessPlanner(settings, secrets, this::credentialFile, this::report);
    }

    /** @param secrets looks a Secret of the namespace up by name */
    public static NamespacePlan plan(List<Repository> repositories, List<VirtualRepository> virtuals,
            Function<String, Optional<Secret>> secrets, ProxySettings settings) {
        return new NamespacePlanner(settings, secrets).run(repositories, virtuals);
    }

    private NamespacePlan run(List<Repository> repositories, List<VirtualRepository> virtuals) {
        List<RepositoryEntry> entries = new ArrayList<>();
        virtuals.forEach(v -> virtualNames.add(v.getMetadata().getName()));
        repositories.stream().sorted(BY_NAME).forEach(r -> repository(r).ifPresent(entries::add));
        Map<String, String> servedUpstreams = new TreeMap<>();
        virtuals.stream().sorted(BY_NAME).forEach(v -> virtual(v, repositories).ifPresent(e -> {
            entries.add(e);
            servedUpstreams.put(e.name(), summary(e.virtual().upstreams()));
        }));
        StoragePlanner.Store store = new StoragePlanner(settings, secrets, this::credentialFile, this::report)
                .plan(repositories.stream().sorted(BY_NAME).toList(), STORE_PATH);
        List<RepositoryEntry> served = withAccess(entries, repositories, virtuals);
        ProxyConfig.Notifications notifications = notifications(served, repositories, virtuals);
        ProxyConfig.Tls tls = tls(repositories, virtuals);
        var config = new ProxyConfig(store.storage(), served, access.auth(), tls, notifications);
        return new NamespacePlan(config, settings.tlsSecret(), credentialFiles, store.volumeSize(), problems,
                servedUpstreams, store.workload(), settings.replicas());
    }

    /** Grants are rendered for served repositories only: the proxy refuses a grant on a repository it lacks. */
    private List<RepositoryEntry> withAccess(List<RepositoryEntry> entries, List<Repository> repositories,
            List<VirtualRepository> virtuals) {
        List<RepositoryEntry> served = new ArrayList<>();
        for (RepositoryEntry e : entries) {
            Boolean anonymousPull;
            if ("virtual".equals(e.mode())) {
                VirtualRepository v = virtuals.stream().filter(r -> r.getMetadata().getName().equals(e.name()))
                        .findFirst().orElseThrow();
                anonymousPull = access.grant(Subject.virtual(e.name()), v.getMetadata().getNamespace(),
                        v.getSpec().getAccess());
            } else {
                Repository r = repositories.stream().filter(x -> x.getMetadata().getName().equals(e.name()))
                        .findFirst().orElseThrow();
                anonymousPull = access.grant(Subject.repository(e.name()), r.getMetadata().getNamespace(),
                        r.getSpec().getAccess());
            }
            served.add(new RepositoryEntry(e.name(), e.mode(), e.mirrorOf(), anonymousPull, e.remote(), e.standard(),
                    e.virtual()));
        }
        return List.copyOf(served);
    }

    /**
     * Endpoints are rendered for served repositories only, in the order they are served (which decides who keeps
     * a contested endpoint name). A virtual repository's endpoints get the events of its served upstreams: the proxy
     * names the repository that holds the content in each event, never the virtual one.
     */
    private ProxyConfig.Notifications notifications(List<RepositoryEntry> served, List<Repository> repositories,
            List<VirtualRepository> virtuals) {
        NotificationsPlanner planner = new NotificationsPlanner(secrets, this::credentialFile, this::report);
        for (RepositoryEntry e : served) {
            if ("virtual".equals(e.mode())) {
                VirtualRepository v = virtuals.stream().filter(r -> r.getMetadata().getName().equals(e.name()))
                        .findFirst().orElseThrow();
                planner.declare(Subject.virtual(e.name()),
                        e.virtual().upstreams().stream().map(ProxyConfig.Upstream::repository).toList(),
                        v.getSpec().getNotifications());
            } else {
                Repository r = repositories.stream().filter(x -> x.getMetadata().getName().equals(e.name()))
                        .findFirst().orElseThrow();
                planner.declare(Subject.repository(e.name()), List.of(e.name()), r.getSpec().getNotifications());
            }
        }
        return planner.notifications();
    }

    /**
     * With entrepot.operator.proxy.tls-secret set the proxy speaks HTTPS only, whether or not the Secret is there
     * yet (its pod waits for the volume): never plain HTTP where TLS was asked for. A missing or malformed Secret
     * is reported on every repository of the namespace.
     */
    private ProxyConfig.Tls tls(List<Repository> repositories, List<VirtualRepository> virtuals) {
        if (!settings.tls()) {
            return null;
        }
        String name = settings.tlsSecret();
        Optional<Secret> secret = secrets.apply(name);
        String problem = null;
        String reason = "TlsSecretInvalid";
        if (secret.isEmpty()) {
            reason = "TlsSecretNotFound";
            problem = "Secret " + name + " (entrepot.operator.proxy.tls-secret) not found in the namespace; the proxy"
                    + " serves HTTPS only and does not start until it exists";
        } else if (!TLS_TYPE.equals(secret.get().getType())) {
            problem = "Secret " + name + " (entrepot.operator.proxy.tls-secret) is of type "
                    + (secret.get().getType() == null ? "Opaque" : secret.get().getType()) + ", not " + TLS_TYPE;
        } else {
            for (String key : List.of("tls.crt", "tls.key")) {
                if (problem == null && value(secret.get(), key).isEmpty()) {
                    problem = "Secret " + name + " (entrepot.operator.proxy.tls-secret) has no key '" + key
                            + "'; the proxy cannot serve HTTPS until it has";
                }
            }
        }
        if (problem != null) {
            for (Repository r : repositories) {
                report(Subject.repository(r.getMetadata().getName()), TLS, reason, problem);
            }
            for (VirtualRepository v : virtuals) {
                report(Subject.virtual(v.getMetadata().getName()), TLS, reason, problem);
            }
        }
        return new ProxyConfig.Tls(TLS_DIR + "/tls.crt", TLS_DIR + "/tls.key");
    }

    private Optional<RepositoryEntry> repository(Repository resource) {
        String name = resource.getMetadata().getName();
        Subject subject = Subject.repository(name);
        RepositorySpec spec = resource.getSpec();
        if (spec == null || spec.getMode() == null) {
            return reject(subject, SPEC, "InvalidSpec", "spec.mode is required (remote or standard)");
        }
        List<String> mirrorOf = claimMirrors(subject, spec.getMirrorOf());
        RepositoryEntry entry;
        if (spec.getMode() == RepositoryMode.REMOTE) {
            Optional<ProxyConfig.Remote> remote = remote(subject, spec.getRemote());
            if (remote.isEmpty()) {
                releaseMirrors(name);
                return Optional.empty();
            }
            entry = new RepositoryEntry(name, "remote", mirrorOf, null, remote.get(), null, null);
        } else {
            entry = new RepositoryEntry(name, "standard", mirrorOf, null, null, standard(subject, spec.getStandard()),
                    null);
        }
        servedModes.put(name, spec.getMode());
        return Optional.of(entry);
    }

    private Optional<ProxyConfig.Remote> remote(Subject subject, RemoteSpec remote) {
        if (remote == null || remote.getUrl() == null || !URL.matcher(remote.getUrl()).matches()) {
            return reject(subject, SPEC, "InvalidSpec", "spec.remote.url must be an http(s) registry URL");
        }
        String tagTtl = Optional.ofNullable(remote.getTagTtl()).orElse(settings.defaultTagTtl());
        String retention = Optional.ofNullable(remote.getRetention()).orElse(settings.defaultRetention());
        if (!DURATION.matcher(tagTtl).matches() || !DURATION.matcher(retention).matches()) {
            return reject(subject, SPEC, "InvalidSpec",
                    "spec.remote.tagTtl and retention must be durations like 30s, 5m, 720h or 1h30m");
        }
        return Optional.of(new ProxyConfig.Remote(remote.getUrl(), credentials(subject, remote.getCredentialsSecretRef()),
                tagTtl, retention));
    }

    /** A cleanup policy the proxy would refuse is left out (nothing is deleted) and reported. */
    private ProxyConfig.Standard standard(Subject subject, StandardSpec standard) {
        boolean immutable = standard != null && Boolean.TRUE.equals(standard.getImmutableTags());
        CleanupPolicy cleanup = standard == null ? null : standard.getCleanup();
        if (cleanup == null) {
            return new ProxyConfig.Standard(immutable, null);
        }
        String olderThan = cleanup.getDeleteUntaggedOlderThan();
        if (olderThan == null || !DURATION.matcher(olderThan).matches()
                || (cleanup.getKeepRecent() != null && cleanup.getKeepRecent() < 0)) {
            report(subject, SPEC, "InvalidSpec", "spec.standard.cleanup needs deleteUntaggedOlderThan as a duration"
                    + " like 168h and keepRecent of 0 or more; nothing is cleaned up until it has");
            return new ProxyConfig.Standard(immutable, null);
        }
        return new ProxyConfig.Standard(immutable, new ProxyConfig.Cleanup(!Boolean.FALSE.equals(cleanup.getDryRun()),
                cleanup.getKeepRecent(), olderThan));
    }

    /** Missing credentials degrade to anonymous pulls (reported), rather than taking the repository offline. */
    private ProxyConfig.Credentials credentials(Subject subject, CredentialsSecretRef ref) {
        if (ref == null || ref.getName() == null) {
            return null;
        }
        Optional<Secret> secret = secrets.apply(ref.getName());
        if (secret.isEmpty()) {
            report(subject, CREDENTIALS, "SecretNotFound", "Secret " + ref.getName()
                    + " not found in the namespace; pulling anonymously until it exists");
            return null;
        }
        Optional<String> username = value(secret.get(), ref.getUsernameKey());
        Optional<String> password = value(secret.get(), ref.getPasswordKey());
        if (username.isEmpty() || password.isEmpty()) {
            String missing = username.isEmpty() ? ref.getUsernameKey() : ref.getPasswordKey();
            report(subject, CREDENTIALS, "SecretKeyNotFound", "Secret " + ref.getName() + " has no key '" + missing
                    + "'; pulling anonymously until it does");
            return null;
        }
        return new ProxyConfig.Credentials(credentialFile(ref.getName(), ref.getUsernameKey(), username.get()),
                credentialFile(ref.getName(), ref.getPasswordKey(), password.get()));
    }

    /** Secret names cannot contain '_', so "<secret>_<key>" never collides across Secrets. */
    private String credentialFile(String secretName, String key, String base64Value) {
        String file = secretName + "_" + key;
        credentialFiles.put(file, base64Value);
        return CREDENTIALS_DIR + "/" + file;
    }

    static Optional<String> value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            return Optional.of(secret.getData().get(key));
        }
        if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
            return Optional.of(Base64.getEncoder().encodeToString(
                    secret.getStringData().get(key).getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    private Optional<RepositoryEntry> virtual(VirtualRepository resource, List<Repository> repositories) {
        String name = resource.getMetadata().getName();
        Subject subject = Subject.virtual(name);
        if (repositories.stream().anyMatch(r -> r.getMetadata().getName().equals(name))) {
            return reject(subject, CONFLICT, "NameConflict",
                    "a Repository named " + name + " exists in the namespace; the Repository is served under this name");
        }
        var spec = resource.getSpec();
        if (spec == null || spec.getUpstreams() == null || spec.getUpstreams().isEmpty()) {
            return reject(subject, SPEC, "InvalidSpec", "spec.upstreams needs at least one repository");
        }
        List<ProxyConfig.Upstream> upstreams = new ArrayList<>();
        for (var upstream : spec.getUpstreams()) {
            String ref = upstream.getRepositoryRef();
            Integer priority = upstream.getPriority();
            if (ref == null || priority == null || priority < 0 || priority > 1000) {
                report(subject, SPEC, "InvalidSpec", "each upstream needs a repositoryRef and a priority from 0 to 1000");
            } else if (upstreams.stream().anyMatch(u -> u.repository().equals(ref))) {
                report(subject, SPEC, "InvalidSpec", "repository " + ref + " is listed twice in spec.upstreams");
            } else if (resolvable(subject, ref, repositories)) {
                upstreams.add(new ProxyConfig.Upstream(ref, priority));
            }
        }
        if (upstreams.isEmpty()) {
            return reject(subject, RESOLUTION, "Unresolved", "none of the upstreams can be served");
        }
        upstreams.sort(Comparator.comparingInt(ProxyConfig.Upstream::priority).reversed()
                .thenComparing(ProxyConfig.Upstream::repository));
        String pushTo = spec.getPushTo();
        String requestedPushTo = pushTo;
        if (pushTo != null && upstreams.stream().noneMatch(u -> u.repository().equals(requestedPushTo))) {
            report(subject, RESOLUTION, "PushTargetUnresolved", "pushTo " + pushTo + " is not a served upstream; pushes are refused");
            pushTo = null;
        } else if (pushTo != null && servedModes.get(pushTo) != RepositoryMode.STANDARD) {
            report(subject, RESOLUTION, "PushTargetNotStandard", "pushTo " + pushTo
                    + " is a remote repository; only standard repositories accept pushes");
            pushTo = null;
        }
        String resolutionTtl = spec.getResolutionTtl();
        if (resolutionTtl != null && !DURATION.matcher(resolutionTtl).matches()) {
            report(subject, SPEC, "InvalidSpec", "spec.resolutionTtl must be a duration like 5s, 1m or 1h30m;"
                    + " the proxy's default applies until it is");
            resolutionTtl = null;
        }
        String equalPriority = spec.getEqualPriority() == null ? null : spec.getEqualPriority().configName();
        List<String> mirrorOf = claimMirrors(subject, spec.getMirrorOf());
        return Optional.of(new RepositoryEntry(name, "virtual", mirrorOf, null, null, null,
                new ProxyConfig.Virtual(List.copyOf(upstreams), pushTo, resolutionTtl, equalPriority)));
    }

    private boolean resolvable(Subject subject, String ref, List<Repository> repositories) {
        if (servedModes.containsKey(ref)) {
            return true;
        }
        if (repositories.stream().anyMatch(r -> r.getMetadata().getName().equals(ref))) {
            report(subject, RESOLUTION, "UpstreamNotServed", "Repository " + ref + " is not served (see its status)");
        } else if (virtualNames.contains(ref)) {
            report(subject, RESOLUTION, "VirtualUpstream", ref
                    + " is a VirtualRepository; upstreams must be Repositories (remote or standard)");
        } else {
            report(subject, RESOLUTION, "UnknownRepository", "no Repository named " + ref + " in the namespace");
        }
        return false;
    }

    private List<String> claimMirrors(Subject subject, List<String> hosts) {
        List<String> claimed = new ArrayList<>();
        for (String host : hosts == null ? List.<String>of() : hosts) {
            if (host == null || !HOST.matcher(host).matches()) {
                report(subject, SPEC, "InvalidSpec", "mirrorOf entry '" + host + "' is not a registry host");
            } else if (mirrorClaims.containsKey(host) && !mirrorClaims.get(host).equals(subject.name())) {
                report(subject, CONFLICT, "MirrorConflict", "mirrorOf " + host + " is already claimed by "
                        + mirrorClaims.get(host) + "; ignored here");
            } else if (!claimed.contains(host)) {
                mirrorClaims.put(host, subject.name());
                claimed.add(host);
            }
        }
        return claimed;
    }

    private void releaseMirrors(String name) {
        mirrorClaims.values().removeIf(name::equals);
    }

    private static String summary(List<ProxyConfig.Upstream> upstreams) {
        return String.join(", ", upstreams.stream().map(u -> u.repository() + "(" + u.priority() + ")").toList());
    }

    private <T> Optional<T> reject(Subject subject, Problem.Category category, String reason, String message) {
        report(subject, category, reason, message);
        return Optional.empty();
    }

    private void report(Subject subject, Problem.Category category, String reason, String message) {
        problems.computeIfAbsent(subject, s -> new ArrayList<>()).add(Problem.of(category, reason, message));
    }
}
