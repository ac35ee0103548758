package dev.entrepot.operator.plan;

import static dev.entrepot.operator.Fixtures.b64;
import static dev.entrepot.operator.Fixtures.endpoint;
import static dev.entrepot.operator.Fixtures.opaque;
import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static dev.entrepot.operator.Fixtures.withNotifications;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.common.HeadersSecretRef;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEndpoint;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEvent;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.render.ProxyConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** spec.notifications, as NamespacePlanner renders it into the notifications block. */
class NotificationsPlannerTest {

    private static final String NS = "team-a";
    private static final String HOOK = "https://hooks.example/registry";
    private static final String HEADERS = "# shared with the CI\nAuthorization: Bearer s3cret\n\nX-Source: entrepot\n";

    private static Function<String, Optional<Secret>> secrets(Secret... secrets) {
        Map<String, Secret> byName = new HashMap<>();
        for (Secret s : secrets) {
            byName.put(s.getMetadata().getName(), s);
        }
        return name -> Optional.ofNullable(byName.get(name));
    }

    private static NamespacePlan plan(List<Repository> repositories, List<VirtualRepository> virtuals,
            Function<String, Optional<Secret>> secrets) {
        return NamespacePlanner.plan(repositories, virtuals, secrets, ProxySettings.defaults());
    }

    private static Secret hook(String content) {
        return opaque(NS, "hook", Map.of("headers", content));
    }

    @Test
    void withoutNotificationsNothingIsRendered() {
        NamespacePlan plan = plan(List.of(standard(NS, "team", false)), List.of(), secrets());

        assertThat(plan.config().notifications()).isNull();
    }

    @Test
    void anEndpointGetsItsRepositoryAndItsHeadersAsACopiedFile() {
        Repository team = withNotifications(standard(NS, "team", false),
                endpoint("ci-hook", HOOK, "hook", NotificationEvent.CACHED, NotificationEvent.INSERT),
                endpoint("audit", "http://audit.tools.svc:8080/events", null));

        NamespacePlan plan = plan(List.of(team), List.of(), secrets(hook(HEADERS)));

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.config().notifications().endpoints()).containsExactly(
                new ProxyConfig.Endpoint("audit", "http://audit.tools.svc:8080/events", null, null, List.of("team")),
                new ProxyConfig.Endpoint("ci-hook", HOOK, "/etc/entrepot/credentials/hook_headers",
                        List.of("insert", "cached"), List.of("team")));
        assertThat(plan.credentialFiles()).containsExactly(Map.entry("hook_headers", b64(HEADERS)));
    }

    @Test
    void theHeadersKeyMayBeChosen() {
        Repository team = withNotifications(standard(NS, "team", false),
                new NotificationEndpoint("ci-hook", HOOK, new HeadersSecretRef("hook", "ci.headers"), List.of()));

        NamespacePlan plan = plan(List.of(team), List.of(),
                secrets(opaque(NS, "hook", Map.of("ci.headers", "X-Token: t"))));

        assertThat(plan.config().notifications().endpoints()).singleElement()
                .extracting(ProxyConfig.Endpoint::headersFile).isEqualTo("/etc/entrepot/credentials/hook_ci.headers");
        assertThat(plan.credentialFiles()).containsOnlyKeys("hook_ci.headers");
    }

    /** Absent events and [delete, insert] are the same endpoint: the proxy's default is insert and delete. */
    @Test
    void identicalDeclarationsOfOneNameShareTheEndpoint() {
        Repository team = withNotifications(standard(NS, "team", false), endpoint("ci-hook", HOOK, "hook"));
        Repository hub = withNotifications(remote(NS, "hub", "https://registry-1.docker.io"),
                endpoint("ci-hook", HOOK, "hook", NotificationEvent.DELETE, NotificationEvent.INSERT));
        Repository quiet = standard(NS, "quiet", false);
        VirtualRepository all = withNotifications(virtual(NS, "all", null, upstream("team", 10), upstream("quiet", 5)),
                endpoint("ci-hook", HOOK, "hook"));

        NamespacePlan plan = plan(List.of(team, hub, quiet), List.of(all), secrets(hook(HEADERS)));

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.config().notifications().endpoints()).singleElement().satisfies(e -> {
            assertThat(e.repositories()).as("Repositories by name, then the virtual one's served upstreams")
                    .containsExactly("hub", "team", "quiet");
            assertThat(e.events()).as("as the first declaration (hub's) says it, in the proxy's order")
                    .containsExactly("insert", "delete");
            assertThat(e.headersFile()).isEqualTo("/etc/entrepot/credentials/hook_headers");
        });
    }

    @Test
    void aDifferentDeclarationOfATakenNameIsLeftOutAndReported() {
        Repository alpha = withNotifications(standard(NS, "alpha", false), endpoint("ci-hook", HOOK, null));
        Repository beta = withNotifications(standard(NS, "beta", false),
                endpoint("ci-hook", "https://other.example/hook", null), endpoint("own", HOOK, null));
        Repository gamma = withNotifications(standard(NS, "gamma", false),
                endpoint("ci-hook", HOOK, null, NotificationEvent.CACHED));
        Repository delta = withNotifications(standard(NS, "delta", false), endpoint("ci-hook", HOOK, "hook"));

        NamespacePlan plan = plan(List.of(gamma, beta, alpha, delta), List.of(), secrets(hook(HEADERS)));

        assertThat(plan.config().notifications().endpoints()).containsExactly(
                new ProxyConfig.Endpoint("ci-hook", HOOK, null, null, List.of("alpha")),
                new ProxyConfig.Endpoint("own", HOOK, null, null, List.of("beta")));
        assertThat(plan.problemsOf(Subject.repository("alpha"))).isEmpty();
        assertThat(plan.problemsOf(Subject.repository("beta"))).singleElement().satisfies(p -> {
            assertThat(p.category()).isEqualTo(Problem.Category.CONFLICT);
            assertThat(p.reason()).isEqualTo("NotificationConflict");
            assertThat(p.message()).isEqualTo("endpoint ci-hook (spec.notifications.endpoints[0]) is declared by"
                    + " Repository alpha with another url, headers or events; its events from here are not sent until"
                    + " the two declarations agree (or one is renamed)");
        });
        assertThat(plan.problemsOf(Subject.repository("gamma"))).as("other events")
                .extracting(Problem::reason).containsExactly("NotificationConflict");
        assertThat(plan.problemsOf(Subject.repository("delta"))).as("other headers")
                .extracting(Problem::reason).containsExactly("NotificationConflict");
        assertThat(plan.credentialFiles()).as("no copy of headers nobody uses").isEmpty();
        assertThat(plan.serves("beta")).as("the repository itself is served").isTrue();
    }

    @Test
    void aMissingHeadersSecretLeavesTheEndpointOutAndIsReported() {
        Repository team = withNotifications(standard(NS, "team", false), endpoint("ci-hook", HOOK, "hook"));

        NamespacePlan plan = plan(List.of(team), List.of(), secrets());

        assertThat(plan.config().notifications()).isNull();
        assertThat(plan.serves("team")).isTrue();
        assertThat(plan.problemsOf(Subject.repository("team"))).singleElement().satisfies(p -> {
            assertThat(p.category()).isEqualTo(Problem.Category.CREDENTIALS);
            assertThat(p.reason()).isEqualTo("SecretNotFound");
            assertThat(p.message()).isEqualTo("Secret hook (spec.notifications.endpoints[0].headersSecretRef) not"
                    + " found in the namespace; no events are sent to endpoint ci-hook from here until it is fixed");
        });
    }

    /** A broken declaration claims nothing: a later repository that declares the name works. */
    @Test
    void aMissingHeadersKeyIsReportedAndClaimsNoName() {
        Repository alpha = withNotifications(standard(NS, "alpha", false), endpoint("ci-hook", HOOK, "hook"));
        Repository beta = withNotifications(standard(NS, "beta", false), endpoint("ci-hook", HOOK, null));

        NamespacePlan plan = plan(List.of(alpha, beta), List.of(),
                secrets(opaque(NS, "hook", Map.of("token", "X-Token: t"))));

        assertThat(plan.problemsOf(Subject.repository("alpha"))).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("SecretKeyNotFound");
            assertThat(p.message()).startsWith("Secret hook (spec.notifications.endpoints[0].headersSecretRef) has"
                    + " no key 'headers'");
        });
        assertThat(plan.config().notifications().endpoints()).containsExactly(
                new ProxyConfig.Endpoint("ci-hook", HOOK, null, null, List.of("beta")));
        assertThat(plan.credentialFiles()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Authorization Bearer s3cret", ": no name", "X Token: spaces in the name",
            "X-Token: s3cret\n  # an indented comment", "X-Token: caf\u00e9", "X-Token: a\u0000b",
            "Authorization: Bearer s3cret\nX-Token"})
    void headersThatAreNotNameValueLinesAreReportedWithoutTheirValues(String content) {
        Repository team = withNotifications(standard(NS, "team", false), endpoint("ci-hook", HOOK, "hook"));

        NamespacePlan plan = plan(List.of(team), List.of(), secrets(hook(content)));

        assertThat(plan.config().notifications()).isNull();
        assertThat(plan.problemsOf(Subject.repository("team"))).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("SecretInvalid");
            assertThat(p.message()).startsWith("Secret hook (spec.notifications.endpoints[0].headersSecretRef), key"
                    + " 'headers': line ").doesNotContain("s3cret").doesNotContain("caf");
        });
    }

    @Test
    void headersThatAreNotUtf8AreReported() {
        Secret binary = new SecretBuilder(hook("")).withData(Map.of("headers",
                Base64.getEncoder().encodeToString(new byte[] {'X', ':', ' ', (byte) 0xC3}))).build();

        assertThat(NotificationsPlanner.headersProblem(binary.getData().get("headers"))).isEqualTo("not UTF-8 text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "# only a comment", "Authorization: Bearer a.b.c\r\nX-Empty:\r\n",
            "X-Token:t", "  X-Token :\tspaced value\t", "X-A: 1\nx-a: 2"})
    void nameValueLinesCommentsAndBlankLinesAreHeaders(String content) {
        assertThat(NotificationsPlanner.headersProblem(b64(content))).isNull();
    }

    @Test
    void unservedRepositoriesDeclareNothing() {
        Repository broken = withNotifications(remote(NS, "broken", "ftp://registry.example.com"),
                endpoint("ci-hook", "https://first.example/hook", null));
        VirtualRepository dangling = withNotifications(virtual(NS, "dangling", null, upstream("nowhere", 1)),
                endpoint("ci-hook", "https://second.example/hook", null));
        Repository team = withNotifications(standard(NS, "team", false), endpoint("ci-hook", HOOK, null));

        NamespacePlan plan = plan(List.of(broken, team), List.of(dangling), secrets());

        assertThat(plan.config().notifications().endpoints()).containsExactly(
                new ProxyConfig.Endpoint("ci-hook", HOOK, null, null, List.of("team")));
        assertThat(plan.problemsOf(Subject.repository("broken"))).extracting(Problem::reason)
                .containsExactly("InvalidSpec");
        assertThat(plan.problemsOf(Subject.virtual("dangling"))).extracting(Problem::reason)
                .doesNotContain("NotificationConflict");
        assertThat(plan.problemsOf(Subject.repository("team"))).isEmpty();
    }

    /** What the schema normally refuses still never reaches the proxy. */
    @Test
    void endpointsTheSchemaWouldRefuseAreLeftOut() {
        Repository team = withNotifications(standard(NS, "team", false), endpoint("CI_hook", HOOK, null),
                endpoint("ci-hook", "hooks.example/registry", null), endpoint("ok", HOOK, null),
                endpoint("ok", "https://twice.example/", null));

        NamespacePlan plan = plan(List.of(team), List.of(), secrets());

        assertThat(plan.config().notifications().endpoints()).extracting(ProxyConfig.Endpoint::name)
                .containsExactly("ok");
        assertThat(plan.problemsOf(Subject.repository("team"))).extracting(Problem::reason)
                .containsExactly("InvalidSpec", "InvalidSpec", "InvalidSpec");
    }
}
