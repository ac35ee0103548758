package dev.entrepot.proxy.hosted;

import static dev.entrepot.proxy.hosted.HostedFixture.manifest;
import static dev.entrepot.proxy.hosted.HostedFixture.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.hosted.HostedFixture.Image;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.testing.Await;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Mark and sweep of hosted content over real stores, including a push racing the collector. */
class GarbageCollectorTest extends HostedTestBase {
    private static final Duration GRACE = Duration.ofHours(1);


    private GarbageCollector.Report collect(boolean dryRun) throws Exception {
        return new GarbageCollector(fx.stores).collect(GRACE, dryRun);
    }

    private boolean stored(Digest digest) {
        return fx.blobs.index().contains(digest);
    }

    @Test
    void whatManifestsReferenceStaysTheRestGoesOnceOld() throws Exception {
        Image image = fx.pushImage(team, "app", "v1", 1, null);
        Digest stray = fx.pushBlob(team, "app", random(500, 2));
        fx.clock.advance(GRACE.plusMinutes(1));
        Digest young = fx.pushBlob(team, "app", random(500, 3));

        GarbageCollector.Report report = collect(false);

        assertThat(report.blobsRemoved()).isEqualTo(1);
        assertThat(report.removedBlobs()).containsExactly(stray.toString());
        assertThat(report.bytesRemoved()).isEqualTo(500);
        assertThat(report.linksRemoved()).isEqualTo(1);
        assertThat(stored(stray)).isFalse();
        assertThat(stored(young)).as("within the grace period").isTrue();
        for (Digest kept : List.of(image.digest(), image.config(), image.layer())) {
            assertThat(stored(kept)).as("%s", kept).isTrue();
        }
        assertThat(Await.result(team.manifest(APP, new Reference.Tag("v1"))).bytes()).isEqualTo(image.manifest());
    }

    @Test
    void aDeletedImageGoesButWhatAnotherImageSharesStays() throws Exception {
        Image doomed = fx.pushImage(team, "app", "v1", 4, null);
        byte[] layer = Files.readAllBytes(fx.blobs.open(doomed.layer()).map(l -> {
            l.close();
            return l.path();
        }).orElseThrow());
        byte[] config = "{\"other\":1}".getBytes(StandardCharsets.UTF_8);
        fx.pushBlob(team, "other", config);
        fx.pushBlob(team, "other", layer);
        Await.result(team.manifests().put(new ImageName("other"), new Reference.Tag("v1"), MediaTypes.OCI_MANIFEST,
                manifest(config, List.of(layer), null)));
        Await.result(team.manifests().delete(APP, new Reference.ByDigest(doomed.digest())));
        fx.clock.advance(GRACE.plusMinutes(1));

        collect(false);

        assertThat(stored(doomed.digest())).isFalse();
        assertThat(stored(doomed.config())).isFalse();
        assertThat(stored(doomed.layer())).as("the other image uses it").isTrue();
        assertThat(Await.result(team.blobSize(new ImageName("other"), doomed.layer()))).isEqualTo(layer.length);
    }

    @Test
    void aDryRunReportsTheSameAndRemovesNothing() throws Exception {
        Digest stray = fx.pushBlob(team, "app", random(700, 5));
        fx.clock.advance(GRACE.plusMinutes(1));

        GarbageCollector.Report dry = collect(true);
        assertThat(stored(stray)).isTrue();
        GarbageCollector.Report real = collect(false);

        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.removedBlobs()).isEqualTo(real.removedBlobs()).containsExactly(stray.toString());
        assertThat(stored(stray)).isFalse();
    }

    @Test
    void aBlobBeingReadIsLeftForNextTime() throws Exception {
        Digest stray = fx.pushBlob(team, "app", random(100, 6));
        fx.clock.advance(GRACE.plusMinutes(1));

        try (BlobLease reading = fx.blobs.open(stray).orElseThrow()) {
            fx.clock.advance(GRACE.plusMinutes(1)); // the read itself counts as a use; move past it
            assertThat(collect(false).blobsRemoved()).isZero();
            assertThat(Files.exists(reading.path())).isTrue();
        }
    }

    @Test
    void aManifestPushedWhileTheCollectorMarksIsNotSweptFromUnderIt() throws Exception {
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(900, 7);
        fx.pushBlob(team, "app", config);
        fx.pushBlob(team, "app", layer);
        Digest other = fx.pushBlob(team, "zzz", random(10, 70)); // marked after app: the collector pauses there
        fx.clock.advance(GRACE.plusMinutes(1)); // uploaded long ago: only a reference can keep them

        CountDownLatch marking = new CountDownLatch(1);
        CountDownLatch pushed = new CountDownLatch(1);
        HostedStores paused = new HostedStores(fx.blobs, pauseWhileMarking(fx.metadata, marking, pushed), fx.uploads,
                fx.cache, fx.disk, fx.vertx, fx.clock, fx.tagChanges, fx.events::add);
        CompletableFuture<GarbageCollector.Report> gc = new CompletableFuture<>();
        new Thread(() -> {
            try {
                gc.complete(new GarbageCollector(paused).collect(GRACE, false));
            } catch (Exception e) {
                gc.completeExceptionally(e);
            }
        }, "collector").start();
        assertThat(marking.await(10, TimeUnit.SECONDS)).as("the collector marked app (no manifest yet)").isTrue();
        HostedRepository sameStores = new HostedRepository("team", false, paused, fx.metrics.repository("team"));
        Await.result(sameStores.manifests().put(APP, new Reference.Tag("v1"), MediaTypes.OCI_MANIFEST,
                manifest(config, List.of(layer), null)));
        pushed.countDown();

        GarbageCollector.Report report = gc.get(10, TimeUnit.SECONDS);

        assertThat(report.removedBlobs()).as("only zzz's old, unreferenced blob").containsExactly(other.toString());
        assertThat(report.linksRemoved()).isEqualTo(1);
        assertThat(Await.result(team.blobSize(APP, Digest.sha256(layer)))).isEqualTo(900);
        assertThat(Await.result(team.blobSize(APP, Digest.sha256(config)))).isEqualTo(config.length);
    }

    @Test
    void anUnreadableManifestStopsTheCollectionBeforeItRemovesAnything() throws Exception {
        Image image = fx.pushImage(team, "app", "v1", 8, null);
        Digest stray = fx.pushBlob(team, "app", random(10, 9));
        fx.clock.advance(GRACE.plusMinutes(1));
        Path manifestFile = fx.blobs.open(image.digest()).map(l -> {
            l.close();
            return l.path();
        }).orElseThrow();
        Files.delete(manifestFile); // lost behind our back

        assertThatThrownBy(() -> collect(false)).hasMessageContaining(image.digest().toString())
                .hasMessageContaining("nothing removed");
        assertThat(stored(stray)).isTrue();
        assertThatThrownBy(() -> collect(true)).as("a failed run does not leave a collection running (null)")
                .hasMessageContaining("nothing removed");
    }

    /** The metadata store, holding the collector once it marked {@code team/app} (at {@code zzz}) until the test pushed. */
    private static HostedMetadataStore pauseWhileMarking(HostedMetadataStore real, CountDownLatch marking,
                                                         CountDownLatch resume) {
        return (HostedMetadataStore) Proxy.newProxyInstance(HostedMetadataStore.class.getClassLoader(),
                new Class<?>[] {HostedMetadataStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("revisions") && args[1].toString().equals("zzz")
                            && Thread.currentThread().getName().equals("collector")) {
                        marking.countDown();
                        resume.await(10, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
