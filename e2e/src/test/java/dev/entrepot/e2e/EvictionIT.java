package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code storage.maxSize} is enforced by evicting the least recently used blobs: five 12 MiB
 * blobs through a 40 MiB store, with the first one read again so the second is the oldest.
 */
class EvictionIT {
    private static final long MAX_SIZE = 40L << 20;
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static final List<String> layers = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(EvictionIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        ImageGenerator images = upstream.images();
        for (int i = 1; i <= 5; i++) {
            Image image = images.image("evict" + i, "amd64", 12L << 20);
            upstream.push(image.manifest(), "library/evict:" + i);
            layers.add(image.layers().get(0).descriptor().digest());
        }
        ProxyConfig config = ProxyConfig.hub(upstream.url().toString(), "1h").maxSize("40Mi");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void leastRecentlyUsedBlobsAreEvictedToStayUnderMaxSize() {
        PrometheusText start = proxy.metrics();
        pull(1);
        pull(2);
        pull(3);
        assertStored(1, 2, 3);
        pull(1); // now 2 is the least recently used
        assertThat(upstream.front().gets("/blobs/" + layers.get(0))).as("1 read from the cache").isEqualTo(1);

        pull(4);
        Poll.until(SETTLE, () -> !Files.exists(blob(2)), () -> "blob 2 evicted; stored " + proxy.blobBytes());
        assertStored(1, 3, 4);
        assertWithinMaxSize();

        pull(5);
        Poll.until(SETTLE, () -> !Files.exists(blob(3)), () -> "blob 3 evicted; stored " + proxy.blobBytes());
        assertStored(1, 4, 5);
        assertWithinMaxSize();

        PrometheusText now = proxy.metrics();
        assertThat(delta(start, now, "entrepot_store_evictions_total")).as("%s", now).isGreaterThanOrEqualTo(2);
        assertThat(now.sum("entrepot_store_bytes")).isLessThanOrEqualTo(MAX_SIZE).isGreaterThanOrEqualTo(3 * (12L << 20));

        // an evicted blob is simply fetched again
        pull(2);
        assertThat(upstream.front().gets("/blobs/" + layers.get(1))).isEqualTo(2);
        Poll.until(SETTLE, () -> proxy.blobBytes() <= MAX_SIZE, () -> "store back under maxSize: " + proxy.blobBytes());
    }

    private static void pull(int i) {
        String digest = layers.get(i - 1);
        OciClient.Download download = proxy.client().blob("hub/library/evict", digest, Duration.ofSeconds(60));
        assertThat(download.complete(digest)).as("blob %d: %s", i, download).isTrue();
    }

    private static Path blob(int i) {
        return proxy.blobFile(layers.get(i - 1));
    }

    private static void assertStored(int... which) {
        for (int i : which) {
            Poll.until(SETTLE, () -> Files.isRegularFile(blob(i)), () -> "blob " + i + " stored");
        }
    }

    private static void assertWithinMaxSize() {
        Poll.until(SETTLE, () -> proxy.blobBytes() <= MAX_SIZE, () -> "store under maxSize: " + proxy.blobBytes());
        Poll.until(SETTLE, () -> proxy.metrics().sum("entrepot_store_bytes") <= MAX_SIZE,
                () -> "entrepot_store_bytes under maxSize: " + proxy.metrics().sum("entrepot_store_bytes"));
    }
}
