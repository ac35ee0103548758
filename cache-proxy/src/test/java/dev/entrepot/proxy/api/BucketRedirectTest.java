package dev.entrepot.proxy.api;

import static dev.entrepot.proxy.api.BucketReplicas.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.api.BucketReplicas.Replica;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.HttpReceiver;
import io.vertx.core.http.HttpClientResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code storage.s3.redirect}: a GET of a hosted blob in the bucket is a {@code 307} to a pre-signed URL of the
 * object (Range requests too: the object store honours Range), whether or not the replica has a local copy; a HEAD is
 * answered as always; a blob the bucket does not have is served; without the setting nothing is redirected.
 */
class BucketRedirectTest {
    @RegisterExtension
    static final S3TestServer S3 = new S3TestServer();
    private static final Duration TTL = Duration.ofMinutes(5);

    @TempDir
    Path root;

    private BucketReplicas replicas;
    /** Pushes, so it has every blob locally; redirects. */
    private Replica one;
    /** No local copies; redirects. */
    private Replica two;

    @BeforeEach
    void setUp() throws Exception {
        replicas = new BucketReplicas(S3, root);
        one = replicas.replica("one", TTL);
        two = replicas.replica("two", TTL);
    }

    @AfterEach
    void tearDown() throws Exception {
        replicas.close();
    }

    /** What a client following the redirect gets from the object store, without this proxy. */
    private static HttpResponse<byte[]> follow(String location, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(location)).timeout(Duration.ofSeconds(10));
        if (range != null) {
            request.header("Range", range);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpClientResponse redirected(HttpReceiver receiver, Digest digest) throws Exception {
        HttpClientResponse response = Await.result(receiver.response());
        assertThat(response.statusCode()).isEqualTo(307);
        assertThat(response.getHeader("Docker-Content-Digest")).isEqualTo(digest.toString());
        assertThat(response.getHeader("Location")).contains("/hosted/blobs/sha256/" + digest.hex())
                .contains("X-Amz-Expires=300").contains("X-Amz-Signature=");
        assertThat(Await.result(receiver.body())).isEmpty();
        return response;
    }

    @Test
    void aGetIsRedirectedToAPresignedUrlThatServesTheBlob() throws Exception {
        byte[] blob = random(300_000, 1);
        Digest digest = replicas.push(one, blob);

        HttpClientResponse fromEmpty = redirected(replicas.get(two, digest, null), digest);
        HttpClientResponse fromLocal = redirected(replicas.get(one, digest, null), digest);

        HttpResponse<byte[]> followed = follow(fromEmpty.getHeader("Location"), null);
        assertThat(followed.statusCode()).isEqualTo(200);
        assertThat(followed.body()).isEqualTo(blob);
        assertThat(follow(fromLocal.getHeader("Location"), null).body()).isEqualTo(blob);
        assertThat(two.reads().reads()).as("no byte through the proxy").isEmpty();
        assertThat(two.blobs().local().index().contains(digest)).isFalse();
    }

    @Test
    void aRangeIsRedirectedAndTheObjectStoreHonoursIt() throws Exception {
        byte[] blob = random(100_000, 2);
        Digest digest = replicas.push(one, blob);

        HttpClientResponse response = redirected(replicas.get(two, digest, "bytes=10-19"), digest);

        HttpResponse<byte[]> followed = follow(response.getHeader("Location"), "bytes=10-19");
        assertThat(followed.statusCode()).isEqualTo(206);
        assertThat(followed.body()).isEqualTo(Arrays.copyOfRange(blob, 10, 20));
        assertThat(two.reads().reads()).isEmpty();
    }

    @Test
    void aHeadIsNotRedirected() throws Exception {
        byte[] blob = random(20_000, 3);
        Digest digest = replicas.push(one, blob);

        HttpReceiver head = replicas.head(two, "", digest);
        HttpClientResponse response = Await.result(head.response());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Length")).isEqualTo("20000");
        assertThat(response.getHeader("Location")).isNull();
        Await.result(head.body());
    }

    @Test
    void aBlobTheBucketDoesNotHaveIsServedNotRedirected() throws Exception {
        byte[] blob = random(20_000, 4);
        Digest digest = replicas.push(one, blob);
        replicas.connect().delete("hosted/blobs/sha256/" + digest.hex()); // behind the store's back

        HttpReceiver local = replicas.get(one, digest, null);

        assertThat(Await.result(local.response()).statusCode()).as("from the local copy").isEqualTo(200);
        assertThat(Await.result(local.body())).isEqualTo(blob);
        HttpReceiver missing = replicas.get(two, digest, null);
        assertThat(Await.result(missing.response()).statusCode()).isEqualTo(404);
    }

    @Test
    void withoutTheSettingNothingIsRedirected() throws Exception {
        Replica plain = replicas.replica("plain");
        byte[] blob = random(20_000, 5);
        Digest digest = replicas.push(one, blob);

        HttpReceiver got = replicas.get(plain, digest, null);

        assertThat(Await.result(got.response()).statusCode()).isEqualTo(200);
        assertThat(Await.result(got.response()).getHeader("Location")).isNull();
        assertThat(Await.result(got.body())).isEqualTo(blob);
    }
}
