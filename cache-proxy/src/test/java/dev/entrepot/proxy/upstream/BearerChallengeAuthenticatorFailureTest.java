package dev.entrepot.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.testing.Await;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A token endpoint that fails is an unwell upstream: callers must see UpstreamException, so stale content may serve. */
class BearerChallengeAuthenticatorFailureTest {
    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = vertx.createHttpClient();

    @AfterEach
    void close() {
        vertx.close();
    }

    private Throwable tokenFailure(String realm) throws Exception {
        BearerChallengeAuthenticator auth = new BearerChallengeAuthenticator(http, null, null, Duration.ofSeconds(5)); // idle: room for a loaded machine
        assertThat(auth.learn("Bearer realm=\"" + realm + "\",service=\"test\"", "repository:a:pull")).isTrue();
        // From an event loop, as the proxy calls it: the token response is then read in the tick it arrives.
        Promise<String> result = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> auth.authorization("repository:a:pull").onComplete(result));
        return Await.failure(result.future());
    }

    @Test
    void anUnreachableTokenEndpointIsStatusZero() throws Exception {
        Throwable failure = tokenFailure("http://127.0.0.1:1/token");
        assertThat(failure).isInstanceOf(UpstreamException.class);
        assertThat(((UpstreamException) failure).status()).isZero();
        assertThat(((UpstreamException) failure).isUpstreamFailure()).isTrue();
    }

    @Test
    void aTokenEndpointAnsweringGarbageIsA502() throws Exception {
        HttpServer server = Await.result(vertx.createHttpServer()
                .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end("<html>"))
                .listen(0, "127.0.0.1"));
        Throwable failure = tokenFailure("http://127.0.0.1:" + server.actualPort() + "/token");
        assertThat(failure).isInstanceOf(UpstreamException.class);
        assertThat(((UpstreamException) failure).status()).isEqualTo(502);
        assertThat(((UpstreamException) failure).isUpstreamFailure()).isTrue();
    }
}
