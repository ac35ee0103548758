package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bytes stream, they never sit whole in the heap: a blob twice as large as the proxy's
 * whole heap goes to concurrent cold clients and then, stored, to a warm one.
 */
class StreamingIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static Image huge;

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(StreamingIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        huge = upstream.images().image("huge", "amd64", 192L << 20);
        upstream.push(huge.manifest(), "library/huge:1");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"),
                ProxyConfig.hub(upstream.url().toString(), "1h"), List.of("-Xmx96m")));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void aBlobLargerThanTheHeapStreamsToConcurrentClients() throws Exception {
        Layer layer = huge.layers().get(0);
        String digest = layer.descriptor().digest();
        int clients = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<OciClient.Download>> downloads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                OciClient client = proxy.client();
                downloads.add(pool.submit(() -> {
                    start.await();
                    return client.blob("hub/library/huge", digest, TIMEOUT);
                }));
            }
            start.countDown();
            for (Future<OciClient.Download> download : downloads) {
                OciClient.Download result = download.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(result.complete(digest)).as("%s\n%s", result, proxy.logTail(20)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(proxy.isAlive()).as("proxy with -Xmx96m survived").isTrue();
        assertThat(proxy.logTail(200)).doesNotContain("OutOfMemoryError");
        assertThat(upstream.front().gets("/blobs/" + digest)).isEqualTo(1);

        OciClient.Download warm = proxy.client().blob("hub/library/huge", digest, TIMEOUT);
        assertThat(warm.complete(digest)).as("%s", warm).isTrue();
        assertThat(warm.contentLength()).isEqualTo(Long.toString(layer.descriptor().size()));
    }
}
