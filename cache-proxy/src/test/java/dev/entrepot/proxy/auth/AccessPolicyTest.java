package dev.entrepot.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessPolicyTest {
    @TempDir
    Path dir;

    private AccessPolicy policy(String auth) {
        return AccessPolicy.of(new AuthFixture(dir).config(auth));
    }

    private static final Subject CI = Subject.user("ci");
    private static final Subject VIEWER = Subject.user("viewer");

    @Test
    void rolesApplyToTheirRepositoriesOnlyAndGrantsOfOneUserAddUp() {
        AccessPolicy policy = policy("""
                auth:
                  anonymousPull: false
                  users:
                    - {name: ci, passwordFile: /p/ci, role: writer, repositories: [team]}
                    - {name: ci, passwordFile: /p/ci, role: reader}
                    - {name: viewer, passwordFile: /p/v, role: reader, repositories: [other]}
                """);
        assertThat(policy.allowed(CI, "team")).containsExactlyInAnyOrder(Action.PULL, Action.PUSH, Action.DELETE);
        assertThat(policy.allowed(CI, "other")).containsExactly(Action.PULL);
        assertThat(policy.allowed(VIEWER, "other")).containsExactly(Action.PULL);
        assertThat(policy.allowed(VIEWER, "team")).isEmpty();
        assertThat(policy.allowed(Subject.ANONYMOUS, "team")).isEmpty();
        assertThat(policy.allowed(Subject.user("stranger"), "team")).isEmpty();
        assertThat(policy.open()).isFalse();
        assertThat(policy.anonymousAnywhere()).isFalse();
    }

    @Test
    void anonymousPullIsTheDefaultThatARepositoryOverrides() {
        AccessPolicy policy = AccessPolicy.of(new AuthFixture(dir).anonymousPull("hub", true).config("""
                auth:
                  anonymousPull: false
                  users: [{name: viewer, passwordFile: /p/v, role: reader, repositories: [other]}]
                """));
        assertThat(policy.allows(Subject.ANONYMOUS, "hub", Action.PULL)).isTrue();
        assertThat(policy.allows(Subject.ANONYMOUS, "team", Action.PULL)).isFalse();
        assertThat(policy.allows(Subject.ANONYMOUS, "hub", Action.PUSH)).as("users exist: not open").isFalse();
        assertThat(policy.allows(VIEWER, "hub", Action.PULL)).as("what anyone may pull, users may too").isTrue();
        assertThat(policy.anonymousAnywhere()).isTrue();
    }

    @Test
    void aVirtualRepositoryDecidesPullsThroughItAndItsPushToDecidesWrites() {
        AccessPolicy policy = policy("""
                auth:
                  anonymousPull: false
                  users:
                    - {name: ci, passwordFile: /p/ci, role: writer, repositories: [team]}
                    - {name: viewer, passwordFile: /p/v, role: writer, repositories: [all]}
                """);
        assertThat(policy.allows(CI, "all", Action.PULL)).as("no grant on the virtual itself").isFalse();
        assertThat(policy.allows(CI, "all", Action.PUSH)).as("writer on its pushTo").isTrue();
        assertThat(policy.allows(CI, "all", Action.DELETE)).isTrue();
        assertThat(policy.allows(VIEWER, "all", Action.PULL)).isTrue();
        assertThat(policy.allows(VIEWER, "all", Action.PUSH)).as("writer of the virtual, not of team").isFalse();
    }

    @Test
    void withoutUsersOrServiceAccountsAnonymousCallersMayWriteWhereTheyMayPull() {
        AccessPolicy policy = AccessPolicy.of(new AuthFixture(dir).anonymousPull("other", false).config(""));
        assertThat(policy.open()).isTrue();
        assertThat(policy.allowed(Subject.ANONYMOUS, "team")).isEqualTo(EnumSet.allOf(Action.class));
        assertThat(policy.allowed(Subject.ANONYMOUS, "other")).isEmpty();
        assertThat(policy.maintains(Subject.ANONYMOUS)).isTrue();
    }

    @Test
    void maintenanceNeedsAWriterOfEveryRepository() {
        AccessPolicy policy = policy("""
                auth:
                  users:
                    - {name: admin, passwordFile: /p/a, role: writer}
                    - {name: ci, passwordFile: /p/ci, role: writer, repositories: [team, other, hub, all]}
                    - {name: viewer, passwordFile: /p/v, role: reader}
                """);
        assertThat(policy.maintains(Subject.user("admin"))).isTrue();
        assertThat(policy.maintains(CI)).as("every repository of today is not every repository").isFalse();
        assertThat(policy.maintains(VIEWER)).isFalse();
        assertThat(policy.maintains(Subject.ANONYMOUS)).isFalse();
    }

    @Test
    void serviceAccountBindingsMatchANamespaceOrOneAccountAndAddUp() {
        String bindings = """
                auth:
                  anonymousPull: false
                  kubernetes:
                    enabled: %s
                    bindings:
                      - {serviceAccount: "team-a:*", role: reader}
                      - {serviceAccount: "team-a:builder", role: writer, repositories: [team]}
                      - {serviceAccount: "ci:deployer", role: reader, repositories: [other]}
                """;
        AccessPolicy policy = policy(bindings.formatted(true));
        Subject builder = Subject.serviceAccount("team-a:builder");
        Subject someone = Subject.serviceAccount("team-a:default");
        assertThat(policy.allowed(builder, "team")).containsExactlyInAnyOrder(Action.PULL, Action.PUSH, Action.DELETE);
        assertThat(policy.allowed(builder, "other")).containsExactly(Action.PULL);
        assertThat(policy.allowed(someone, "team")).containsExactly(Action.PULL);
        assertThat(policy.allowed(Subject.serviceAccount("ci:deployer"), "other")).containsExactly(Action.PULL);
        assertThat(policy.allowed(Subject.serviceAccount("ci:deployer"), "team")).isEmpty();
        assertThat(policy.allowed(Subject.serviceAccount("ci:other"), "other")).isEmpty();
        assertThat(policy.allowed(Subject.serviceAccount("team-ab:builder"), "team")).as("no prefix match").isEmpty();
        assertThat(policy.allowed(Subject.user("team-a"), "team")).as("a user is no ServiceAccount").isEmpty();
        assertThat(policy.open()).isFalse();

        AccessPolicy off = policy(bindings.formatted(false));
        assertThat(off.allowed(builder, "team")).as("bindings count only when enabled").isEmpty();
    }

    @Test
    void bindingRules() {
        ServiceAccountBinding namespace = new ServiceAccountBinding("team-a", "*", null, null);
        ServiceAccountBinding one = new ServiceAccountBinding("team-a", "builder", null, null);
        for (String account : Set.of("team-a:builder", "team-a:x")) {
            assertThat(namespace.matches(account)).as(account).isTrue();
        }
        assertThat(one.matches("team-a:builder")).isTrue();
        assertThat(one.matches("team-a:builder2")).isFalse();
        assertThat(one.matches("team-b:builder")).isFalse();
        assertThat(namespace.matches("team-b:builder")).isFalse();
        assertThat(namespace.matches("team-a")).isFalse();
        assertThat(Subject.fromKubernetesUsername("system:serviceaccount:team-a:builder"))
                .isEqualTo(Subject.serviceAccount("team-a:builder"));
        assertThat(Subject.fromKubernetesUsername("alice")).isNull();
        assertThat(Subject.fromKubernetesUsername("system:serviceaccount:team-a")).isNull();
        assertThat(Subject.fromKubernetesUsername("system:serviceaccount:a:b:c")).isNull();
    }
}
