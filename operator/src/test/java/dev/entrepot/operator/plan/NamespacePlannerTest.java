package dev.entrepot.operator.plan;

import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.secret;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static dev.entrepot.operator.Fixtures.withCleanup;
import static dev.entrepot.operator.Fixtures.withCredentials;
import static dev.entrepot.operator.Fixtures.withStorage;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.entrepot.operator.Fixtures;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.EqualPriority;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.render.ProxyConfig;
import dev.entrepot.operator.render.ProxyConfig.RepositoryEntry;
import io.fabric8.kubernetes.api.model.Secret;

class NamespacePlannerTest {

    private static final String NS = "team-a";
    private static final Function<String, Optional<Secret>> NO_SECRETS = name -> Optional.empty();

    private static NamespacePlan plan(List<Repository> repositories, List<VirtualRepository> virtuals,
            Function<String, Optional<Secret>> secrets) {
        return NamespacePlanner.plan(repositories, virtuals, secrets, ProxySettings.defaults());
    }

    private static RepositoryEntry entry(NamespacePlan plan, String name) {
        return plan.config().repositories().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void remoteRepositoryGetsDefaultsAndCredentialFiles() {
        Secret hub = secret(NS, "hub", "bob", "s3cret");
        Repository repo = withCredentials(remote(NS, "dockerhub", "https://registry-1.docker.io", "docker.io"), "hub");

        NamespacePlan plan = plan(List.of(repo), List.of(), name -> Optional.of(hub).filter(s -> name.equals("hub")));

        RepositoryEntry entry = entry(plan, "dockerhub");
        assertThat(entry.mode()).isEqualTo("remote");
        assertThat(entry.mirrorOf()).containsExactly("docker.io");
        assertThat(entry.remote().tagTtl()).isEqualTo("5m");
        assertThat(entry.remote().retention()).isEqualTo("720h");
        assertThat(entry.remote().credentials()).isEqualTo(new ProxyConfig.Credentials(
                "/etc/entrepot/credentials/hub_username", "/etc/entrepot/credentials/hub_password"));
        assertThat(plan.credentialFiles()).containsExactlyEntriesOf(
                new java.util.TreeMap<>(Map.of("hub_password", Fixtures.b64("s3cret"), "hub_username", Fixtures.b64("bob"))));
        assertThat(plan.problems()).isEmpty();
    }

    @Test
    void missingSecretDegradesToAnonymousAndIsReported() {
        Repository repo = withCredentials(remote(NS, "quay", "https://quay.io"), "absent");

        NamespacePlan plan = plan(List.of(repo), List.of(), NO_SECRETS);

        assertThat(entry(plan, "quay").remote().credentials()).isNull();
        assertThat(plan.credentialFiles()).isEmpty();
        assertThat(plan.problemsOf(Subject.repository("quay")))
                .singleElement().satisfies(p -> {
                    assertThat(p.reason()).isEqualTo("SecretNotFound");
                    assertThat(p.message()).contains("absent");
                });
    }

    @Test
    void missingSecretKeyIsReported() {
        Secret partial = new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("hub")
                .endMetadata().withData(Map.of("username", Fixtures.b64("bob"))).build();
        Repository repo = withCredentials(remote(NS, "dockerhub", "https://registry-1.docker.io"), "hub");

        NamespacePlan plan = plan(List.of(repo), List.of(), name -> Optional.of(partial));

        assertThat(plan.problemsOf(Subject.repository("dockerhub")))
                .extracting(Problem::reason).containsExactly("SecretKeyNotFound");
        assertThat(plan.problemsOf(Subject.repository("dockerhub")).get(0).message()).contains("'password'");
    }

    @Test
    void invalidRemoteIsLeftOutSoTheProxyNeverSeesIt() {
        Repository bad = remote(NS, "bad", "ftp://example.org", "ghcr.io");
        Repository good = remote(NS, "good", "https://ghcr.io", "ghcr.io");

        NamespacePlan plan = plan(List.of(bad, good), List.of(), NO_SECRETS);

        assertThat(plan.config().repositories()).extracting(RepositoryEntry::name).containsExactly("good");
        assertThat(plan.problemsOf(Subject.repository("bad"))).extracting(Problem::reason).containsExactly("InvalidSpec");
        // The invalid repository's mirror claim was released, so the valid one gets the host.
        assertThat(entry(plan, "good").mirrorOf()).containsExactly("ghcr.io");
        assertThat(plan.problemsOf(Subject.repository("good"))).isEmpty();
    }

    @Test
    void secondClaimOnAMirrorHostIsDroppedAndReported() {
        Repository a = remote(NS, "a-hub", "https://registry-1.docker.io", "docker.io");
        Repository b = remote(NS, "b-hub", "https://mirror.gcr.io", "docker.io", "gcr.io");

        NamespacePlan plan = plan(List.of(b, a), List.of(), NO_SECRETS);

        assertThat(entry(plan, "a-hub").mirrorOf()).containsExactly("docker.io");
        assertThat(entry(plan, "b-hub").mirrorOf()).containsExactly("gcr.io");
        assertThat(plan.problemsOf(Subject.repository("b-hub"))).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("docker.io").contains("a-hub"));
    }

    @Test
    void standardRepositoryCarriesImmutableTagsAndItsCleanupPolicy() {
        NamespacePlan plan = plan(List.of(withCleanup(standard(NS, "team", true), false, 10, "168h"),
                withCleanup(standard(NS, "scratch", false), null, null, "1h30m"), standard(NS, "plain", false)),
                List.of(), NO_SECRETS);

        assertThat(entry(plan, "team").standard()).isEqualTo(
                new ProxyConfig.Standard(true, new ProxyConfig.Cleanup(false, 10, "168h")));
        assertThat(entry(plan, "scratch").standard().cleanup())
                .as("dryRun left out (no API server default, as in a unit test) stays a dry run")
                .isEqualTo(new ProxyConfig.Cleanup(true, null, "1h30m"));
        assertThat(entry(plan, "plain").standard()).isEqualTo(new ProxyConfig.Standard(false, null));
        assertThat(plan.problems()).isEmpty();
    }

    @Test
    void cleanupPolicyTheProxyWouldRefuseIsLeftOutAndReported() {
        NamespacePlan plan = plan(List.of(withCleanup(standard(NS, "no-rule", false), false, 3, null),
                withCleanup(standard(NS, "bad-age", false), false, null, "a week"),
                withCleanup(standard(NS, "negative", false), false, -1, "168h")), List.of(), NO_SECRETS);

        for (String name : List.of("no-rule", "bad-age", "negative")) {
            assertThat(entry(plan, name).standard().cleanup()).as("nothing of %s is deleted", name).isNull();
            assertThat(plan.problemsOf(Subject.repository(name))).as(name).singleElement().satisfies(p -> {
                assertThat(p.reason()).isEqualTo("InvalidSpec");
                assertThat(p.message()).contains("spec.standard.cleanup").contains("nothing is cleaned up");
            });
        }
    }

    @Test
    void virtualRepositoryIsSortedByPriorityAndKeepsAStandardPushTarget() {
        NamespacePlan plan = plan(
                List.of(remote(NS, "dockerhub", "https://registry-1.docker.io"), standard(NS, "team", true)),
                List.of(virtual(NS, "all", "team", upstream("dockerhub", 80), upstream("team", 100))), NO_SECRETS);

        RepositoryEntry all = entry(plan, "all");
        assertThat(all.mode()).isEqualTo("virtual");
        assertThat(all.virtual().upstreams()).containsExactly(
                new ProxyConfig.Upstream("team", 100), new ProxyConfig.Upstream("dockerhub", 80));
        assertThat(all.virtual().pushTo()).isEqualTo("team");
        assertThat(plan.servedUpstreams()).containsEntry("all", "team(100), dockerhub(80)");
        assertThat(plan.servedMembers("all")).isEqualTo(2);
        assertThat(all.virtual().resolutionTtl()).as("unset: the proxy's default").isNull();
        assertThat(all.virtual().equalPriority()).isNull();
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.config().repositories()).extracting(RepositoryEntry::name)
                .containsExactly("dockerhub", "team", "all");
    }

    @Test
    void resolutionSettingsReachTheConfigAndAnInvalidTtlIsLeftToTheProxysDefault() {
        VirtualRepository ordered = virtual(NS, "ordered", null, upstream("team", 1));
        ordered.getSpec().setResolutionTtl("1m30s");
        ordered.getSpec().setEqualPriority(EqualPriority.ORDERED);
        VirtualRepository odd = virtual(NS, "odd", null, upstream("team", 1));
        odd.getSpec().setResolutionTtl("soon");

        NamespacePlan plan = plan(List.of(standard(NS, "team", false)), List.of(ordered, odd), NO_SECRETS);

        assertThat(entry(plan, "ordered").virtual().resolutionTtl()).isEqualTo("1m30s");
        assertThat(entry(plan, "ordered").virtual().equalPriority()).isEqualTo("ordered");
        assertThat(entry(plan, "odd").virtual().resolutionTtl()).isNull();
        assertThat(plan.problemsOf(Subject.virtual("odd"))).singleElement()
                .satisfies(p -> assertThat(p.reason()).isEqualTo("InvalidSpec"));
        assertThat(plan.problemsOf(Subject.virtual("ordered"))).isEmpty();
    }

    @Test
    void unknownAndVirtualUpstreamsAreUnresolvedButTheRestIsServed() {
        NamespacePlan plan = plan(List.of(standard(NS, "team", false)),
                List.of(virtual(NS, "all", null, upstream("team", 10), upstream("ghost", 20), upstream("other", 5)),
                        virtual(NS, "other", null, upstream("team", 1))),
                NO_SECRETS);

        assertThat(entry(plan, "all").virtual().upstreams()).containsExactly(new ProxyConfig.Upstream("team", 10));
        assertThat(plan.problemsOf(Subject.virtual("all")))
                .extracting(Problem::category, Problem::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Problem.Category.RESOLUTION, "UnknownRepository"),
                        org.assertj.core.groups.Tuple.tuple(Problem.Category.RESOLUTION, "VirtualUpstream"));
        assertThat(plan.problemsOf(Subject.virtual("all")).get(0).message()).contains("ghost");
    }

    @Test
    void virtualWithNothingResolvableIsLeftOut() {
        NamespacePlan plan = plan(List.of(), List.of(virtual(NS, "all", null, upstream("ghost", 1))), NO_SECRETS);

        assertThat(plan.config().repositories()).isEmpty();
        assertThat(plan.problemsOf(Subject.virtual("all"))).extracting(Problem::reason)
                .containsExactly("UnknownRepository", "Unresolved");
    }

    @Test
    void pushToARemoteRepositoryIsRefused() {
        NamespacePlan plan = plan(List.of(remote(NS, "hub", "https://registry-1.docker.io")),
                List.of(virtual(NS, "all", "hub", upstream("hub", 1))), NO_SECRETS);

        assertThat(entry(plan, "all").virtual().pushTo()).isNull();
        assertThat(plan.problemsOf(Subject.virtual("all"))).extracting(Problem::reason)
                .containsExactly("PushTargetNotStandard");
    }

    @Test
    void virtualNamedLikeARepositoryIsAConflict() {
        NamespacePlan plan = plan(List.of(standard(NS, "team", false)),
                List.of(virtual(NS, "team", null, upstream("team", 1))), NO_SECRETS);

        assertThat(plan.config().repositories()).extracting(RepositoryEntry::mode).containsExactly("standard");
        assertThat(plan.problemsOf(Subject.virtual("team"))).extracting(Problem::reason).containsExactly("NameConflict");
    }

    @Test
    void largestStorageHintWinsAndMaxSizeLeavesHeadroom() {
        NamespacePlan defaults = plan(List.of(standard(NS, "team", false)), List.of(), NO_SECRETS);
        assertThat(defaults.storageSize()).isEqualTo("20Gi");
        assertThat(defaults.config().storage()).isEqualTo(new ProxyConfig.Storage("/var/lib/entrepot", "18432Mi"));

        NamespacePlan hinted = plan(List.of(withStorage(remote(NS, "a", "https://quay.io"), "100G"),
                withStorage(remote(NS, "b", "https://ghcr.io"), "50Gi"),
                withStorage(remote(NS, "c", "https://gcr.io"), "5Gi")), List.of(), NO_SECRETS);
        assertThat(hinted.storageSize()).isEqualTo("100G");
        assertThat(hinted.config().storage().maxSize()).isEqualTo("85830Mi");
    }

    @Test
    void sameInputGivesEqualPlansWhateverTheListOrder() {
        List<Repository> repositories = List.of(remote(NS, "b", "https://quay.io", "quay.io"),
                standard(NS, "a", false), remote(NS, "c", "https://ghcr.io", "ghcr.io"));
        List<Repository> reversed = new java.util.ArrayList<>(repositories);
        java.util.Collections.reverse(reversed);

        assertThat(plan(reversed, List.of(), NO_SECRETS).config())
                .isEqualTo(plan(repositories, List.of(), NO_SECRETS).config());
    }
}
