package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
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

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code remote.retention}: content not pulled for that long is evicted by the periodic store
 * maintenance (every 30 s by default), content pulled meanwhile stays.
 */
class RetentionIT {
    private static final Duration RETENTION = Duration.ofSeconds(4);
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static Image idle;
    private static Image busy;

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(RetentionIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        idle = upstream.images().image("idle", "amd64", 500_000);
        upstream.push(idle.manifest(), "library/idle:1");
        busy = upstream.images().image("busy", "amd64", 500_000);
        upstream.push(busy.manifest(), "library/busy:1");
        ProxyConfig config = ProxyConfig.hub(upstream.url().toString(), "1h").retention(RETENTION.toSeconds() + "s");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void contentNotPulledForTheRetentionIsEvicted() {
        String idleDigest = idle.layers().get(0).descriptor().digest();
        String busyDigest = busy.layers().get(0).descriptor().digest();
        var before = proxy.metrics();
        pull("idle", idleDigest);
        pull("busy", busyDigest);
        Poll.until(Duration.ofSeconds(10), () -> Files.isRegularFile(proxy.blobFile(idleDigest)), () -> "idle stored");

        long deadline = System.nanoTime() + Duration.ofSeconds(75).toNanos();
        while (Files.exists(proxy.blobFile(idleDigest))) {
            assertThat(System.nanoTime()).as("idle blob evicted within 75 s").isLessThan(deadline);
            pull("busy", busyDigest); // keeps it recently used
            Poll.sleep(Duration.ofSeconds(1));
        }
        assertThat(proxy.blobFile(busyDigest)).as("recently pulled content stays").isRegularFile();
        assertThat(delta(before, proxy.metrics(), "entrepot_store_evictions_total")).isGreaterThanOrEqualTo(1);

        pull("idle", idleDigest);
        assertThat(upstream.front().gets("/blobs/" + idleDigest)).as("fetched again after eviction").isEqualTo(2);
        assertThat(upstream.front().gets("/blobs/" + busyDigest)).isEqualTo(1);
    }

    private static void pull(String name, String digest) {
        OciClient.Download download = proxy.client().blob("hub/library/" + name, digest, Duration.ofSeconds(30));
        assertThat(download.complete(digest)).as("%s", download).isTrue();
    }
}
