package dev.entrepot.proxy.api;

import static dev.entrepot.proxy.api.BucketReplicas.random;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.proxy.api.BucketReplicas.Replica;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.HttpReceiver;
import dev.entrepot.proxy.testing.ObjectReads.Read;
import io.vertx.core.http.HttpClientResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * GETs of hosted blobs that are in the bucket but not in the serving replica's local tier, over HTTP: the body starts
 * while the object is still being read from the bucket, its last byte only once the digest verified; readers of one
 * blob share one bucket GET; a corrupt object breaks the response and leaves nothing local; a range is read from the
 * bucket alone; a HEAD reads nothing.
 */
class BucketStreamingTest {
    @RegisterExtension
    static final S3TestServer S3 = new S3TestServer();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private BucketReplicas replicas;
    /** Pushes (so its local tier has every blob). */
    private Replica one;
    /** Serves, with an empty local tier. */
    private Replica two;

    @BeforeEach
    void setUp() throws Exception {
        replicas = new BucketReplicas(S3, root);
        one = replicas.replica("one");
        two = replicas.replica("two");
    }

    @AfterEach
    void tearDown() throws Exception {
        replicas.close();
    }

    private static List<Path> temps(Replica replica) throws Exception {
        try (var files = Files.list(replica.localTier().resolve("tmp"))) {
            return files.toList();
        }
    }

    @Test
    void aBlobNotInTheLocalTierIsSentWhileItIsStillReadFromTheBucket() throws Exception {
        byte[] blob = random(3 << 20, 1);
        Digest digest = replicas.push(one, blob);
        two.reads().holdAfter(1 << 20); // a slow bucket: the rest comes once released

        HttpReceiver receiver = replicas.get(two, digest, null);
        HttpClientResponse response = Await.result(receiver.response());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Length")).isEqualTo(Integer.toString(blob.length));
        assertThat(response.getHeader("Docker-Content-Digest")).isEqualTo(digest.toString());
        Await.result(receiver.reached(512 << 10));
        assertThat(two.reads().finished()).as("the bucket GET is not over").isZero();
        assertThat(receiver.received()).isLessThanOrEqualTo(1 << 20);
        two.reads().release();

        assertThat(Await.result(receiver.body())).isEqualTo(blob);
        assertThat(two.reads().reads()).containsExactly(new Read(0, -1));
        Await.until(() -> two.fills().inflight() == 0);
        assertThat(two.blobs().local().index().contains(digest)).as("the verified copy joined the local tier")
                .isTrue();
        assertThat(temps(two)).isEmpty();
    }

    @Test
    void aCorruptObjectBreaksTheResponseBeforeItsLastByteAndNothingIsStoredLocally() throws Exception {
        byte[] blob = random(2 << 20, 2);
        Digest digest = replicas.push(one, blob);
        byte[] corrupt = blob.clone();
        corrupt[1 << 20] ^= 1;
        replicas.connect().write("hosted/blobs/sha256/" + digest.hex(), corrupt);

        HttpReceiver receiver = replicas.get(two, digest, null);

        assertThat(Await.result(receiver.response()).statusCode()).isEqualTo(200);
        assertThat(Await.failure(receiver.body())).as("the connection is reset, not ended").isNotNull();
        assertThat(receiver.received()).as("never the whole body").isLessThan(blob.length);
        Await.until(() -> two.fills().inflight() == 0);
        assertThat(two.blobs().local().index().contains(digest)).isFalse();
        assertThat(temps(two)).isEmpty();
    }

    @Test
    void concurrentReadersOfOneBlobShareOneBucketGet() throws Exception {
        byte[] blob = random(2 << 20, 3);
        Digest digest = replicas.push(one, blob);
        two.reads().holdAfter(256 << 10);

        List<HttpReceiver> receivers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            receivers.add(replicas.get(two, digest, null));
        }
        for (HttpReceiver receiver : receivers) {
            Await.result(receiver.reached(1)); // every one is being served while the one GET is held
        }
        two.reads().release();

        for (HttpReceiver receiver : receivers) {
            assertThat(Await.result(receiver.body())).isEqualTo(blob);
        }
        assertThat(two.reads().reads()).hasSize(1);
        Await.until(() -> two.fills().inflight() == 0);
    }

    @Test
    void aRangeOfABlobNotInTheLocalTierIsReadFromTheBucketAlone() throws Exception {
        byte[] blob = random(1 << 20, 4);
        Digest digest = replicas.push(one, blob);
        int size = blob.length;

        HttpReceiver middle = replicas.get(two, digest, "bytes=1000-1999");
        HttpClientResponse response = Await.result(middle.response());
        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.getHeader("Content-Range")).isEqualTo("bytes 1000-1999/" + size);
        assertThat(response.getHeader("Content-Length")).isEqualTo("1000");
        assertThat(response.getHeader("Docker-Content-Digest")).isEqualTo(digest.toString());
        assertThat(Await.result(middle.body())).isEqualTo(Arrays.copyOfRange(blob, 1000, 2000));

        HttpReceiver suffix = replicas.get(two, digest, "bytes=-100");
        assertThat(Await.result(suffix.response()).getHeader("Content-Range"))
                .isEqualTo("bytes " + (size - 100) + "-" + (size - 1) + "/" + size);
        assertThat(Await.result(suffix.body())).isEqualTo(Arrays.copyOfRange(blob, size - 100, size));
        HttpReceiver tail = replicas.get(two, digest, "bytes=" + (size - 5) + "-");
        assertThat(Await.result(tail.body())).isEqualTo(Arrays.copyOfRange(blob, size - 5, size));

        assertThat(two.reads().reads()).containsExactly(new Read(1000, 1000), new Read(size - 100, 100),
                new Read(size - 5, 5));
        assertThat(two.blobs().local().index().contains(digest)).as("no local copy for a range").isFalse();
        assertThat(two.fills().inflight()).isZero();
    }

    @Test
    void anUnsatisfiableRangeOfABlobNotInTheLocalTierIs416WithoutReadingIt() throws Exception {
        byte[] blob = random(10_000, 5);
        Digest digest = replicas.push(one, blob);

        HttpReceiver past = replicas.get(two, digest, "bytes=10000-");
        HttpClientResponse response = Await.result(past.response());

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(response.getHeader("Content-Range")).isEqualTo("bytes */10000");
        assertThat(JSON.readTree(new String(Await.result(past.body()), StandardCharsets.UTF_8))
                .at("/errors/0/code").asText()).isEqualTo("RANGE_NOT_SATISFIABLE");
        assertThat(two.reads().reads()).isEmpty();
    }

    @Test
    void aHeadTellsTheSizeWithoutReadingTheBlob() throws Exception {
        byte[] blob = random(100_000, 6);
        Digest digest = replicas.push(one, blob);

        HttpReceiver head = replicas.head(two, "", digest);
        HttpClientResponse response = Await.result(head.response());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Length")).isEqualTo("100000");
        assertThat(response.getHeader("Docker-Content-Digest")).isEqualTo(digest.toString());
        Await.result(head.body());
        assertThat(two.reads().reads()).isEmpty();
        assertThat(two.blobs().local().index().contains(digest)).isFalse();
    }

    @Test
    void throughAVirtualRepositoryAHeadReadsNothingAndAGetStreamsFromTheBucket() throws Exception {
        byte[] blob = random(200_000, 8);
        Digest digest = replicas.push(one, blob);

        HttpReceiver head = replicas.head(two, "/all", digest);
        assertThat(Await.result(head.response()).getHeader("Content-Length")).isEqualTo("200000");
        Await.result(head.body());
        assertThat(two.reads().reads()).isEmpty();
        assertThat(two.blobs().local().index().contains(digest)).as("a HEAD stores nothing").isFalse();

        assertThat(Await.result(replicas.getThroughVirtual(two, digest).body())).isEqualTo(blob);
        assertThat(two.reads().reads()).containsExactly(new Read(0, -1));
    }

    @Test
    void aBlobInTheLocalTierIsSentFromItAndAnUnknownOneIs404() throws Exception {
        byte[] blob = random(50_000, 7);
        Digest digest = replicas.push(one, blob);

        HttpReceiver local = replicas.get(one, digest, null);
        assertThat(Await.result(local.body())).isEqualTo(blob);
        assertThat(one.reads().reads()).isEmpty();

        HttpReceiver unknown = replicas.get(two, Digest.sha256(new byte[] {7}), null);
        assertThat(Await.result(unknown.response()).statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(new String(Await.result(unknown.body()), StandardCharsets.UTF_8))
                .at("/errors/0/code").asText()).isEqualTo("BLOB_UNKNOWN");
    }
}
