package dev.entrepot.operator.status;

import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.s3;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static dev.entrepot.operator.Fixtures.withCredentials;
import static dev.entrepot.operator.Fixtures.withS3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.common.Condition;
import dev.entrepot.operator.crd.v1alpha1.common.ServingStatus;
import dev.entrepot.operator.crd.v1alpha1.common.Usage;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositoryStatus;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepositoryStatus;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.ProxySettings;
import dev.entrepot.operator.probe.ProxyListing;
import dev.entrepot.operator.probe.ProxyProbe.Report;
import dev.entrepot.operator.probe.UpstreamProbe;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ready as decided from the plan, the proxy Deployment and the proxy's own report. */
class StatusAggregatorTest {

    private static final String NS = "team-a";
    private static final String RENDERED = "c28e61e0755b6d4d3c644d5cd6c7855767b4f8ff306f3ddc6bc2da306fc67b5f";
    private static final String OLDER = "b38534eca9192aa6c2a9fe43dbb402201630ab9a24f8b3d9d5d8c15edf4e2f8e";
    private static final Set<String> ALL = Set.of("hub", "team", "all");

    private final Repository hub = remote(NS, "hub", "https://registry-1.docker.io");
    private final Repository team = standard(NS, "team", true);
    private final VirtualRepository all = virtual(NS, "all", "team", upstream("team", 100), upstream("hub", 80));
    private final NamespacePlan plan = NamespacePlanner.plan(List.of(hub, team), List.of(all), name -> Optional.empty(),
            ProxySettings.defaults());

    private StatusAggregator aggregator(ProxyView proxy) {
        return new StatusAggregator(plan, NS, proxy, url -> UpstreamProbe.Result.reachable(url + "/v2/ answered 401"),
                Instant.parse("2026-12-02T06:00:00Z"));
    }

    private static StatusAggregator answered(NamespacePlan plan, Report report) {
        return new StatusAggregator(plan, NS, new ProxyView(true, RENDERED, report),
                url -> UpstreamProbe.Result.reachable("ok"), Instant.parse("2026-12-02T06:00:00Z"));
    }

    private StatusAggregator answered(Report report) {
        return answered(plan, report);
    }

    private static Condition ready(ServingStatus status) {
        return status.getConditions().stream().filter(c -> c.getType().equals(StatusAggregator.READY)).findFirst()
                .orElseThrow();
    }

    private static void assertReady(ServingStatus status, String value, String reason, String message) {
        Condition ready = ready(status);
        assertThat(ready.getStatus()).as("Ready of %s", status.getUrl()).isEqualTo(value);
        assertThat(ready.getReason()).isEqualTo(reason);
        assertThat(ready.getMessage()).contains(message);
    }

    @Test
    void servingOnlyOnceTheProxyAppliedTheRenderedConfigAndListsTheRepository() {
        StatusAggregator statuses = answered(Report.answered(true, RENDERED, ALL, Set.of(), null, "answered 200"));

        assertReady(statuses.repository(hub), "True", "Serving", "served at entrepot.team-a.svc:5000/hub");
        assertReady(statuses.repository(team), "True", "Serving", "served at entrepot.team-a.svc:5000/team");
        assertReady(statuses.virtual(all), "True", "Serving", "served at entrepot.team-a.svc:5000/all");
        assertThat(statuses.virtual(all).getMembers()).as("MEMBERS column").isEqualTo(2);
        assertThat(statuses.awaitingProxy()).isFalse();
    }

    @Test
    void withoutAnAvailableReplicaTheProxyIsNotAsked() {
        StatusAggregator statuses = aggregator(new ProxyView(false, RENDERED, null));

        assertReady(statuses.repository(team), "False", "ProxyUnavailable",
                "waiting for Deployment entrepot in team-a to have an available replica");
        assertThat(statuses.awaitingProxy()).as("the Deployment's status change is an event").isFalse();
    }

    @Test
    void anOlderConfigInForceIsPendingAndAskedAgain() {
        StatusAggregator statuses = answered(Report.answered(true, OLDER, ALL, Set.of(), null, "answered 200"));

        for (ServingStatus status : List.of(statuses.repository(hub), statuses.repository(team), statuses.virtual(all))) {
            assertReady(status, "False", "ConfigPending", "the proxy has not loaded the latest configuration yet"
                    + " (ConfigMap changes reach the pod within about a minute)");
        }
        assertThat(statuses.awaitingProxy()).isTrue();
    }

    @Test
    void aRejectedConfigShowsTheProxysMessage() {
        String message = "invalid configuration /etc/entrepot/config/entrepot.yaml: repositories[1].standard.cleanup"
                + ".deleteUntaggedOlderThan: required (the rule that deletes; keepRecent only protects)";
        StatusAggregator statuses = answered(Report.answered(true, OLDER, ALL, Set.of(), message, "answered 200"));

        assertReady(statuses.repository(team), "False", "ConfigRejected",
                "the proxy keeps its previous configuration: " + message);
        assertThat(statuses.awaitingProxy()).as("only a new ConfigMap helps, and that is an event").isFalse();
    }

    @Test
    void aRejectionOlderThanTheConfigInForceDoesNotMatter() {
        StatusAggregator statuses = answered(Report.answered(true, RENDERED, ALL, Set.of(), "old news", "answered 200"));

        assertReady(statuses.repository(team), "True", "Serving", "served at");
    }

    @Test
    void whatTheProxyDoesNotServeIsNotServedWhateverTheRest() {
        StatusAggregator statuses = answered(Report.answered(true, RENDERED, Set.of("hub", "team"), Set.of("all"),
                null, "answered 200"));

        assertReady(statuses.virtual(all), "False", "NotServed",
                "this version of Entrepot does not serve virtual repositories yet");
        assertReady(statuses.repository(hub), "True", "Serving", "served at");
        assertThat(statuses.awaitingProxy()).isFalse();

        StatusAggregator unlisted = answered(Report.answered(true, RENDERED, Set.of("hub", "all"), Set.of(), null,
                "answered 200"));
        assertReady(unlisted.repository(team), "False", "NotServed",
                "the proxy does not list team among the repositories it serves");
    }

    @Test
    void aProxyThatCannotBeAskedIsSaidSoNotGuessed() {
        StatusAggregator unreachable = answered(Report.unreachable("cannot resolve entrepot.team-a.svc: the operator"
                + " runs outside the cluster, or without cluster DNS"));
        assertReady(unreachable.repository(team), "Unknown", "ProxyUnreachable",
                "cannot ask the proxy whether it serves the latest configuration: cannot resolve entrepot.team-a.svc");
        assertThat(unreachable.awaitingProxy()).as("endpoints may lag behind availability").isTrue();

        StatusAggregator outdated = answered(Report.outdated("http://entrepot.team-a.svc:5000/q/health/ready does not"
                + " report configSha256: the proxy image is older than the operator"));
        assertReady(outdated.virtual(all), "Unknown", "ProxyOutdated", "older than the operator");
        assertThat(outdated.awaitingProxy()).isFalse();

        StatusAggregator disabled = answered(Report.notProbed("asking the proxy is disabled"));
        assertReady(disabled.repository(hub), "Unknown", "NotProbed", "disabled");
        assertThat(disabled.awaitingProxy()).isFalse();
    }

    @Test
    void aProxyReportingDownIsUnavailable() {
        StatusAggregator statuses = answered(Report.answered(false, RENDERED, ALL, Set.of(), null,
                "http://entrepot.team-a.svc:5000/q/health/ready answered 503: its store is not writable"));

        assertReady(statuses.repository(team), "False", "ProxyUnavailable",
                "the proxy reports it is not ready: http://entrepot.team-a.svc:5000/q/health/ready answered 503:"
                        + " its store is not writable");
    }

    @Test
    void problemsOfTheSpecComeBeforeWhatTheProxySays() {
        Repository locked = withCredentials(remote(NS, "locked", "https://registry.example.com"), "absent");
        NamespacePlan withProblem = NamespacePlanner.plan(List.of(locked), List.of(), name -> Optional.empty(),
                ProxySettings.defaults());

        StatusAggregator statuses = answered(withProblem, Report.answered(true, RENDERED, Set.of("locked"), Set.of(),
                null, "answered 200"));

        assertReady(statuses.repository(locked), "False", "SecretNotFound", "pulling anonymously");
    }

    private static Condition condition(ServingStatus status, String type) {
        return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
    }

    private static DaemonSet agents(int desired, int ready) {
        return new DaemonSetBuilder().withNewMetadata().withName("entrepot-node-agent").endMetadata()
                .withNewStatus().withDesiredNumberScheduled(desired).withNumberReady(ready).endStatus().build();
    }

    private StatusAggregator withNodes(DaemonSet daemonSet) {
        Repository mirrored = remote(NS, "hub", "https://registry-1.docker.io", "docker.io", "ghcr.io");
        NamespacePlan mirrorPlan = NamespacePlanner.plan(List.of(mirrored, team), List.of(all), name -> Optional.empty(),
                ProxySettings.defaults());
        return new StatusAggregator(mirrorPlan, NS, new ProxyView(true, RENDERED,
                Report.answered(true, RENDERED, ALL, Set.of(), null, "answered 200")),
                new NodeMirrorView(true, daemonSet, "/etc/containerd/certs.d", "http://127.0.0.1:5050"),
                url -> UpstreamProbe.Result.reachable("ok"), Instant.parse("2026-12-02T06:00:00Z"));
    }

    @Test
    void nodeMirrorFollowsTheAgentsReadinessAndListsTheHosts() {
        Repository hub = remote(NS, "hub", "https://registry-1.docker.io", "docker.io", "ghcr.io");

        RepositoryStatus pending = withNodes(null).repository(hub);
        assertThat(pending.getMirroredHosts()).containsExactly("docker.io", "ghcr.io");
        assertThat(condition(pending, StatusAggregator.NODE_MIRROR)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("AgentPending");
        });
        assertThat(condition(withNodes(agents(0, 0)).repository(hub), StatusAggregator.NODE_MIRROR).getReason())
                .isEqualTo("NoNodes");
        Condition partly = condition(withNodes(agents(3, 2)).repository(hub), StatusAggregator.NODE_MIRROR);
        assertThat(partly.getStatus()).isEqualTo("False");
        assertThat(partly.getReason()).isEqualTo("NodesNotReady");
        assertThat(partly.getMessage()).contains("hosts.toml for docker.io, ghcr.io is in effect on 2 of 3 nodes")
                .contains("config_path").contains("/etc/containerd/certs.d")
                .contains("kubectl -n team-a get pods -l app.kubernetes.io/name=entrepot-node-agent -o wide");
        Condition all3 = condition(withNodes(agents(3, 3)).repository(hub), StatusAggregator.NODE_MIRROR);
        assertThat(all3.getStatus()).isEqualTo("True");
        assertThat(all3.getReason()).isEqualTo("NodesMirrored");
        assertThat(all3.getMessage()).contains("on all 3 nodes").contains("http://127.0.0.1:5050");
        assertReady(withNodes(agents(3, 0)).repository(hub), "True", "Serving", "served at");
    }

    @Test
    void repositoriesWithoutMirroredHostsOrOutsideTheNodeMirrorNamespaceHaveNoNodeMirror() {
        assertThat(condition(withNodes(agents(1, 1)).repository(team), StatusAggregator.NODE_MIRROR)).isNull();
        assertThat(withNodes(agents(1, 1)).virtual(all).getMirroredHosts()).isNull();

        Repository hub = remote(NS, "hub", "https://registry-1.docker.io", "docker.io");
        NamespacePlan mirrorPlan = NamespacePlanner.plan(List.of(hub), List.of(), name -> Optional.empty(),
                ProxySettings.defaults());
        RepositoryStatus elsewhere = answered(mirrorPlan, Report.answered(true, RENDERED, Set.of("hub"), Set.of(), null,
                "answered 200")).repository(hub);
        assertThat(condition(elsewhere, StatusAggregator.NODE_MIRROR)).as("node mirror not in this namespace").isNull();
        assertThat(elsewhere.getMirroredHosts()).isNull();
    }

    @Test
    void aVirtualRepositoryCanBeTheNodesMirrorToo() {
        VirtualRepository mirroringAll = virtual(NS, "all", "team", upstream("team", 100), upstream("hub", 80));
        mirroringAll.getSpec().setMirrorOf(List.of("quay.io"));
        NamespacePlan mirrorPlan = NamespacePlanner.plan(List.of(hub, team), List.of(mirroringAll),
                name -> Optional.empty(), ProxySettings.defaults());

        VirtualRepositoryStatus status = new StatusAggregator(mirrorPlan, NS, new ProxyView(false, RENDERED, null),
                new NodeMirrorView(true, agents(2, 2), "/etc/containerd/certs.d", "http://127.0.0.1:5050"),
                url -> UpstreamProbe.Result.reachable("ok"), Instant.parse("2026-12-02T06:00:00Z")).virtual(mirroringAll);

        assertThat(status.getMirroredHosts()).containsExactly("quay.io");
        assertThat(condition(status, StatusAggregator.NODE_MIRROR).getStatus()).isEqualTo("True");
    }

    @Test
    void anUnchangedConditionKeepsItsTransitionTime() {
        Report pending = Report.answered(true, OLDER, ALL, Set.of(), null, "answered 200");
        team.setStatus(answered(pending).repository(team));
        String first = ready(team.getStatus()).getLastTransitionTime();

        var later = new StatusAggregator(plan, NS, new ProxyView(true, RENDERED, pending),
                url -> UpstreamProbe.Result.reachable("ok"), Instant.parse("2026-12-02T07:00:00Z"));

        assertThat(ready(later.repository(team)).getLastTransitionTime()).isEqualTo(first);
    }

    @Test
    void countsFillUsageAndAMissingAnswerKeepsThePreviousOne() {
        Report served = Report.answered(true, RENDERED, ALL, Set.of(), null, "answered 200");
        RepositoryStatus counted = answered(served).withListing(ProxyListing.Listing.answered(
                Map.of("team", new ProxyListing.Counts(1, 2, 3, 1329)))).repository(team);
        assertThat(counted.getUsage()).isEqualTo(new Usage(1, 2, 3, 1329));
        assertThat(counted.getUsage().getSize()).isEqualTo("1.3Ki");

        team.setStatus(counted);
        assertThat(answered(served).withListing(ProxyListing.Listing.failed("timed out")).repository(team).getUsage())
                .as("a failed listing keeps the last counts").isEqualTo(new Usage(1, 2, 3, 1329));
        assertThat(answered(served).repository(hub).getUsage()).as("never counted").isNull();
    }

    @Test
    void sizesReadAsKubernetesQuantitiesDo() {
        assertThat(Usage.humanSize(0)).isEqualTo("0");
        assertThat(Usage.humanSize(512)).isEqualTo("512B");
        assertThat(Usage.humanSize(1024)).isEqualTo("1Ki");
        assertThat(Usage.humanSize(1536)).isEqualTo("1.5Ki");
        assertThat(Usage.humanSize(20L * 1024 * 1024 * 1024)).isEqualTo("20Gi");
        assertThat(Usage.humanSize(1023L * 1024 * 1024 + 1000L * 1024)).isEqualTo("1024Mi");
    }

    @Test
    void theEndpointNamesTheSchemeTheProxySpeaks() {
        assertThat(answered(Report.answered(true, RENDERED, ALL, Set.of(), null, "ok")).repository(team).getEndpoint())
                .isEqualTo("http://entrepot.team-a.svc:5000");
        NamespacePlan tls = NamespacePlanner.plan(List.of(hub, team), List.of(all), name -> Optional.empty(),
                ProxySettings.defaults().withTlsSecret("entrepot-tls"));
        assertThat(answered(tls, Report.answered(true, RENDERED, ALL, Set.of(), null, "ok")).repository(team)
                .getEndpoint()).isEqualTo("https://entrepot.team-a.svc:5000");
    }

    /** Asking for replicas a filesystem store cannot have is said on every Repository, and serving goes on. */
    @Test
    void replicasTheStoreCannotHaveAreExplainedWithoutStoppingService() {
        Report served = Report.answered(true, RENDERED, ALL, Set.of(), null, "answered 200");
        NamespacePlan filesystem = NamespacePlanner.plan(List.of(hub, team), List.of(all), name -> Optional.empty(),
                ProxySettings.defaults().withReplicas(3));

        RepositoryStatus status = answered(filesystem, served).repository(team);
        assertReady(status, "True", "Serving", "served at");
        Condition replicas = condition(status, StatusAggregator.REPLICAS);
        assertThat(replicas.getStatus()).isEqualTo("False");
        assertThat(replicas.getReason()).isEqualTo("FilesystemStore");
        assertThat(replicas.getMessage()).contains("asks for 3").contains("1 runs").contains("spec.storage.s3");
        assertThat(condition(answered(filesystem, served).repository(hub), StatusAggregator.REPLICAS)).isNotNull();

        Repository inBucket = withS3(standard(NS, "team", true), s3("images", null, null));
        NamespacePlan s3 = NamespacePlanner.plan(List.of(hub, inBucket), List.of(all), name -> Optional.empty(),
                ProxySettings.defaults().withReplicas(3));
        Condition scaled = condition(answered(s3, served).repository(inBucket), StatusAggregator.REPLICAS);
        assertThat(scaled.getStatus()).isEqualTo("True");
        assertThat(scaled.getReason()).isEqualTo("SharedStore");
        assertThat(scaled.getMessage()).contains("3 proxy replicas").contains("bucket images").contains("ClientIP");

        assertThat(condition(answered(served).repository(team), StatusAggregator.REPLICAS))
                .as("one replica asked: nothing to say").isNull();
    }
}
