package dev.entrepot.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blob storage behind a redirect: Authorization stays home, and its 4xx is not the registry's "unknown". */
class HttpUpstreamClientRedirectTest {
    private final Vertx vertx = Vertx.vertx();
    private final AtomicReference<String> cdnAuthorization = new AtomicReference<>("unset");

    @AfterEach
    void close() throws Exception {
        Await.result(vertx.close());
    }

    private HttpUpstreamClient clientWithCdnAnswering(int cdnStatus) throws Exception {
        HttpServer cdn = Await.result(vertx.createHttpServer().requestHandler(req -> {
            cdnAuthorization.set(String.valueOf(req.getHeader("Authorization")));
            req.response().setStatusCode(cdnStatus).end(cdnStatus == 200 ? "blob" : "denied");
        }).listen(0, "127.0.0.1"));
        HttpServer registry = Await.result(vertx.createHttpServer().requestHandler(req -> req.response()
                .setStatusCode(307).putHeader("Location", "http://localhost:" + cdn.actualPort() + "/signed?x=1")
                .end()).listen(0, "127.0.0.1"));
        HttpClient http = vertx.createHttpClient();
        BearerChallengeAuthenticator auth = new BearerChallengeAuthenticator(http, "user", "pw", Duration.ofSeconds(2));
        auth.learn("Basic realm=\"r\"", "repository:library/x:pull"); // registry wants Basic: header is sent
        return new HttpUpstreamClient(vertx, http, URI.create("http://127.0.0.1:" + registry.actualPort()), auth,
                new ProxyMetrics(new SimpleMeterRegistry()).repository("hub"),
                new UpstreamHealth(URI.create("http://127.0.0.1:" + registry.actualPort()), Clock.systemUTC()),
                new HttpUpstreamClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), 0,
                        Duration.ofMillis(10)));
    }

    /** Calls the client from an event loop, as the proxy does (responses are then handled in the tick they arrive). */
    private <T> Future<T> onLoop(Supplier<Future<T>> call) {
        Promise<T> result = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> call.get().onComplete(result));
        return result.future();
    }

    private static final Digest DIGEST = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));

    @Test
    void aRedirectToAnotherOriginDropsAuthorization() throws Exception {
        HttpUpstreamClient client = clientWithCdnAnswering(200);
        Buffer body = Await.result(onLoop(() -> client.openBlob(new ImageName("library/x"), DIGEST).compose(response -> {
            Future<Buffer> all = response.body();
            response.resume();
            return all;
        })));
        assertThat(body.toString()).isEqualTo("blob");
        assertThat(cdnAuthorization.get()).isEqualTo("null");
    }

    @Test
    void aForbiddenAnswerFromBlobStorageIsAnUpstreamFailureNotAMiss() throws Exception {
        HttpUpstreamClient client = clientWithCdnAnswering(403);
        Throwable failure = Await.failure(onLoop(() -> client.openBlob(new ImageName("library/x"), DIGEST)));
        assertThat(failure).isInstanceOf(UpstreamException.class);
        assertThat(((UpstreamException) failure).status()).isEqualTo(502);
        assertThat(failure.getMessage()).contains("blob storage").contains("403");
    }
}
