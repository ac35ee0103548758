package dev.entrepot.operator.status;

import dev.entrepot.operator.crd.v1alpha1.common.Condition;
import dev.entrepot.operator.crd.v1alpha1.common.ServingStatus;
import dev.entrepot.operator.crd.v1alpha1.common.Usage;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositoryMode;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositoryStatus;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepositoryStatus;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.Problem;
import dev.entrepot.operator.plan.Subject;
import dev.entrepot.operator.probe.ProxyListing;
import dev.entrepot.operator.probe.ProxyProbe;
import dev.entrepot.operator.probe.UpstreamProbe;
import dev.entrepot.operator.render.NodeAgentRenderer;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The one place where status conditions are decided, for both kinds of repository. */
public final class StatusAggregator {

    public static final String READY = "Ready";
    public static final String UPSTREAM_REACHABLE = "UpstreamReachable";
    public static final String RESOLVED = "Resolved";
    public static final String NODE_MIRROR = "NodeMirror";
    public static final String REPLICAS = "Replicas";

    private final NamespacePlan plan;
    private final String namespace;
    private final ProxyView proxy;
    private final Function<String, UpstreamProbe.Result> probe;
    private final Instant now;
    private final NodeMirrorView nodes;
    private ProxyListing.Listing listing;

    public StatusAggregator(NamespacePlan plan, String namespace, ProxyView proxy,
            Function<String, UpstreamProbe.Result> probe, Instant now) {
        this(plan, namespace, proxy, NodeMirrorView.disabled(), probe, now);
    }

    public StatusAggregator(NamespacePlan plan, String namespace, ProxyView proxy, NodeMirrorView nodes,
            Function<String, UpstreamProbe.Result> probe, Instant now) {
        this.plan = plan;
        this.namespace = namespace;
        this.proxy = proxy;
        this.nodes = nodes;
        this.probe = probe;
        this.now = now.truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * The proxy's counts, when it was asked for them: they fill status.usage; a repository it did not count (or
     * no answer) keeps the usage it had, so a failed listing does not make the columns flap.
     */
    public StatusAggregator withListing(ProxyListing.Listing listing) {
        this.listing = listing;
        return this;
    }

    /**
     * Whether Ready waits for the proxy to load the latest config, or for an answer at all (a Service's
     * endpoints may lag behind the Deployment's availability): no Kubernetes event says when that changes.
     */
    public boolean awaitingProxy() {
        return proxy.lagging()
                || proxy.available() && proxy.report().outcome() == ProxyProbe.Outcome.UNREACHABLE;
    }

    public RepositoryStatus repository(Repository resource) {
        String name = resource.getMetadata().getName();
        List<Problem> problems = plan.problemsOf(Subject.repository(name));
        List<Condition> conditions = new ArrayList<>();
        conditions.add(ready(name, mode(resource), problems));
        if (resource.getSpec() != null && resource.getSpec().getMode() == RepositoryMode.REMOTE) {
            conditions.add(upstreamReachable(resource, name));
        }
        List<String> mirrored = mirroredHosts(name);
        if (!mirrored.isEmpty()) {
            conditions.add(nodeMirror(mirrored));
        }
        if (plan.requestedReplicas() > 1) {
            conditions.add(replicas());
        }
        RepositoryStatus status = fill(new RepositoryStatus(), resource.getStatus(), resource.getMetadata().getGeneration(),
                name, conditions);
        status.setMirroredHosts(mirrored.isEmpty() ? null : mirrored);
        return status;
    }

    public VirtualRepositoryStatus virtual(VirtualRepository resource) {
        String name = resource.getMetadata().getName();
        List<Problem> problems = plan.problemsOf(Subject.virtual(name));
        List<Problem> unresolved = problems.stream()
                .filter(p -> p.category() == Problem.Category.RESOLUTION).toList();
        Condition resolved = unresolved.isEmpty()
                ? condition(RESOLVED, plan.serves(name) ? "True" : "Unknown",
                        plan.serves(name) ? "AllUpstreamsResolved" : "NotEvaluated",
                        plan.serves(name) ? "every upstream is a served Repository of the namespace"
                                : "upstreams were not evaluated: " + messages(problems))
                : condition(RESOLVED, "False", unresolved.get(0).reason(), messages(unresolved));
        List<Condition> conditions = new ArrayList<>(List.of(ready(name, "virtual", problems), resolved));
        List<String> mirrored = mirroredHosts(name);
        if (!mirrored.isEmpty()) {
            conditions.add(nodeMirror(mirrored));
        }
        VirtualRepositoryStatus status = fill(new VirtualRepositoryStatus(), resource.getStatus(),
                resource.getMetadata().getGeneration(), name, conditions);
        status.setMirroredHosts(mirrored.isEmpty() ? null : mirrored);
        status.setMode("virtual");
        status.setUpstreams(plan.servedUpstreams().get(name));
        status.setMembers(plan.servedMembers(name));
        return status;
    }

    private Condition ready(String name, String mode, List<Problem> problems) {
        if (!problems.isEmpty()) {
            return condition(READY, "False", problems.get(0).reason(), messages(problems));
        }
        if (!proxy.available()) {
            return condition(READY, "False", "ProxyUnavailable", "waiting for Deployment "
                    + ProxyWorkloadRenderer.NAME + " in " + namespace + " to have an available replica");
        }
        ProxyProbe.Report report = proxy.report();
        return switch (report.outcome()) {
            case NOT_PROBED -> condition(READY, "Unknown", "NotProbed", report.detail());
            case UNREACHABLE -> condition(READY, "Unknown", "ProxyUnreachable",
                    "cannot ask the proxy whether it serves the latest configuration: " + report.detail());
            case OUTDATED -> condition(READY, "Unknown", "ProxyOutdated", report.detail());
            case ANSWERED -> answered(name, mode, report);
        };
    }

    private Condition answered(String name, String mode, ProxyProbe.Report report) {
        if (!report.up()) {
            return condition(READY, "False", "ProxyUnavailable", "the proxy reports it is not ready: " + report.detail());
        }
        if (!proxy.renderedSha256().equals(report.configSha256())) {
            return report.rejected() != null
                    ? condition(READY, "False", "ConfigRejected",
                            "the proxy keeps its previous configuration: " + report.rejected())
                    : condition(READY, "False", "ConfigPending", "the proxy has not loaded the latest configuration"
                            + " yet (ConfigMap changes reach the pod within about a minute)");
        }
        if (report.unserved().contains(name)) {
            return condition(READY, "False", "NotServed",
                    "this version of Entrepot does not serve " + mode + " repositories yet");
        }
        if (!report.served().contains(name)) {
            return condition(READY, "False", "NotServed", "the proxy does not list " + name
                    + " among the repositories it serves");
        }
        return condition(READY, "True", "Serving", "served at " + url(name));
    }

    /** The mirrorOf hosts nodes pull through this repository: those it is served with, when the node mirror runs here. */
    private List<String> mirroredHosts(String name) {
        if (!nodes.enabled()) {
            return List.of();
        }
        return plan.config().repositories().stream().filter(r -> r.name().equals(name)).findFirst()
                .map(r -> List.copyOf(r.mirrorOf())).orElse(List.of());
    }

    /** Whether the nodes pull these hosts through the mirror: the node agents' readiness says so per node. */
    private Condition nodeMirror(List<String> hosts) {
        String files = "hosts.toml for " + String.join(", ", hosts);
        String agents = NodeAgentRenderer.NAME + " in " + namespace;
        if (nodes.daemonSet() == null) {
            return condition(NODE_MIRROR, "False", "AgentPending", "waiting for DaemonSet " + agents);
        }
        int desired = nodes.desired();
        int ready = nodes.ready();
        if (desired == 0) {
            return condition(NODE_MIRROR, "False", "NoNodes", "DaemonSet " + agents
                    + " runs on no node yet (or its node selection and tolerations match none)");
        }
        if (ready < desired) {
            return condition(NODE_MIRROR, "False", "NodesNotReady", files + " is in effect on " + ready + " of "
                    + desired + " nodes. An agent is ready once it wrote the files and containerd's config_path"
                    + " includes " + nodes.hostsDir() + "; kubectl -n " + namespace + " get pods -l"
                    + " app.kubernetes.io/name=" + NodeAgentRenderer.NAME + " -o wide shows which nodes, their"
                    + " logs and /status why");
        }
        return condition(NODE_MIRROR, "True", "NodesMirrored", files + " is in effect on all " + desired
                + " nodes: their containerd pulls through the node agent at " + nodes.mirrorUrl()
                + " and falls back to the registry when the proxy cannot answer");
    }

    /**
     * Whether the namespace's proxy runs the replicas entrepot.operator.proxy.replicas asks for (only said when it
     * asks for more than one). Informational: a single replica serves all the same.
     */
    private Condition replicas() {
        int asked = plan.requestedReplicas();
        if (!plan.s3()) {
            return condition(REPLICAS, "False", "FilesystemStore", "entrepot.operator.proxy.replicas asks for " + asked
                    + " proxy replicas, but the namespace's hosted content is on a ReadWriteOnce volume, which one pod"
                    + " owns: 1 runs. Set spec.storage.s3 on a Repository of the namespace to run " + asked);
        }
        return condition(REPLICAS, "True", "SharedStore", plan.workload().replicas() + " proxy replicas share the"
                + " hosted content in bucket " + plan.config().storage().s3().bucket() + "; a client keeps to one"
                + " replica (Service session affinity ClientIP), where its upload sessions live");
    }

    /** Null only with a spec problem, which Ready reports before it looks at modes. */
    private static String mode(Repository resource) {
        return resource.getSpec() == null || resource.getSpec().getMode() == null ? null
                : resource.getSpec().getMode().configName();
    }

    private Condition upstreamReachable(Repository resource, String name) {
        if (!plan.serves(name)) {
            return condition(UPSTREAM_REACHABLE, "Unknown", "NotServed", "the repository is not served");
        }
        UpstreamProbe.Result result = probe.apply(resource.getSpec().getRemote().getUrl());
        return switch (result.reachability()) {
            case REACHABLE -> condition(UPSTREAM_REACHABLE, "True", "Reachable", result.detail());
            case UNREACHABLE -> condition(UPSTREAM_REACHABLE, "False", "Unreachable", result.detail());
            case UNKNOWN -> condition(UPSTREAM_REACHABLE, "Unknown", "NotProbed", result.detail());
        };
    }

    private <S extends ServingStatus> S fill(S status, ServingStatus previous, Long generation, String name,
            List<Condition> conditions) {
        for (Condition c : conditions) {
            c.setObservedGeneration(generation);
            c.setLastTransitionTime(previous == null ? now.toString() : previous.getConditions().stream()
                    .filter(old -> Objects.equals(old.getType(), c.getType())
                            && Objects.equals(old.getStatus(), c.getStatus()))
                    .map(Condition::getLastTransitionTime).findFirst().orElse(now.toString()));
        }
        status.setConditions(conditions);
        status.setObservedGeneration(generation);
        status.setUrl(plan.serves(name) ? url(name) : null);
        status.setEndpoint(plan.serves(name) ? endpoint() : null);
        status.setUsage(usage(name, previous));
        return status;
    }

    private Usage usage(String name, ServingStatus previous) {
        if (!plan.serves(name)) {
            return null;
        }
        ProxyListing.Counts counts = listing == null ? null : listing.repositories().get(name);
        if (counts != null) {
            return new Usage(counts.images(), counts.versions(), counts.tags(), counts.bytes());
        }
        return previous == null ? null : previous.getUsage();
    }

    /** The proxy's base URL, with the scheme it speaks. */
    public String endpoint() {
        return (plan.tls() ? "https" : "http") + "://" + ProxyWorkloadRenderer.NAME + "." + namespace + ".svc:"
                + ProxyWorkloadRenderer.PORT;
    }

    /** The in-cluster pull prefix of a repository. */
    public String url(String name) {
        return ProxyWorkloadRenderer.NAME + "." + namespace + ".svc:" + ProxyWorkloadRenderer.PORT + "/" + name;
    }

    private static Condition condition(String type, String status, String reason, String message) {
        return new Condition(type, status, reason, message);
    }

    private static String messages(List<Problem> problems) {
        return problems.stream().map(Problem::message).collect(Collectors.joining("; "));
    }
}
