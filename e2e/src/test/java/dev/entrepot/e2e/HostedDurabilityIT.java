package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.HostedImage.Blob;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.SeededBytes;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hosted content is the user's only copy: kill -9 in the middle of a big push leaves no partial blob visible and the
 * half session resumable (or cleanly gone), kill -9 in the middle of a garbage collection loses no referenced blob,
 * and LRU eviction of cached content under a small {@code storage.maxSize} never touches hosted content — before or
 * after a restart.
 */
class HostedDurabilityIT {
    private static final Duration LONG = Duration.ofMinutes(3);

    private record Pushed(String name, HostedImage image) {
    }

    private static final Teardown TEARDOWN = new Teardown();
    private static Path work;
    private static EntrepotProxy proxy;
    private static PushClient push;

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(HostedDurabilityIT.class);
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"),
                new ProxyConfig().standard("team", false, null).gc("0s", "0s")));
        push = PushClient.of(proxy);
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    /** Two big uploads in flight at the kill: a streamed PATCH, and a whole blob in the closing PUT. */
    @Test
    void killDuringBigPushesLeavesNoPartialBlobAndTheSessionsResume() throws Exception {
        proxy.start(); // in case another test left it killed
        HostedImage base = HostedImage.random("base", 500_000).push(push, "team/base", "1");
        long size = 48L << 20;
        long patchSeed = ThreadLocalRandom.current().nextLong();
        long putSeed = ThreadLocalRandom.current().nextLong();
        String patchDigest = SeededBytes.sha256(patchSeed, size);
        String putDigest = SeededBytes.sha256(putSeed, size);
        String patched = push.startUpload("team/big");
        String put = push.startUpload("team/big");
        CompletableFuture<String> patchCut = inFlight(() -> push.patchStream(patched,
                () -> new SeededBytes(patchSeed, 0, size, 16L << 20), size, LONG));
        CompletableFuture<String> putCut = inFlight(() -> push.putStream(put, putDigest,
                () -> new SeededBytes(putSeed, 0, size, 16L << 20), size, null, LONG));
        Poll.until(Duration.ofSeconds(20), () -> fileSize(data(patched)) > (8L << 20) && fileSize(data(put)) > (8L << 20),
                () -> "8 MiB in both sessions: " + fileSize(data(patched)) + ", " + fileSize(data(put)));
        proxy.kill9();
        assertThat(patchCut.get(30, TimeUnit.SECONDS)).as("the client saw the cut").doesNotStartWith("202");
        assertThat(putCut.get(30, TimeUnit.SECONDS)).as("the client saw the cut").doesNotStartWith("201");

        proxy.start();
        for (String digest : List.of(patchDigest, putDigest)) {
            OciErrors.assertError(proxy.client().get("/v2/team/big/blobs/" + digest, null), 404, "BLOB_UNKNOWN");
            assertThat(proxy.hostedBlobFile(digest)).as("no partial blob").doesNotExist();
        }
        base.assertPullable(proxy.client(), "team/base", "1");
        resume(patched, patchSeed, size, patchDigest, false);
        resume(put, putSeed, size, putDigest, true);
    }

    /**
     * The session holds exactly what reached the disk (uploadExpiry is 1h); the rest, in a PATCH or as the final
     * chunk of the PUT, completes the blob.
     */
    private static void resume(String location, long seed, long size, String digest, boolean restInThePut) {
        long kept = fileSize(data(location));
        assertThat(kept).isBetween(8L << 20, size - 1);
        OciClient.Response status = push.status(location);
        assertThat(status.status()).as("resumable after kill -9: %s", status).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-" + (kept - 1));
        String range = kept + "-" + (size - 1);
        if (restInThePut) {
            OciClient.Response put = push.putStream(location, digest, () -> new SeededBytes(seed, kept, size, 0), size - kept,
                    range, LONG);
            assertThat(put.status()).as("%s", put).isEqualTo(201);
        } else {
            OciClient.Response rest = push.patchStream(location, () -> new SeededBytes(seed, kept, size, 0), size - kept,
                    range, LONG);
            assertThat(rest.status()).as("%s", rest).isEqualTo(202);
            assertThat(push.put(location, digest, null, null).status()).isEqualTo(201);
        }
        OciClient.Download download = proxy.client().blob("team/big", digest, LONG);
        assertThat(download.complete(digest)).as("%s", download).isTrue();
        assertThat(download.bytes()).isEqualTo(size);
    }

    /** Pushes from four clients at the kill: every acknowledged image whole, no tag pointing at nothing. */
    @Test
    void killDuringManifestPushesKeepsEveryAcknowledgedImageWhole() throws Exception {
        proxy.start();
        List<Pushed> acknowledged = new CopyOnWriteArrayList<>();
        List<String> failedBeforeTheKill = new CopyOnWriteArrayList<>();
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService pushers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String name = "team/storm" + t;
            running.add(pushers.submit(() -> {
                for (int i = 0; ; i++) {
                    HostedImage image = HostedImage.random(name + "-" + i, 20_000, 5_000);
                    try {
                        image.push(push, name, "v" + i);
                    } catch (RuntimeException | AssertionError e) {
                        if (!killed.get()) {
                            failedBeforeTheKill.add(name + ": " + e);
                        }
                        return;
                    }
                    acknowledged.add(new Pushed(name, image));
                }
            }));
        }
        Poll.until(Duration.ofSeconds(30), () -> acknowledged.size() >= 40 || !failedBeforeTheKill.isEmpty(),
                () -> "40 images pushed: " + acknowledged.size());
        killed.set(true);
        proxy.kill9();
        for (Future<?> f : running) {
            f.get(30, TimeUnit.SECONDS);
        }
        pushers.shutdownNow();
        assertThat(failedBeforeTheKill).isEmpty();

        proxy.start();
        OciClient pull = proxy.client();
        for (Pushed p : acknowledged) {
            p.image().assertPullable(pull, p.name(), null);
        }
        for (int t = 0; t < 4; t++) {
            String name = "team/storm" + t;
            OciClient.Response list = pull.get("/v2/" + name + "/tags/list", null);
            assertThat(list.status()).as("%s", list).isEqualTo(200);
            for (JsonNode tag : PushClient.json(list).path("tags")) {
                OciClient.Response manifest = pull.manifest(name, tag.asText());
                assertThat(manifest.status()).as("tag %s of %s: %s", tag, name, manifest).isEqualTo(200);
                assertThat(Digests.sha256(manifest.body())).isEqualTo(manifest.header("Docker-Content-Digest"));
            }
        }
    }

    @Test
    void killDuringAGarbageCollectionLosesNothingReferenced() throws Exception {
        proxy.start(); // in case another test left it killed
        List<Pushed> keep = new ArrayList<>();
        List<Pushed> doomed = new ArrayList<>();
        ExecutorService pushers = Executors.newFixedThreadPool(4);
        try {
            List<Future<Pushed>> kept = new ArrayList<>();
            List<Future<Pushed>> gone = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String name = "team/kept" + i;
                kept.add(pushers.submit(() -> new Pushed(name, HostedImage.random(name, 3_000, 2_000, 1_000).push(push, name, "1"))));
            }
            for (int i = 0; i < 50; i++) { // ~550 blobs: a sweep of a second or more, with an fsync per removal
                String name = "team/doomed" + (i % 10);
                gone.add(pushers.submit(() -> new Pushed(name, monolithic(HostedImage.random(name, sizes(10, 512)), name))));
            }
            for (Future<Pushed> f : kept) {
                keep.add(f.get(2, TimeUnit.MINUTES));
            }
            for (Future<Pushed> f : gone) {
                doomed.add(f.get(2, TimeUnit.MINUTES));
            }
        } finally {
            pushers.shutdownNow();
        }
        for (Pushed p : doomed) {
            assertThat(push.deleteManifest(p.name(), p.image().digest()).status()).isEqualTo(202);
        }
        long hostedBlobs = EntrepotProxy.regularFiles(proxy.storage().resolve("hosted/blobs")).size();
        long links = links();

        CompletableFuture<String> gc = inFlight(() -> push.collectGarbage(false));
        Poll.until(Duration.ofSeconds(30), () -> {
            try {
                return links() < links - 10
                        || EntrepotProxy.regularFiles(proxy.storage().resolve("hosted/blobs")).size() < hostedBlobs;
            } catch (UncheckedIOException e) {
                return true; // files vanished while we counted: the sweep is under way
            }
        }, () -> "the sweep under way");
        proxy.kill9();
        assertThat(gc.get(30, TimeUnit.SECONDS)).as("killed before the collection ended").doesNotStartWith("200");

        proxy.start();
        OciClient pull = proxy.client();
        for (Pushed p : keep) {
            p.image().assertPullable(pull, p.name(), "1");
        }
        for (Pushed p : doomed) {
            OciErrors.assertError(pull.manifest(p.name(), p.image().digest()), 404, "MANIFEST_UNKNOWN");
        }
        // the next collection finishes the job
        assertThat(push.gc(false).path("gc").path("blobsRemoved").asInt()).isPositive();
        for (Pushed p : doomed) {
            for (Blob blob : p.image().blobs()) {
                assertThat(proxy.hostedBlobFile(blob.digest())).doesNotExist();
            }
        }
        for (Pushed p : keep) {
            p.image().assertPullable(pull, p.name(), "1");
        }
    }

    /** Hosted content bigger than maxSize, remote content well over it pulled through: only cached blobs go. */
    @Test
    void lruEvictionNeverTouchesHostedContent() {
        Upstream upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        List<Image> remote = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Image image = upstream.images().image("lru" + i, "amd64", 8L << 20);
            upstream.push(image.manifest(), "library/lru:" + i);
            remote.add(image);
        }
        long maxSize = 24L << 20;
        EntrepotProxy small = TEARDOWN.add(EntrepotProxy.start(work.resolve("small"),
                ProxyConfig.hub(upstream.url().toString(), "1h").standard("team", false, null).maxSize("24Mi")));
        PushClient smallPush = PushClient.of(small);
        List<HostedImage> hosted = List.of(
                HostedImage.random("keep1", 14 << 20).push(smallPush, "team/keep", "1"),
                HostedImage.random("keep2", 14 << 20).push(smallPush, "team/keep", "2"));

        // a hosted image over a cached layer (mounted from hub): its hosted copy must outlive the cached one
        pullThrough(small, remote.get(0));
        String cachedLayer = remote.get(0).layers().get(0).descriptor().digest();
        assertThat(smallPush.post("team/mounted", "mount=" + cachedLayer + "&from=hub/library/lru").status()).isEqualTo(201);
        HostedImage mounted = HostedImage.of("mounted", List.of(Blob.of(remote.get(0).layers().get(0).descriptor().mediaType(),
                small.client().get("/v2/hub/library/lru/blobs/" + cachedLayer, null).body())));
        smallPush.pushBlob("team/mounted", mounted.config().bytes());
        mounted.pushManifest(smallPush, "team/mounted", "1");

        for (Image image : remote.subList(1, remote.size())) {
            pullThrough(small, image);
        }
        Poll.until(Duration.ofSeconds(30), () -> small.blobBytes() <= maxSize, () -> "cache under maxSize: " + small.blobBytes());
        Poll.until(Duration.ofSeconds(30), () -> !Files.exists(small.blobFile(cachedLayer)), () -> "the oldest cached layer evicted");
        mounted.assertPullable(small.client(), "team/mounted", "1");
        assertThat(small.metrics().sum("entrepot_store_evictions_total")).as("eviction ran").isPositive();
        assertHostedIntact(small, hosted);
        assertThat(small.metrics().sum("entrepot_hosted_bytes")).isGreaterThanOrEqualTo(28L << 20);

        small.stop();
        small.start();
        assertHostedIntact(small, hosted);
        mounted.assertPullable(small.client(), "team/mounted", "1");
        assertThat(small.blobBytes()).isLessThanOrEqualTo(maxSize);
        pullThrough(small, remote.get(0)); // evicted or not, still served complete
        Poll.until(Duration.ofSeconds(30), () -> small.blobBytes() <= maxSize, () -> "cache under maxSize: " + small.blobBytes());
        assertHostedIntact(small, hosted);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static void assertHostedIntact(EntrepotProxy proxy, List<HostedImage> hosted) {
        for (int i = 0; i < hosted.size(); i++) {
            hosted.get(i).assertPullable(proxy.client(), "team/keep", Integer.toString(i + 1));
            for (Blob blob : hosted.get(i).blobs()) {
                assertThat(Digests.sha256(proxy.hostedBlobFile(blob.digest()))).isEqualTo(blob.digest());
            }
        }
    }

    private static void pullThrough(EntrepotProxy proxy, Image image) {
        String layer = image.layers().get(0).descriptor().digest();
        OciClient.Download download = proxy.client().blob("hub/library/lru", layer, LONG);
        assertThat(download.complete(layer)).as("%s", download).isTrue();
    }

    /** Each blob in one POST ({@code ?digest=}), then the manifest by digest. */
    private static HostedImage monolithic(HostedImage image, String name) {
        for (Blob blob : image.blobs()) {
            assertThat(push.postBlob(name, blob.digest(), blob.bytes()).status()).isEqualTo(201);
        }
        image.pushManifest(push, name, null);
        return image;
    }

    private static int[] sizes(int count, int size) {
        int[] sizes = new int[count];
        Arrays.fill(sizes, size);
        return sizes;
    }

    /** Blob link files of all hosted images. */
    private static long links() {
        return EntrepotProxy.regularFiles(proxy.storage().resolve("hosted/repositories")).stream()
                .filter(p -> p.toString().contains("/_layers/")).count();
    }

    private static Path data(String location) {
        return proxy.storage().resolve("uploads").resolve(location.substring(location.lastIndexOf('/') + 1)).resolve("data");
    }

    /** A request that the kill will cut: its response as text, or the I/O error it ended with. */
    private static CompletableFuture<String> inFlight(Supplier<OciClient.Response> request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return request.get().toString();
            } catch (UncheckedIOException e) {
                return e.getCause().toString();
            }
        });
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
