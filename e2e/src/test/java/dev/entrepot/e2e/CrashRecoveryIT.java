package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 in the middle of a slow blob download: after a restart no partial blob is ever served,
 * the leftover temp file is gone, complete blobs from before the crash are still served, and the
 * interrupted blob is fetched again and served complete.
 */
class CrashRecoveryIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static Image big;
    private static Image small;

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(CrashRecoveryIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        ImageGenerator images = upstream.images();
        big = images.image("big", "amd64", 48L << 20);
        upstream.push(big.manifest(), "library/big:1");
        small = images.image("small", "amd64", 300_000);
        upstream.push(small.manifest(), "library/small:1");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), ProxyConfig.hub(upstream.url().toString(), "1h")));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void killDuringADownloadLeavesNoPartialBlob() throws Exception {
        String smallDigest = small.layers().get(0).descriptor().digest();
        String bigDigest = big.layers().get(0).descriptor().digest();
        long bigSize = big.layers().get(0).descriptor().size();
        OciClient client = proxy.client();
        assertThat(client.blob("hub/library/small", smallDigest, Duration.ofSeconds(30)).complete(smallDigest)).isTrue();
        assertThat(client.manifest("hub/library/small", "1").status()).isEqualTo(200);

        upstream.front().throttle(big.layers().get(0).descriptor().hex(), 4L << 20); // ~12 s
        CompletableFuture<OciClient.Download> interrupted = CompletableFuture.supplyAsync(
                () -> proxy.client().blob("hub/library/big", bigDigest, Duration.ofMinutes(2)));
        Poll.until(Duration.ofSeconds(20), () -> tempBytes() > (4L << 20), () -> "4 MiB in the temp file: " + proxy.tempFiles());
        proxy.kill9();

        OciClient.Download cut = interrupted.get(30, TimeUnit.SECONDS);
        assertThat(cut.complete(bigDigest)).as("the client saw the cut: %s", cut).isFalse();
        assertThat(cut.bytes()).isLessThan(bigSize);
        assertThat(proxy.tempFiles()).as("kill -9 leaves the temp file behind").isNotEmpty();
        assertThat(proxy.blobFile(bigDigest)).doesNotExist();

        upstream.front().clearFaults();
        upstream.front().unavailable(true);
        proxy.start();
        assertThat(proxy.tempFiles()).as("temp files cleaned at start").isEmpty();
        assertThat(proxy.blobFile(bigDigest)).doesNotExist();

        // with the upstream unavailable: the partial blob is not there, the complete ones are
        OciClient afterRestart = proxy.client();
        OciClient.Response head = afterRestart.head("/v2/hub/library/big/blobs/" + bigDigest, null);
        assertThat(head.status()).as("HEAD of the interrupted blob: %s", head).isNotEqualTo(200);
        OciErrors.assertError(afterRestart.get("/v2/hub/library/big/blobs/" + bigDigest, null), 503, "UNAVAILABLE");
        assertThat(afterRestart.blob("hub/library/small", smallDigest, Duration.ofSeconds(30)).complete(smallDigest))
                .as("blob committed before the crash").isTrue();
        OciClient.Response manifest = afterRestart.manifest("hub/library/small", small.manifest().digest());
        assertThat(manifest.status()).as("manifest committed before the crash: %s", manifest).isEqualTo(200);

        // upstream back: fetched again, complete and verified
        upstream.front().clearFaults();
        int before = upstream.front().gets("/blobs/" + bigDigest);
        OciClient.Download full = afterRestart.blob("hub/library/big", bigDigest, Duration.ofMinutes(2));
        assertThat(full.complete(bigDigest)).as("%s", full).isTrue();
        assertThat(upstream.front().gets("/blobs/" + bigDigest)).isEqualTo(before + 1);
        Poll.until(Duration.ofSeconds(10), () -> Files.isRegularFile(proxy.blobFile(bigDigest)), () -> "blob committed");
        assertThat(Digests.sha256(proxy.blobFile(bigDigest))).isEqualTo(bigDigest);
        assertThat(proxy.tempFiles()).isEmpty();
    }

    private static long tempBytes() {
        return proxy.tempFiles().stream().mapToLong(p -> {
            try {
                return Files.size(p);
            } catch (IOException e) {
                return 0;
            }
        }).sum();
    }
}
