package dev.entrepot.operator.plan;

import static dev.entrepot.operator.Fixtures.access;
import static dev.entrepot.operator.Fixtures.b64;
import static dev.entrepot.operator.Fixtures.basicAuth;
import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.secret;
import static dev.entrepot.operator.Fixtures.serviceAccount;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.tlsSecret;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static dev.entrepot.operator.Fixtures.withAccess;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.operator.crd.v1alpha1.common.Role;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.render.ProxyConfig.RepositoryEntry;
import dev.entrepot.operator.render.ProxyConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** spec.access and the TLS setting, as NamespacePlanner renders them into auth and tls. */
class AccessPlannerTest {

    private static final String NS = "team-a";

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

    private static RepositoryEntry entry(NamespacePlan plan, String name) {
        return plan.config().repositories().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void withoutAccessTheProxyStaysOpenAsBefore() {
        NamespacePlan plan = plan(List.of(standard(NS, "team", false)), List.of(), secrets());

        assertThat(plan.config().auth()).isEqualTo(new ProxyConfig.Auth(true));
        assertThat(plan.closed()).isFalse();
        assertThat(plan.serviceAccountAuth()).isFalse();
        assertThat(entry(plan, "team").anonymousPull()).isNull();
    }

    @Test
    void readersAndWritersBecomeUsersOfTheirRepositoriesWithCopiedPasswords() {
        Repository team = withAccess(standard(NS, "team", false), access(false, List.of("dev"), List.of("ci")));
        Repository hub = withAccess(remote(NS, "hub", "https://registry-1.docker.io"), access(null, List.of("ci"),
                List.of()));
        VirtualRepository all = withAccess(virtual(NS, "all", "team", upstream("team", 10), upstream("hub", 5)),
                access(true, List.of("dev"), List.of()));

        NamespacePlan plan = plan(List.of(team, hub), List.of(all),
                secrets(basicAuth(NS, "ci", "ci-bot", "s3cret"), basicAuth(NS, "dev", "dev", "$2y$05$hash")));

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.config().auth().users()).containsExactly(
                new ProxyConfig.User("ci-bot", "/etc/entrepot/credentials/ci_password", "reader", List.of("hub")),
                new ProxyConfig.User("ci-bot", "/etc/entrepot/credentials/ci_password", "writer", List.of("team")),
                new ProxyConfig.User("dev", "/etc/entrepot/credentials/dev_password", "reader", List.of("team", "all")),
                new ProxyConfig.User("entrepot-operator", "/etc/entrepot/auth/operator-password", "reader", null));
        assertThat(plan.credentialFiles()).containsEntry("ci_password", b64("s3cret"))
                .containsEntry("dev_password", b64("$2y$05$hash")).doesNotContainKey("ci_username");
        assertThat(plan.config().auth().token()).as("tokens signed with the generated key")
                .isEqualTo(new ProxyConfig.Token("/etc/entrepot/auth/token-key.pem"));
        assertThat(plan.config().auth().kubernetes()).isNull();
        assertThat(entry(plan, "team").anonymousPull()).isFalse();
        assertThat(entry(plan, "hub").anonymousPull()).as("not set: auth.anonymousPull applies").isNull();
        assertThat(entry(plan, "all").anonymousPull()).isTrue();
        assertThat(plan.closed()).isTrue();
    }

    @Test
    void aPrivateRepositoryWithoutUsersStillClosesTheProxyForTheOperatorsListing() {
        Repository team = withAccess(standard(NS, "team", false), access(false, List.of(), List.of()));

        NamespacePlan plan = plan(List.of(team), List.of(), secrets());

        assertThat(plan.config().auth().users()).extracting(ProxyConfig.User::name).containsExactly("entrepot-operator");
        assertThat(entry(plan, "team").anonymousPull()).isFalse();
    }

    @Test
    void oneBrokenSecretWithdrawsEveryGrantOfItsRepositoryButNoOtherOne() {
        Repository team = withAccess(standard(NS, "team", false),
                access(null, List.of("dev"), List.of("ci", "gone"), serviceAccount(null, "builder", Role.WRITER)));
        Repository other = withAccess(standard(NS, "other", false), access(null, List.of("dev"), List.of()));

        NamespacePlan plan = plan(List.of(team, other), List.of(), secrets(basicAuth(NS, "ci", "ci", "pw"),
                basicAuth(NS, "dev", "dev", "pw2")));

        assertThat(plan.problemsOf(Subject.repository("team"))).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("SecretNotFound");
            assertThat(p.message()).isEqualTo("Secret gone (spec.access.writers[1]) not found in the namespace; none"
                    + " of the users and ServiceAccounts of spec.access are granted anything until it is fixed");
        });
        assertThat(plan.config().auth().users()).as("team is never served with half its users").containsExactly(
                new ProxyConfig.User("dev", "/etc/entrepot/credentials/dev_password", "reader", List.of("other")),
                new ProxyConfig.User("entrepot-operator", "/etc/entrepot/auth/operator-password", "reader", null));
        assertThat(plan.config().auth().kubernetes()).isNull();
        assertThat(plan.credentialFiles()).as("no copy of an unused password").doesNotContainKey("ci_password");
        assertThat(plan.serves("team")).as("served, its content untouched; only its grants are withdrawn").isTrue();
    }

    @Test
    void malformedSecretsAreNamedWithTheirFieldAndKey() {
        Secret opaque = secret(NS, "opaque", "ci", "pw");
        Secret noPassword = new SecretBuilder().withNewMetadata().withName("half").endMetadata()
                .withType("kubernetes.io/basic-auth").withData(Map.of("username", b64("ci"))).build();
        Secret colon = basicAuth(NS, "colon", "a:b", "pw");
        Secret reserved = basicAuth(NS, "reserved", "entrepot-operator", "pw");

        NamespacePlan plan = plan(List.of(
                withAccess(standard(NS, "a", false), access(null, List.of("opaque"), List.of())),
                withAccess(standard(NS, "b", false), access(null, List.of(), List.of("half"))),
                withAccess(standard(NS, "c", false), access(null, List.of("colon"), List.of())),
                withAccess(standard(NS, "d", false), access(null, List.of("reserved"), List.of()))), List.of(),
                secrets(opaque, noPassword, colon, reserved));

        assertThat(plan.problemsOf(Subject.repository("a"))).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("SecretInvalid");
            assertThat(p.message()).startsWith("Secret opaque (spec.access.readers[0]) is of type Opaque; users need"
                    + " type kubernetes.io/basic-auth");
        });
        assertThat(plan.problemsOf(Subject.repository("b"))).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("SecretKeyNotFound");
            assertThat(p.message()).startsWith("Secret half (spec.access.writers[0]) has no key 'password'");
        });
        assertThat(plan.problemsOf(Subject.repository("c"))).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("without ':'"));
        assertThat(plan.problemsOf(Subject.repository("d"))).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("reserved for the operator"));
        assertThat(plan.config().auth().users()).extracting(ProxyConfig.User::name).containsExactly("entrepot-operator");
    }

    @Test
    void twoSecretsNamingOneUserAreAConflictTheProxyNeverSees() {
        NamespacePlan plan = plan(List.of(
                withAccess(standard(NS, "a", false), access(null, List.of("ci-one"), List.of())),
                withAccess(standard(NS, "b", false), access(null, List.of("ci-two"), List.of()))), List.of(),
                secrets(basicAuth(NS, "ci-one", "ci", "one"), basicAuth(NS, "ci-two", "ci", "two")));

        assertThat(plan.problemsOf(Subject.repository("b"))).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("UserConflict");
            assertThat(p.message()).contains("defines user ci, which Secret ci-one already defines");
        });
        assertThat(plan.config().auth().users()).extracting(ProxyConfig.User::passwordFile)
                .containsExactly("/etc/entrepot/credentials/ci-one_password", "/etc/entrepot/auth/operator-password");
    }

    @Test
    void serviceAccountsBecomeBindingsAndTurnTokenReviewsOn() {
        Repository team = withAccess(standard(NS, "team", false), access(null, List.of(), List.of(),
                serviceAccount(null, "builder", Role.WRITER), serviceAccount("ci", null, Role.READER)));
        Repository hub = withAccess(remote(NS, "hub", "https://registry-1.docker.io"), access(null, List.of(), List.of(),
                serviceAccount("ci", null, Role.READER)));

        NamespacePlan plan = NamespacePlanner.plan(List.of(team, hub), List.of(), secrets(),
                ProxySettings.defaults().withTokenAudiences(List.of("entrepot")));

        assertThat(plan.config().auth().kubernetes()).isEqualTo(new ProxyConfig.Kubernetes(true, List.of("entrepot"),
                List.of(new ProxyConfig.Binding("ci:*", "reader", List.of("hub", "team")),
                        new ProxyConfig.Binding("team-a:builder", "writer", List.of("team")))));
        assertThat(plan.serviceAccountAuth()).isTrue();
        assertThat(plan.config().auth().users()).extracting(ProxyConfig.User::name).containsExactly("entrepot-operator");
    }

    @Test
    void tlsIsRenderedFromTheSettingAndAMissingSecretIsReportedOnEveryRepository() {
        ProxySettings tls = ProxySettings.defaults().withTlsSecret("entrepot-tls");
        List<Repository> repositories = List.of(standard(NS, "team", false));
        List<VirtualRepository> virtuals = List.of(virtual(NS, "all", null, upstream("team", 1)));

        NamespacePlan missing = NamespacePlanner.plan(repositories, virtuals, secrets(), tls);
        NamespacePlan present = NamespacePlanner.plan(repositories, virtuals,
                secrets(tlsSecret(NS, "entrepot-tls", "CERT", "KEY")), tls);
        NamespacePlan wrongType = NamespacePlanner.plan(repositories, virtuals,
                secrets(secret(NS, "entrepot-tls", "a", "b")), tls);

        assertThat(missing.config().tls()).as("HTTPS or nothing: never plain HTTP where TLS was asked for")
                .isEqualTo(new ProxyConfig.Tls("/etc/entrepot/tls/tls.crt", "/etc/entrepot/tls/tls.key"));
        assertThat(missing.problemsOf(Subject.repository("team"))).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo("TlsSecretNotFound");
            assertThat(p.message()).startsWith("Secret entrepot-tls (entrepot.operator.proxy.tls-secret) not found");
        });
        assertThat(missing.problemsOf(Subject.virtual("all"))).extracting(Problem::reason)
                .containsExactly("TlsSecretNotFound");
        assertThat(present.problems()).isEmpty();
        assertThat(present.tls()).isTrue();
        assertThat(present.tlsSecret()).isEqualTo("entrepot-tls");
        assertThat(wrongType.problemsOf(Subject.repository("team"))).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("is of type Opaque, not kubernetes.io/tls"));
        assertThat(NamespacePlanner.plan(repositories, virtuals, secrets(), ProxySettings.defaults()).config().tls())
                .isNull();
    }
}
