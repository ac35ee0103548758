package dev.entrepot.proxy.auth;

import static dev.entrepot.proxy.auth.AuthFixture.basic;
import static dev.entrepot.proxy.auth.AuthFixture.caller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic credentials on every route: users, roles per repository, 401 and 403, and what the challenge says. */
class ClientAuthTest {
    private static final Origin ORIGIN = new Origin("http://proxy:5000", null);

    @TempDir
    Path dir;
    private AuthFixture fixture;

    @BeforeEach
    void secrets() {
        fixture = new AuthFixture(dir);
        fixture.secret("ci", "ci-pass\n");
        fixture.secret("viewer", AuthFixture.bcrypt("viewer-pass"));
    }

    private ClientAuth users(boolean anonymousPull) {
        return fixture.auth("""
                auth:
                  anonymousPull: %s
                  users:
                    - {name: ci, passwordFile: DIR/ci, role: writer, repositories: [team]}
                    - {name: viewer, passwordFile: DIR/viewer, role: reader}
                """.formatted(anonymousPull));
    }

    private static Verdict check(ClientAuth auth, String authorization, String repository, Action action) {
        return auth.check(caller(auth, authorization), repository, repository + "/app", action);
    }

    @Test
    void withoutUsersEverythingIsOpenPushesIncluded() {
        ClientAuth auth = fixture.auth("");
        assertThat(auth.openForPushes()).isTrue();
        for (Action action : Action.values()) {
            assertThat(check(auth, null, "team", action)).as("%s", action).isEqualTo(Verdict.ALLOWED);
        }
        assertThat(auth.checkVersion(caller(auth, null))).isEqualTo(Verdict.ALLOWED);
        assertThat(auth.checkMaintenance(caller(auth, null))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void readersPullWritersPushWhereTheirRoleSaysStrangersAreChallenged() {
        ClientAuth auth = users(false);
        assertThat(check(auth, basic("viewer", "viewer-pass"), "team", Action.PULL)).isEqualTo(Verdict.ALLOWED);
        assertThat(check(auth, basic("viewer", "viewer-pass"), "team", Action.PUSH)).isEqualTo(Verdict.DENIED);
        assertThat(check(auth, basic("ci", "ci-pass"), "team", Action.PUSH)).isEqualTo(Verdict.ALLOWED);
        assertThat(check(auth, basic("ci", "ci-pass"), "team", Action.DELETE)).isEqualTo(Verdict.ALLOWED);
        assertThat(check(auth, basic("ci", "ci-pass"), "other", Action.PULL)).as("writer of team only")
                .isEqualTo(Verdict.DENIED);
        assertThat(check(auth, basic("ci", "ci-pass"), "all", Action.PUSH)).as("through the virtual to team")
                .isEqualTo(Verdict.ALLOWED);
        assertThat(check(auth, null, "team", Action.PULL)).isEqualTo(Verdict.CHALLENGE);
        assertThat(auth.checkVersion(caller(auth, null))).as("anonymous access is off everywhere")
                .isEqualTo(Verdict.CHALLENGE);
        assertThat(auth.checkVersion(caller(auth, basic("viewer", "viewer-pass")))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void wrongPasswordsUnknownUsersAndGarbageAreChallengedEvenWhereAnonymousPullIsOn() {
        ClientAuth auth = users(true);
        for (String header : List.of(basic("ci", "wrong"), basic("other", "ci-pass"), basic("ci", ""),
                basic("viewer", "ci-pass"), "Basic !!!not-base64", "Bearer abc", basic("", "ci-pass"), "Digest x")) {
            Caller caller = caller(auth, header);
            assertThat(auth.failed(caller)).as(header).isTrue();
            assertThat(auth.check(caller, "team", "team/app", Action.PULL)).as(header).isEqualTo(Verdict.CHALLENGE);
            assertThat(auth.checkVersion(caller)).as(header).isEqualTo(Verdict.CHALLENGE);
        }
        assertThat(check(auth, null, "team", Action.PULL)).isEqualTo(Verdict.ALLOWED);
        assertThat(check(auth, null, "team", Action.PUSH)).as("users exist: pushes need one")
                .isEqualTo(Verdict.CHALLENGE);
        assertThat(auth.checkVersion(caller(auth, null))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void withBasicTheVersionCheckChallengesWhenSomeRepositoryIsPrivateSoThatClientsSendCredentials() {
        ClientAuth mixed = fixture.anonymousPull("team", false).auth("""
                auth:
                  anonymousPull: true
                  users: [{name: ci, passwordFile: DIR/ci, role: writer}]
                """);
        assertThat(mixed.checkVersion(caller(mixed, null))).isEqualTo(Verdict.CHALLENGE);
        assertThat(check(mixed, null, "other", Action.PULL)).as("public ones stay public").isEqualTo(Verdict.ALLOWED);
        assertThat(mixed.checkVersion(caller(mixed, basic("ci", "ci-pass")))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void theRefusalsSayWhyWithoutSecretsAndChallengeWithBasic() {
        ClientAuth auth = users(false);
        Caller viewer = caller(auth, basic("viewer", "viewer-pass"));
        OciException denied = auth.refusal(Verdict.DENIED, viewer, ORIGIN, "team", "team/app", Action.PUSH);
        assertThat(denied.code()).isEqualTo(OciErrorCode.DENIED);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.getMessage()).contains("viewer", "push", "team").doesNotContain("viewer-pass");
        OciException challenge = auth.refusal(Verdict.CHALLENGE, caller(auth, null), ORIGIN, "team", "team/app",
                Action.PULL);
        assertThat(challenge.status()).isEqualTo(401);
        assertThat(challenge.code()).isEqualTo(OciErrorCode.UNAUTHORIZED);
        assertThat(challenge.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"entrepot\"");
    }

    @Test
    void theCatalogListsWhatTheCallerMayPull() {
        ClientAuth auth = fixture.anonymousPull("hub", true).auth("""
                auth:
                  anonymousPull: false
                  users: [{name: ci, passwordFile: DIR/ci, role: writer, repositories: [team]}]
                """);
        Caller anonymous = caller(auth, null);
        Caller ci = caller(auth, basic("ci", "ci-pass"));
        assertThat(auth.checkCatalog(anonymous)).isEqualTo(Verdict.ALLOWED);
        assertThat(List.of("team", "other", "hub", "all")).filteredOn(r -> auth.lists(anonymous, r)).containsExactly("hub");
        assertThat(List.of("team", "other", "hub", "all")).filteredOn(r -> auth.lists(ci, r)).containsExactly("team", "hub");
        fixture = new AuthFixture(dir);
        ClientAuth closed = users(false);
        assertThat(closed.checkCatalog(caller(closed, null))).isEqualTo(Verdict.CHALLENGE);
    }

    @Test
    void garbageCollectionNeedsAWriterOfEverything() {
        fixture.secret("admin", "admin-pass");
        ClientAuth auth = fixture.auth("""
                auth:
                  users:
                    - {name: ci, passwordFile: DIR/ci, role: writer, repositories: [team]}
                    - {name: admin, passwordFile: DIR/admin, role: writer}
                """);
        assertThat(auth.checkMaintenance(caller(auth, basic("admin", "admin-pass")))).isEqualTo(Verdict.ALLOWED);
        Caller ci = caller(auth, basic("ci", "ci-pass"));
        assertThat(auth.checkMaintenance(ci)).isEqualTo(Verdict.DENIED);
        assertThat(auth.maintenanceRefusal(Verdict.DENIED, ci).status()).isEqualTo(403);
        assertThat(auth.checkMaintenance(caller(auth, null))).isEqualTo(Verdict.CHALLENGE);
        assertThat(auth.maintenanceRefusal(Verdict.CHALLENGE, caller(auth, null)).headers())
                .containsEntry("WWW-Authenticate", "Basic realm=\"entrepot\"");
    }

    @Test
    void anUnreadablePasswordFileIsAConfigError() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> fixture.auth("""
                auth:
                  users: [{name: ci, passwordFile: DIR/missing, role: writer}]
                """));
        assertThat(e.getMessage()).contains("passwordFile").contains("missing");
    }
}
