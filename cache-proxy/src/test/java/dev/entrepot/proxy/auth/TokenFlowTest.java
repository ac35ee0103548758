package dev.entrepot.proxy.auth;

import static dev.entrepot.proxy.auth.AuthFixture.basic;
import static dev.entrepot.proxy.auth.AuthFixture.bearer;
import static dev.entrepot.proxy.auth.AuthFixture.caller;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.OciException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token flow: what a token grants, what a request with it may do, and how a reload ends tokens. */
class TokenFlowTest {
    private static final String AUTH = """
            auth:
              anonymousPull: false
              token: {ttl: 10m}
              users:
                - {name: ci, passwordFile: DIR/ci, role: writer, repositories: [team]}
                - {name: viewer, passwordFile: DIR/viewer, role: reader}
            """;
    /** Scope names as requests route them: a first segment that is a repository, else the docker.io mirror. */
    private static final Function<String, String> ROUTES = name -> {
        String first = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
        return List.of("team", "other", "hub", "all").contains(first) && name.contains("/") ? first : "hub";
    };

    @TempDir
    Path dir;
    private AuthFixture fixture;

    @BeforeEach
    void secrets() {
        fixture = new AuthFixture(dir);
        fixture.secret("ci", "ci-pass");
        fixture.secret("viewer", "viewer-pass");
    }

    private static TokenIssuer.Issued token(ClientAuth auth, String authorization, String... scopes) {
        return auth.tokens().issue(caller(auth, authorization), Scope.parseAll(List.of(scopes)), ROUTES, false);
    }

    @Test
    void aTokenGrantsExactlyWhatTheCallerMayDo() {
        ClientAuth auth = fixture.auth(AUTH);
        assertThat(token(auth, basic("viewer", "viewer-pass"), "repository:team/app:pull,push").scope())
                .isEqualTo("repository:team/app:pull");
        assertThat(token(auth, basic("ci", "ci-pass"), "repository:team/app:pull,push").scope())
                .isEqualTo("repository:team/app:pull,push");
        assertThat(token(auth, basic("ci", "ci-pass"), "repository:team/app:*").scope())
                .isEqualTo("repository:team/app:pull,push,delete");
        assertThat(token(auth, basic("ci", "ci-pass"), "repository:other/app:pull", "repository:all/x:push").scope())
                .as("nothing on other; push through all goes to team").isEqualTo("repository:all/x:push");
        assertThat(token(auth, null, "repository:team/app:pull", "registry:catalog:*").scope())
                .as("anonymous: only the catalog").isEqualTo("registry:catalog:*");
        assertThat(token(auth, basic("viewer", "viewer-pass"), "repository:library/nginx:pull").scope())
                .as("a mirror name maps like the mirror request").isEqualTo("repository:library/nginx:pull");
    }

    @Test
    void aRequestNeedsBothTheTokensScopeAndTheRole() {
        ClientAuth auth = fixture.auth(AUTH);
        String pullOnly = bearer(token(auth, basic("ci", "ci-pass"), "repository:team/app:pull"));
        Caller ci = caller(auth, pullOnly);
        assertThat(ci.bearer()).isTrue();
        assertThat(auth.check(ci, "team", "team/app", Action.PULL)).isEqualTo(Verdict.ALLOWED);
        assertThat(auth.check(ci, "team", "team/other", Action.PULL)).as("another image: another scope")
                .isEqualTo(Verdict.INSUFFICIENT_SCOPE);
        assertThat(auth.check(ci, "team", "team/app", Action.PUSH)).isEqualTo(Verdict.INSUFFICIENT_SCOPE);
        OciException refusal = auth.refusal(Verdict.INSUFFICIENT_SCOPE, ci, new Origin("https://proxy:5000", null),
                "team", "team/app", Action.PUSH);
        assertThat(refusal.status()).isEqualTo(401);
        assertThat(refusal.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"https://proxy:5000/token\","
                + "service=\"entrepot\",scope=\"repository:team/app:pull,push\",error=\"insufficient_scope\"");

        Caller viewer = caller(auth, bearer(token(auth, basic("viewer", "viewer-pass"), "repository:team/app:pull,push")));
        assertThat(auth.check(viewer, "team", "team/app", Action.PUSH)).as("a reader: no token will do")
                .isEqualTo(Verdict.DENIED);
        assertThat(auth.checkCatalog(viewer)).as("no catalog scope").isEqualTo(Verdict.INSUFFICIENT_SCOPE);
        assertThat(auth.checkVersion(viewer)).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void anonymousCallersAreSentForATokenAndMirrorRequestsKeepTheirNamespace() {
        ClientAuth auth = fixture.anonymousPull("hub", true).auth(AUTH);
        Caller anonymous = caller(auth, null);
        assertThat(auth.checkVersion(anonymous)).isEqualTo(Verdict.CHALLENGE);
        OciException challenge = auth.refusal(Verdict.CHALLENGE, anonymous, new Origin("http://10.0.0.1:5000",
                "docker.io"), "hub", "library/nginx", Action.PULL);
        assertThat(challenge.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"http://10.0.0.1:5000/token"
                + "?ns=docker.io\",service=\"entrepot\",scope=\"repository:library/nginx:pull\"");
        Caller withToken = caller(auth, bearer(token(auth, null, "repository:library/nginx:pull")));
        assertThat(auth.check(withToken, "hub", "library/nginx", Action.PULL)).isEqualTo(Verdict.ALLOWED);
        assertThat(auth.checkVersion(withToken)).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void aConfiguredRealmAndServiceAreWhatChallengesName() {
        ClientAuth auth = fixture.auth(AUTH.replace("token: {ttl: 10m}",
                "token: {service: registry.example, realm: \"https://auth.example/token\"}"));
        Map<String, String> header = auth.refusal(Verdict.CHALLENGE, caller(auth, null), new Origin("http://x", null),
                null, "use this registry").headers();
        assertThat(header).containsEntry("WWW-Authenticate",
                "Bearer realm=\"https://auth.example/token\",service=\"registry.example\"");
    }

    @Test
    void anExpiredTokenIsAnInvalidToken() {
        ClientAuth auth = fixture.auth(AUTH);
        String header = bearer(token(auth, basic("ci", "ci-pass"), "repository:team/app:pull"));
        fixture.clock.advance(Duration.ofMinutes(10));
        Caller expired = caller(auth, header);
        assertThat(auth.failed(expired)).isTrue();
        assertThat(auth.check(expired, "team", "team/app", Action.PULL)).isEqualTo(Verdict.CHALLENGE);
        assertThat(auth.refusal(Verdict.CHALLENGE, expired, new Origin("http://p", null), "team", "team/app",
                Action.PULL).headers().get("WWW-Authenticate")).endsWith(",error=\"invalid_token\"");
    }

    @Test
    void aReloadEndsTheTokensOfRemovedUsersAndRotatedPasswordsAtOnceAndRoleChangesApplyToo() {
        ClientAuth before = fixture.auth(AUTH);
        String ci = bearer(token(before, basic("ci", "ci-pass"), "repository:team/app:pull,push"));
        String viewer = bearer(token(before, basic("viewer", "viewer-pass"), "repository:team/app:pull"));
        ClientAuth same = fixture.auth(AUTH);
        assertThat(same.check(caller(same, ci), "team", "team/app", Action.PUSH)).as("an unchanged reload")
                .isEqualTo(Verdict.ALLOWED);

        fixture.secret("ci", "new-pass");
        ClientAuth rotated = fixture.auth(AUTH.replace("    - {name: viewer, passwordFile: DIR/viewer, role: reader}\n",
                ""));
        assertThat(rotated.failed(caller(rotated, ci))).as("ci's password changed").isTrue();
        assertThat(rotated.failed(caller(rotated, viewer))).as("viewer is gone").isTrue();
        assertThat(rotated.failed(caller(rotated, basic("ci", "ci-pass")))).isTrue();
        assertThat(rotated.failed(caller(rotated, basic("ci", "new-pass")))).isFalse();

        String fresh = bearer(token(rotated, basic("ci", "new-pass"), "repository:team/app:pull,push"));
        ClientAuth demoted = fixture.auth(AUTH.replace("role: writer, repositories: [team]", "role: reader"));
        assertThat(demoted.check(caller(demoted, fresh), "team", "team/app", Action.PUSH)).isEqualTo(Verdict.DENIED);
    }

    @Test
    void refreshTokensStandInForThePasswordUntilItChanges() {
        ClientAuth auth = fixture.auth(AUTH);
        TokenIssuer.Issued issued = auth.tokens().issue(caller(auth, basic("ci", "ci-pass")),
                Scope.parseAll(List.of("repository:team/app:pull")), ROUTES, true);
        assertThat(issued.refreshToken()).isNotNull();
        assertThat(auth.failed(caller(auth, "Bearer " + issued.refreshToken()))).as("not an access token").isTrue();
        Caller refreshed = auth.refresh(issued.refreshToken());
        assertThat(refreshed.subject()).isEqualTo(Subject.user("ci"));
        assertThat(auth.failed(auth.refresh(issued.token()))).as("an access token is no refresh token").isTrue();
        assertThat(auth.tokens().issue(caller(auth, null), List.of(), ROUTES, true).refreshToken())
                .as("none for anonymous").isNull();
        fixture.secret("ci", "rotated");
        assertThat(fixture.auth(AUTH).refresh(issued.refreshToken()).subject().anonymous()).isTrue();
    }

    @Test
    void formCredentialsAuthenticateLikeBasicOnes() {
        ClientAuth auth = fixture.auth(AUTH);
        assertThat(auth.authenticate("ci", "ci-pass").result().subject()).isEqualTo(Subject.user("ci"));
        assertThat(auth.failed(auth.authenticate("ci", "nope").result())).isTrue();
        assertThat(auth.failed(auth.authenticate(null, null).result())).isTrue();
    }
}
