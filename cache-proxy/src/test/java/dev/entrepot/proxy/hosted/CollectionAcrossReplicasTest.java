package dev.entrepot.proxy.hosted;

import static dev.entrepot.proxy.hosted.HostedFixture.manifest;
import static dev.entrepot.proxy.hosted.HostedFixture.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.hosted.S3Replicas.Replica;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.store.HostedBlobStore;
import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.s3.Bucket;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection by one replica while another pushes, both on one bucket. Replica {@code a} collects, paused at
 * a chosen call (between its mark and its sweep, or inside the removal of one blob) while replica {@code b} re-links,
 * mounts or refers to a blob nothing referenced when {@code a} marked: the blob survives and pulls byte-exact, or
 * {@code b} waits for the removal and stores the blob again. What nobody references is collected by either replica,
 * and of two collectors at once only one runs.
 */
class CollectionAcrossReplicasTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final ImageName APP = new ImageName("app");
    private static final Duration GRACE = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private S3Replicas replicas;
    private final Pause pause = new Pause();
    private Replica a;
    private Replica b;

    @BeforeEach
    void openReplicas() throws Exception {
        replicas = new S3Replicas(SERVER, root);
        a = replicas.replica("a", false, blobs -> pausing(HostedBlobStore.class, blobs),
                metadata -> pausing(HostedMetadataStore.class, metadata));
        b = replicas.replica("b", false);
    }

    @AfterEach
    void close() throws Exception {
        pause.release();
        replicas.close();
    }

    /** Makes everything stored so far older than the grace period (S3 stamps objects with the real time). */
    private void ageEverything() {
        replicas.clock.advance(GRACE.multipliedBy(4));
    }

    /** Starts {@code a}'s collection on a thread of its own, named {@code collector} (the pause looks for it). */
    private CompletableFuture<GarbageCollector.Report> collectOnA() {
        return inThread("collector", () -> a.collector().collect(GRACE, false));
    }

    private static <T> CompletableFuture<T> inThread(String name, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        new Thread(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, name).start();
        return result;
    }

    private Digest push(Replica through, ImageName image, byte[] bytes) throws Exception {
        return replicas.pushBlob(through.team(), image, bytes);
    }

    private static Optional<Long> inBucket(Replica through, Digest digest) throws Exception {
        return through.blobs().storedSize(digest);
    }

    @Test
    void aBlobUploadedAgainThroughBWhileACollectsSurvives() throws Exception {
        byte[] layer = random(3000, 1);
        Digest digest = push(a, APP, layer);
        Await.result(a.team().uploads().delete(APP, digest)); // unreferenced: a's mark will doom it
        ageEverything();

        pause.at("list", any -> true);
        CompletableFuture<GarbageCollector.Report> gc = collectOnA();
        pause.awaitReached();
        push(b, APP, layer); // the commit of a blob the bucket has: only a link is written
        pause.release();
        GarbageCollector.Report report = Await.result(gc);

        assertThat(report.removedBlobs()).doesNotContain(digest.toString());
        assertThat(inBucket(b, digest)).contains((long) layer.length);
        assertThat(S3Replicas.pull(b.team(), APP, digest)).isEqualTo(layer);
        assertThat(S3Replicas.pull(a.team(), APP, digest)).isEqualTo(layer);
    }

    @Test
    void aBlobMountedThroughBWhileACollectsSurvivesWithItsSourceLink() throws Exception {
        byte[] layer = random(3000, 2);
        ImageName source = new ImageName("source");
        Digest digest = push(a, source, layer); // linked into source, which no manifest refers to
        ageEverything();

        pause.at("list", any -> true);
        CompletableFuture<GarbageCollector.Report> gc = collectOnA();
        pause.awaitReached();
        assertThat(Await.result(b.team().uploads().mount(APP, digest, b.team(), source))).contains(digest);
        pause.release();
        GarbageCollector.Report report = Await.result(gc);

        assertThat(report.removedBlobs()).isEmpty();
        assertThat(report.linksRemoved()).as("the use spared the source's link too").isZero();
        assertThat(S3Replicas.pull(b.team(), APP, digest)).isEqualTo(layer);
        assertThat(S3Replicas.pull(a.team(), source, digest)).isEqualTo(layer);
    }

    @Test
    void aManifestPushedThroughBOverBlobsNothingReferencedKeepsThem() throws Exception {
        byte[] config = "{\"b\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = random(3000, 3);
        push(a, APP, config);
        push(a, APP, layer);
        byte[] image = manifest(config, List.of(layer), null);
        Await.result(a.team().manifests().put(APP, new Reference.Tag("old"), MediaTypes.OCI_MANIFEST, image));
        Await.result(a.team().manifests().delete(APP, new Reference.ByDigest(Digest.sha256(image))));
        ageEverything(); // the manifest's bytes, config, layer and links: all old, none referenced

        pause.at("list", any -> true);
        CompletableFuture<GarbageCollector.Report> gc = collectOnA();
        pause.awaitReached();
        Await.result(b.team().manifests().put(APP, new Reference.Tag("v1"), MediaTypes.OCI_MANIFEST, image));
        pause.release();
        GarbageCollector.Report report = Await.result(gc);

        assertThat(report.removedBlobs()).isEmpty();
        for (Replica through : List.of(a, b)) {
            assertThat(Await.result(through.team().manifest(APP, new Reference.Tag("v1"))).bytes()).isEqualTo(image);
            assertThat(S3Replicas.pull(through.team(), APP, Digest.sha256(config))).isEqualTo(config);
            assertThat(S3Replicas.pull(through.team(), APP, Digest.sha256(layer))).isEqualTo(layer);
        }
    }

    @Test
    void anUploadCommittedWhileACollectorDeletesTheBlobWaitsThenStoresItAgain() throws Exception {
        byte[] layer = random(3000, 4);
        Digest digest = push(a, APP, layer);
        Await.result(a.team().uploads().delete(APP, digest));
        ageEverything();

        pause.at("remove", args -> args[0].equals(digest)); // a has recorded the removal and found no use
        CompletableFuture<GarbageCollector.Report> gc = collectOnA();
        pause.awaitReached();
        CompletableFuture<Digest> upload = inThread("pusher", () -> push(b, APP, layer));
        Thread.sleep(500);
        assertThat(upload).as("the commit waits while the blob is being removed").isNotDone();
        pause.release();
        GarbageCollector.Report report = Await.result(gc);
        Await.result(upload);

        assertThat(report.removedBlobs()).containsExactly(digest.toString());
        assertThat(inBucket(a, digest)).as("stored again after the removal").contains((long) layer.length);
        assertThat(S3Replicas.pull(b.team(), APP, digest)).isEqualTo(layer);
        assertThat(S3Replicas.pull(a.team(), APP, digest)).isEqualTo(layer);
    }

    @Test
    void aHeadWhileACollectorRemovesTheBlobWaitsThenSaysItIsGone() throws Exception {
        byte[] layer = random(3000, 5);
        Digest digest = push(a, APP, layer); // linked, unreferenced: link and blob go in one removal
        ageEverything();

        pause.at("unlinkBlob", args -> args[2].equals(digest));
        CompletableFuture<GarbageCollector.Report> gc = collectOnA();
        pause.awaitReached();
        CompletableFuture<AsyncResult<Long>> head = inThread("head", () -> Await.result(b.team().blobSize(APP, digest)
                .transform(Future::succeededFuture)));
        Thread.sleep(500);
        assertThat(head).as("a client told it is there would skip its upload").isNotDone();
        pause.release();
        assertThat(Await.result(gc).removedBlobs()).containsExactly(digest.toString());

        AsyncResult<Long> answer = Await.result(head);
        assertThat(answer.failed()).as("answered %s", answer.result()).isTrue();
        assertThat(answer.cause()).isInstanceOfSatisfying(OciException.class,
                e -> assertThat(e.code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN));
        assertThat(inBucket(b, digest)).isEmpty();
    }

    @Test
    void whatNoReplicaReferencesIsCollectedByEither() throws Exception {
        Digest fromA = push(a, APP, random(1000, 6));
        Digest fromB = push(b, new ImageName("other"), random(1000, 7));
        Await.result(a.team().uploads().delete(APP, fromA));
        ageEverything();

        GarbageCollector.Report report = b.collector().collect(GRACE, false);

        assertThat(report.removedBlobs()).containsExactlyInAnyOrder(fromA.toString(), fromB.toString());
        assertThat(report.linksRemoved()).isEqualTo(1);
        assertThat(inBucket(a, fromA)).isEmpty();
        assertThat(inBucket(a, fromB)).isEmpty();
    }

    @Test
    void ofTwoCollectorsAtOnceOnlyOneRuns() throws Exception {
        Digest stray = push(a, APP, random(1000, 8));
        ageEverything();

        pause.at("list", any -> true);
        CompletableFuture<GarbageCollector.Report> gc = collectOnA();
        pause.awaitReached();
        assertThat(b.collector().collect(GRACE, false)).as("a holds the lease").isNull();
        pause.release();
        assertThat(Await.result(gc).removedBlobs()).containsExactly(stray.toString());

        assertThat(b.collector().collect(GRACE, false)).as("released").isNotNull();
    }

    @Test
    void aLeaseIsTakenOverOnlyOnceItExpired() throws Exception {
        Digest stray = push(a, APP, random(1000, 9));
        ageEverything();
        Bucket bucket = replicas.connect();
        long expiry = replicas.clock.millis() + 60_000;
        bucket.writeText("hosted/_gc/lease/dead-replica", "dead-replica\n" + expiry + "\n");

        assertThat(b.collector().collect(GRACE, false)).as("a claim that has not expired").isNull();
        assertThat(inBucket(b, stray)).isPresent();

        replicas.clock.set(expiry + 1);
        assertThat(b.collector().collect(GRACE, false).removedBlobs()).containsExactly(stray.toString());
        assertThat(bucket.list("hosted/_gc/lease/")).as("taken over, then released").isEmpty();
    }

    /** {@code real} as {@code type}, stopping the collector thread at the call {@link #pause} names. */
    private <T> T pausing(Class<T> type, T real) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (Thread.currentThread().getName().equals("collector")) {
                pause.check(method.getName(), args);
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }

    /** Holds the collector once at the first call of a method whose arguments match, until released. */
    private static final class Pause {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile String method;
        private volatile Predicate<Object[]> matching;

        void at(String method, Predicate<Object[]> matching) {
            this.matching = matching;
            this.method = method;
        }

        void check(String called, Object[] args) throws InterruptedException {
            if (called.equals(method) && matching.test(args) && reached.getCount() > 0) {
                reached.countDown();
                assertThat(released.await(10, TimeUnit.SECONDS)).as("released in time").isTrue();
            }
        }

        void awaitReached() throws InterruptedException {
            assertThat(reached.await(10, TimeUnit.SECONDS)).as("the collector reached %s", method).isTrue();
        }

        void release() {
            released.countDown();
        }
    }
}
