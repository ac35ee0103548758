package dev.entrepot.proxy.auth;

import static dev.entrepot.proxy.auth.AuthFixture.basic;
import static dev.entrepot.proxy.auth.AuthFixture.caller;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ServiceAccount tokens against fabric8's mock API server, which answers TokenReviews with responses recorded from
 * a real API server (src/test/resources/tokenreview), chosen by the token in the request.
 */
class ServiceAccountReviewsTest {
    private static final String BUILDER = "eyJhbGciOiJSUzI1NiJ9.builder.sig";
    private static final String EXPIRED = "eyJhbGciOiJSUzI1NiJ9.expired.sig";
    private static final String HUMAN = "eyJhbGciOiJSUzI1NiJ9.human.sig";
    private static final String FORBIDDEN = "eyJhbGciOiJSUzI1NiJ9.forbidden.sig";
    private static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

    @TempDir
    Path dir;
    private KubernetesMockServer server;
    private KubernetesClient client;
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = server.createClient();
        server.expect().post().withPath(PATH).andReply(new ResponseProvider<Object>() {
            private Headers headers = Headers.builder().add("Content-Type", "application/json").build();
            /** The body can be read once: both methods look at it. */
            private final Map<RecordedRequest, String> read = Collections.synchronizedMap(new IdentityHashMap<>());

            private String body(RecordedRequest request) {
                return read.computeIfAbsent(request, r -> {
                    String body = r.getUtf8Body();
                    bodies.add(body);
                    return body;
                });
            }

            @Override
            public int getStatusCode(RecordedRequest request) {
                return body(request).contains(FORBIDDEN) ? 403 : 201;
            }

            @Override
            public Object getBody(RecordedRequest request) {
                String body = body(request);
                return recorded(body.contains(BUILDER) ? "builder-authenticated" : body.contains(HUMAN) ? "human-user"
                        : body.contains(FORBIDDEN) ? "forbidden" : "expired");
            }

            @Override
            public Headers getHeaders() {
                return headers;
            }

            @Override
            public void setHeaders(Headers headers) {
                this.headers = headers;
            }
        }).always();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private static String recorded(String name) {
        try (InputStream in = ServiceAccountReviewsTest.class.getResourceAsStream("/tokenreview/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ServiceAccountReviews reviews(Duration cacheTtl) {
        return new ServiceAccountReviews(() -> client, List.of("entrepot"), cacheTtl, Runnable::run);
    }

    private static <T> T result(Future<T> future) {
        assertThat(future.isComplete()).isTrue();
        if (future.failed()) {
            throw (RuntimeException) future.cause();
        }
        return future.result();
    }

    @Test
    void anAuthenticatedServiceAccountIsItsNamespaceAndNameAndTheAudienceIsAsked() {
        assertThat(result(reviews(Duration.ofMinutes(1)).review(BUILDER)))
                .contains(Subject.serviceAccount("team-a:builder"));
        assertThat(bodies).hasSize(1);
        assertThat(bodies.get(0)).contains("\"audiences\":[\"entrepot\"]").contains("\"token\":\"" + BUILDER + "\"");
    }

    @Test
    void anExpiredTokenAndAPersonsTokenAreNoServiceAccount() {
        ServiceAccountReviews reviews = reviews(Duration.ofMinutes(1));
        assertThat(result(reviews.review(EXPIRED))).isEmpty();
        assertThat(result(reviews.review(HUMAN))).isEmpty();
    }

    @Test
    void answersAreRememberedForTheCacheTtlAndRefusalsAtMostTenSeconds() {
        ServiceAccountReviews reviews = reviews(Duration.ofMinutes(1));
        for (int i = 0; i < 3; i++) {
            assertThat(result(reviews.review(BUILDER))).isPresent();
            assertThat(result(reviews.review(EXPIRED))).isEmpty();
        }
        assertThat(bodies).as("one review per token").hasSize(2);
        assertThat(reviews.known(BUILDER)).isEqualTo(Optional.of(Subject.serviceAccount("team-a:builder")));
        assertThat(reviews.known(HUMAN)).as("never asked").isNull();
        assertThat(result(reviews(Duration.ZERO).review(BUILDER))).isPresent();
        assertThat(result(reviews(Duration.ZERO).review(BUILDER))).isPresent();
        assertThat(bodies).as("cacheTtl 0: every check asks").hasSize(4);
    }

    @Test
    void aRefusalOfTheApiServerIsUnavailableNotAVerdictAndIsNotRemembered() {
        ServiceAccountReviews reviews = reviews(Duration.ofMinutes(1));
        for (int i = 0; i < 2; i++) {
            Future<Optional<Subject>> answer = reviews.review(FORBIDDEN);
            assertThat(answer.failed()).isTrue();
            assertThat(answer.cause()).isInstanceOf(OciException.class);
            assertThat(((OciException) answer.cause()).code()).isEqualTo(OciErrorCode.UNAVAILABLE);
            assertThat(answer.cause().getMessage()).contains("403").doesNotContain(FORBIDDEN);
        }
        assertThat(bodies).hasSize(2);
    }

    @Test
    void aServiceAccountTokenIsThePasswordOfAnyNameThatIsNoUser() {
        AuthFixture fixture = new AuthFixture(dir);
        fixture.kubernetes = () -> client;
        fixture.secret("ci", "ci-pass");
        ClientAuth auth = fixture.auth("""
                auth:
                  anonymousPull: false
                  users: [{name: ci, passwordFile: DIR/ci, role: writer}]
                  kubernetes:
                    enabled: true
                    audiences: [entrepot]
                    bindings:
                      - {serviceAccount: "team-a:*", role: reader}
                      - {serviceAccount: "team-a:builder", role: writer, repositories: [team]}
                """);
        Caller builder = caller(auth, basic("serviceaccount", BUILDER));
        assertThat(builder.subject()).isEqualTo(Subject.serviceAccount("team-a:builder"));
        assertThat(auth.check(builder, "team", "team/app", Action.PUSH)).isEqualTo(Verdict.ALLOWED);
        assertThat(auth.check(builder, "other", "other/app", Action.PUSH)).isEqualTo(Verdict.DENIED);
        assertThat(auth.check(builder, "other", "other/app", Action.PULL)).isEqualTo(Verdict.ALLOWED);
        assertThat(auth.failed(caller(auth, basic("anyone", EXPIRED)))).isTrue();
        assertThat(auth.failed(caller(auth, basic("ci", BUILDER)))).as("a user's name: only its password").isTrue();
        assertThat(auth.failed(caller(auth, basic("serviceaccount", "not-a-jwt")))).isTrue();
        int asked = bodies.size();
        assertThat(caller(auth, basic("serviceaccount", BUILDER)).subject().name()).isEqualTo("team-a:builder");
        assertThat(bodies).as("remembered").hasSize(asked);

        TokenIssuer.Issued token = fixture.auth(AUTH_WITH_TOKEN).tokens().issue(builder,
                Scope.parseAll(List.of("repository:team/app:pull,push")), name -> "team", false);
        assertThat(token.scope()).isEqualTo("repository:team/app:pull,push");
    }

    private static final String AUTH_WITH_TOKEN = """
            auth:
              anonymousPull: false
              token: {}
              kubernetes:
                enabled: true
                bindings: [{serviceAccount: "team-a:builder", role: writer, repositories: [team]}]
            """;
}
