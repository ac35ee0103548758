package dev.entrepot.proxy.cache;

import static dev.entrepot.proxy.cache.CacheReplicas.LEASE;
import static dev.entrepot.proxy.cache.CacheReplicas.layer;
import static dev.entrepot.proxy.cache.CacheReplicas.pull;
import static dev.entrepot.proxy.cache.CacheReplicas.read;
import static dev.entrepot.proxy.cache.CacheReplicas.wholeBlob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.cache.CacheReplicas.Replica;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.store.SharedBlobs;
import dev.entrepot.proxy.store.s3.Bucket;
import dev.entrepot.proxy.store.s3.S3SharedBlobs;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of the cache on one bucket, in front of one counting upstream: what one fetched, the other streams
 * from the bucket; a digest both miss costs one upstream GET; a claim whose holder died is taken over; a corrupt
 * shared object breaks its transfer, is never stored, and is replaced from the upstream.
 */
class SharedBlobsAcrossReplicasTest {
    @RegisterExtension
    static final S3TestServer S3 = new S3TestServer();

    @TempDir
    Path root;

    private CacheReplicas replicas;

    @BeforeEach
    void setUp() throws Exception {
        replicas = new CacheReplicas(S3, root);
    }

    @AfterEach
    void tearDown() throws Exception {
        replicas.close();
    }

    @Test
    void aBlobFetchedThroughOneReplicaIsServedByAnotherWithoutAnUpstreamGet() throws Exception {
        Replica a = replicas.replica("a");
        Replica b = replicas.replica("b");
        byte[] layer = layer(6 << 20, 1); // more than one 5 MiB part: shared as a multipart upload
        Digest digest = replicas.upstreamHas(layer, Future.succeededFuture());

        assertThat(pull(a, digest)).isEqualTo(layer);
        // b's miss waits for a's lease (held until a's copy is shared), then copies it
        assertThat(pull(b, digest)).isEqualTo(layer);

        assertThat(replicas.upstream.blobOpens).hasValue(1);
        assertThat(b.blobs().open(digest)).hasValueSatisfying(lease -> {
            assertThat(lease.size()).isEqualTo(layer.length);
            lease.close();
        });
    }

    @Test
    void concurrentColdRequestsThroughThreeReplicasCostOneUpstreamGet() throws Exception {
        List<Replica> three = List.of(replicas.replica("a"), replicas.replica("b"), replicas.replica("c"));
        byte[] layer = layer(300_000, 2);
        Promise<Void> gate = Promise.promise();
        Digest digest = replicas.upstreamHas(layer, gate.future());

        List<Future<BlobSource>> pulls = new ArrayList<>();
        for (int client = 0; client < 7; client++) {
            for (Replica replica : three) {
                pulls.add(wholeBlob(replica, digest));
            }
        }
        Await.until(() -> replicas.upstream.blobOpens.get() == 1);
        Thread.sleep(500); // the other replicas are now polling the bucket, not the upstream
        gate.complete();

        for (Future<BlobSource> pull : pulls) {
            assertThat(read(Await.result(pull))).isEqualTo(layer);
        }
        assertThat(pulls).hasSize(21);
        assertThat(replicas.upstream.blobOpens).hasValue(1);
        assertThat(replicas.upstreamHits(digest)).isEqualTo(1);
    }

    @Test
    void aLeaseWhoseHolderDiedIsTakenOverOnceItLapses() throws Exception {
        byte[] layer = layer(100_000, 3);
        Digest digest = replicas.upstreamHas(layer, Future.succeededFuture());
        S3SharedBlobs dead = new S3SharedBlobs(replicas.bucket(), replicas.threads, Clock.systemUTC(), LEASE);
        assertThat(dead.claim(digest)).isPresent();
        dead.close(); // the holder is gone: nobody renews or releases its claim
        Replica b = replicas.replica("b");

        long started = System.nanoTime();
        assertThat(pull(b, digest)).isEqualTo(layer);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(LEASE.dividedBy(2));
        assertThat(replicas.upstream.blobOpens).hasValue(1);
        Bucket raw = replicas.bucket();
        Await.until(() -> claims(raw, digest).isEmpty()); // the dead claim removed by the taker, its own released
    }

    private static List<Bucket.Listed> claims(Bucket bucket, Digest digest) {
        try {
            return bucket.list("cache/fetching/" + digest.algorithm() + "/" + digest.hex() + "/");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCorruptSharedObjectBreaksItsTransferIsNotStoredAndIsReplacedFromTheUpstream() throws Exception {
        byte[] layer = layer(100_000, 4);
        Digest digest = replicas.upstreamHas(layer, Future.succeededFuture());
        Bucket raw = replicas.bucket();
        byte[] corrupt = layer.clone();
        corrupt[500] ^= 1;
        raw.write("cache/blobs/sha256/" + digest.hex(), corrupt);
        Replica b = replicas.replica("b");

        // Streamed from the bucket as it is read: the mismatch is known at the end, and breaks the transfer.
        BlobSource streamed = Await.result(wholeBlob(b, digest));
        assertThat(streamed).isInstanceOf(BlobSource.Growing.class);
        assertThat(Await.failure(((BlobSource.Growing) streamed).blob().done())).isNotNull();
        assertThat(b.blobs().open(digest)).as("nothing stored").isEmpty();
        assertThat(replicas.upstream.blobOpens).hasValue(0);
        try (var temps = Files.list(root.resolve("b/tmp"))) {
            assertThat(temps).as("no temp file left").isEmpty();
        }

        // The next request does not trust the object again: it fetches from the upstream, and shares what verified.
        assertThat(pull(b, digest)).isEqualTo(layer);
        assertThat(replicas.upstream.blobOpens).hasValue(1);
        Await.until(() -> {
            try {
                Optional<byte[]> shared = raw.read("cache/blobs/sha256/" + digest.hex(), 1 << 20);
                return shared.isPresent() && Arrays.equals(shared.get(), layer);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Replica c = replicas.replica("c");
        assertThat(pull(c, digest)).isEqualTo(layer);
        assertThat(replicas.upstream.blobOpens).hasValue(1);
    }

    @Test
    void withoutSharingEachReplicaFetchesForItself() throws Exception {
        Replica a = replicas.replica("a", SharedBlobs.NONE);
        Replica b = replicas.replica("b", SharedBlobs.NONE);
        byte[] layer = layer(10_000, 5);
        Digest digest = replicas.upstreamHas(layer, Future.succeededFuture());

        assertThat(pull(a, digest)).isEqualTo(layer);
        assertThat(pull(b, digest)).isEqualTo(layer);

        assertThat(replicas.upstream.blobOpens).hasValue(2);
    }
}
