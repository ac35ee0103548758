package dev.entrepot.e2e;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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

    @Test
    void killDuringABigPushLeavesNoPartialBlobAndTheSessionResumes() throws Exception {
        proxy.start(); // in case another test left it killed
        HostedImage base = HostedImage.random("base", 500_000).push(push, "team/base", "1");
        long size = 64L << 20;
        long seed = ThreadLocalRandom.current().nextLong();
        String digest = SeededBytes.sha256(seed, size);
        String location = push.startUpload("team/big");
        Path data = proxy.storage().resolve("uploads").resolve(location.substring(location.lastIndexOf('/') + 1)).resolve("data");
        CompletableFuture<String> cut = CompletableFuture.supplyAsync(() -> {
            try {
                return push.patchStream(location, () -> new SeededBytes(seed, 0, size, 16L << 20), size, null, LONG).toString();
            } catch (UncheckedIOException e) {
                return e.getCause().toString();
            }
        });
        Poll.until(Duration.ofSeconds(20), () -> fileSize(data) > (8L << 20), () -> "8 MiB in " + data);
        proxy.kill9();
        assertThat(cut.get(30, TimeUnit.SECONDS)).as("the client saw the cut").doesNotStartWith("202");
        long kept = fileSize(data);
        assertThat(kept).isBetween(8L << 20, size - 1);

        proxy.start();
        OciErrors.assertError(proxy.client().get("/v2/team/big/blobs/" + digest, null), 404, "BLOB_UNKNOWN");
        assertThat(proxy.hostedBlobFile(digest)).doesNotExist();
        base.assertPullable(proxy.client(), "team/base", "1");

        OciClient.Response status = push.status(location);
        long resumeAt;
        if (status.status() == 204) { // resumable: from exactly what reached the disk
            assertThat(status.header("Range")).isEqualTo("0-" + (kept - 1));
            resumeAt = kept;
        } else { // or cleanly gone, and then the whole blob again
            OciErrors.assertError(status, 404, "BLOB_UPLOAD_UNKNOWN");
            resumeAt = 0;
        }
        assertThat(resumeAt).as("this proxy keeps sessions across restarts (uploadExpiry 1h)").isEqualTo(kept);
        String session = resumeAt == 0 ? push.startUpload("team/big") : location;
        OciClient.Response rest = push.patchStream(session, () -> new SeededBytes(seed, resumeAt, size, 0), size - resumeAt,
                resumeAt + "-" + (size - 1), LONG);
        assertThat(rest.status()).as("%s", rest).isEqualTo(202);
        assertThat(push.put(session, digest, null, null).status()).isEqualTo(201);
        OciClient.Download download = proxy.client().blob("team/big", digest, LONG);
        assertThat(download.complete(digest)).as("%s", download).isTrue();
        assertThat(download.bytes()).isEqualTo(size);
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

        CompletableFuture<String> gc = CompletableFuture.supplyAsync(() -> {
            try {
                return push.collectGarbage(false).toString();
            } catch (UncheckedIOException e) {
                return e.getCause().toString();
            }
        });
        Poll.until(Duration.ofSeconds(30), () -> links() < links - 10
                        || EntrepotProxy.regularFiles(proxy.storage().resolve("hosted/blobs")).size() < hostedBlobs,
                () -> "the sweep under way");
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

        for (Image image : remote) {
            pullThrough(small, image);
        }
        Poll.until(Duration.ofSeconds(30), () -> small.blobBytes() <= maxSize, () -> "cache under maxSize: " + small.blobBytes());
        assertThat(small.metrics().sum("entrepot_store_evictions_total")).as("eviction ran").isPositive();
        assertHostedIntact(small, hosted);
        assertThat(small.metrics().sum("entrepot_hosted_bytes")).isGreaterThanOrEqualTo(28L << 20);

        small.stop();
        small.start();
        assertHostedIntact(small, hosted);
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

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
