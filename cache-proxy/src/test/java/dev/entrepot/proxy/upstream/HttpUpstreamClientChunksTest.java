package dev.entrepot.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A blob body reaches the download in pieces as large as the socket reads, not in Vert.x' default 8 KiB cuts. */
class HttpUpstreamClientChunksTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        Await.result(vertx.close());
    }

    @Test
    void blobChunksAreLargerThanTheDefaultEightKibibytes() throws Exception {
        byte[] blob = new byte[4 << 20];
        new Random(7).nextBytes(blob);
        HttpServer registry = Await.result(vertx.createHttpServer()
                .requestHandler(req -> req.response().end(Buffer.buffer(blob))).listen(0, "127.0.0.1"));
        URI base = URI.create("http://127.0.0.1:" + registry.actualPort());
        HttpUpstreamClient client = new HttpUpstreamClient(vertx,
                vertx.createHttpClient(HttpUpstreamClient.options(Duration.ofSeconds(2))),
                base, new BearerChallengeAuthenticator(vertx.createHttpClient(), null, null, Duration.ofSeconds(2)),
                new ProxyMetrics(new SimpleMeterRegistry()).repository("hub"), new UpstreamHealth(base, Clock.systemUTC()),
                new HttpUpstreamClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), 0,
                        Duration.ofMillis(10)));

        List<Integer> chunks = new ArrayList<>();
        Promise<Void> ended = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> client.openBlob(new ImageName("library/x"), Digest.sha256(blob))
                .onFailure(ended::tryFail)
                .onSuccess(response -> {
                    response.handler(chunk -> chunks.add(chunk.length()));
                    response.endHandler(ended::tryComplete);
                    response.resume();
                }));
        Await.result(ended.future());

        assertThat(chunks.stream().mapToLong(Integer::longValue).sum()).isEqualTo(blob.length);
        assertThat(chunks.stream().mapToInt(Integer::intValue).max().orElse(0))
                .as("largest chunk of %d", chunks.size()).isGreaterThan(8192);
    }
}
