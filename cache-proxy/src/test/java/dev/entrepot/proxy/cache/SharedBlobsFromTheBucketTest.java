package dev.entrepot.proxy.cache;

import static dev.entrepot.proxy.cache.CacheReplicas.NGINX;
import static dev.entrepot.proxy.cache.CacheReplicas.layer;
import static dev.entrepot.proxy.cache.CacheReplicas.observed;
import static dev.entrepot.proxy.cache.CacheReplicas.read;
import static dev.entrepot.proxy.cache.CacheReplicas.wholeBlob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.cache.CacheReplicas.Replica;
import dev.entrepot.proxy.io.InputStreamBody;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.GrowingBlob;
import dev.entrepot.proxy.repository.RemoteBlob;
import dev.entrepot.proxy.store.s3.S3TestServer;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.ObjectReads;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * Cached blobs another replica shared in the bucket, read from it by a replica that does not have them: streamed
 * before the object is read to its end (one bucket GET for all readers), ranges read alone, and with redirects
 * configured the client sent to a pre-signed URL, except while a download is in flight.
 */
class SharedBlobsFromTheBucketTest {
    @RegisterExtension
    static final S3TestServer S3 = new S3TestServer();
    private static final Duration REDIRECT_TTL = Duration.ofMinutes(5);

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

    private static byte[] readAll(InputStreamBody body, Context context) throws Exception {
        Promise<Buffer> bytes = Promise.promise();
        context.runOnContext(v -> {
            Buffer all = Buffer.buffer();
            body.handler(all::appendBuffer).exceptionHandler(bytes::fail).endHandler(x -> bytes.complete(all));
            body.resume();
        });
        return Await.result(bytes.future()).getBytes();
    }

    private static RemoteBlob remote(Replica replica, Digest digest) throws Exception {
        BlobSource source = Await.result(replica.repository().blob(NGINX, digest));
        assertThat(source).isInstanceOf(BlobSource.Remote.class);
        return ((BlobSource.Remote) source).blob();
    }

    /** What a client following the redirect gets (as an HTTP client does, without this proxy). */
    private static HttpResponse<byte[]> follow(URI location, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(location).timeout(Duration.ofSeconds(10));
        if (range != null) {
            request.header("Range", range);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aSharedBlobIsServedWhileItIsStillReadFromTheBucketAndReadersShareOneGet() throws Exception {
        byte[] layer = layer(2 << 20, 6);
        Digest digest = replicas.sharedThrough(replicas.replica("a"), layer);
        ObjectReads reads = new ObjectReads().holdAfter(512 << 10);
        Replica b = replicas.replica("b", observed(replicas.shared(), reads));

        List<Future<BlobSource>> pulls = new ArrayList<>();
        for (int client = 0; client < 5; client++) {
            pulls.add(wholeBlob(b, digest));
        }
        GrowingBlob growing = ((BlobSource.Growing) Await.result(pulls.get(0))).blob();
        Await.until(() -> growing.written() >= 512 << 10);
        assertThat(growing.verified()).isFalse();
        assertThat(reads.finished()).as("the bucket GET is not over").isZero();
        for (Future<BlobSource> pull : pulls) {
            assertThat(((BlobSource.Growing) Await.result(pull)).blob()).as("one download for all").isSameAs(growing);
        }
        reads.release();

        assertThat(read(Await.result(pulls.get(0)))).isEqualTo(layer);
        assertThat(reads.reads()).hasSize(1);
        assertThat(replicas.upstream.blobOpens).as("only a's").hasValue(1);
    }

    @Test
    void aRangeOfASharedBlobIsReadFromTheBucketWithoutFetchingOrStoringIt() throws Exception {
        byte[] layer = layer(300_000, 7);
        Digest digest = replicas.sharedThrough(replicas.replica("a"), layer);
        ObjectReads reads = new ObjectReads();
        Replica b = replicas.replica("b", observed(replicas.shared(), reads));

        BlobSource source = Await.result(b.repository().blob(NGINX, digest));
        assertThat(source).isInstanceOf(BlobSource.Remote.class);
        RemoteBlob remote = ((BlobSource.Remote) source).blob();
        assertThat(Await.result(remote.size())).hasValue((long) layer.length);
        Context context = replicas.vertx.getOrCreateContext();
        InputStreamBody body = Await.result(remote.range(1_000, 50_000, context));

        assertThat(readAll(body, context)).isEqualTo(Arrays.copyOfRange(layer, 1_000, 51_000));
        assertThat(reads.reads()).containsExactly(new ObjectReads.Read(1_000, 50_000));
        assertThat(b.blobs().open(digest)).isEmpty();
        assertThat(replicas.upstream.blobOpens).hasValue(1);
    }

    @Test
    void withRedirectsASharedBlobIsAnsweredWithAPresignedUrlThatServesIt() throws Exception {
        byte[] layer = layer(200_000, 8);
        Digest digest = replicas.sharedThrough(replicas.replica("a"), layer);
        ObjectReads reads = new ObjectReads();
        Replica b = replicas.replica("b", observed(replicas.shared(REDIRECT_TTL), reads));

        Optional<URI> location = Await.result(remote(b, digest).redirect());

        assertThat(location).isPresent();
        assertThat(location.get().getPath()).endsWith("/cache/blobs/sha256/" + digest.hex());
        assertThat(location.get().getQuery()).contains("X-Amz-Expires=300").contains("X-Amz-Signature=");
        assertThat(reads.reads()).as("nothing read through the proxy").isEmpty();
        assertThat(b.blobs().open(digest)).isEmpty();
        HttpResponse<byte[]> whole = follow(location.get(), null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(layer);
        HttpResponse<byte[]> part = follow(location.get(), "bytes=100-199");
        assertThat(part.statusCode()).as("the object store honours Range").isEqualTo(206);
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(layer, 100, 200));
    }

    @Test
    void withRedirectsADownloadInFlightIsServedAndTheBlobRedirectedOnceShared() throws Exception {
        Replica a = replicas.replica("a", replicas.shared(REDIRECT_TTL));
        byte[] layer = layer(100_000, 9);
        Promise<Void> gate = Promise.promise();
        Digest digest = replicas.upstreamHas(layer, gate.future());

        RemoteBlob cold = remote(a, digest);
        assertThat(Await.result(cold.redirect())).as("nobody has it yet").isEmpty();
        Future<BlobSource> downloading = cold.whole();
        Await.until(() -> a.fetches().inflight() == 1);
        Future<BlobSource> joining = a.repository().blob(NGINX, digest); // while the download is in flight
        gate.complete();
        BlobSource joined = Await.result(joining);
        assertThat(joined).as("a download in flight is served, never redirected").isInstanceOf(BlobSource.Growing.class);
        assertThat(read(Await.result(downloading))).isEqualTo(layer);
        assertThat(read(joined)).isEqualTo(layer);

        Await.until(() -> {
            try {
                return Await.result(remote(a, digest).redirect()).isPresent();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(replicas.upstream.blobOpens).hasValue(1);
    }

    @Test
    void withoutRedirectsNothingIsRedirected() throws Exception {
        byte[] layer = layer(50_000, 10);
        Replica a = replicas.replica("a");
        Digest digest = replicas.sharedThrough(a, layer);
        Replica b = replicas.replica("b");

        assertThat(Await.result(remote(b, digest).redirect())).isEmpty();
        BlobSource local = Await.result(a.repository().blob(NGINX, digest));
        assertThat(local).as("a local hit").isInstanceOf(BlobSource.Stored.class);
        ((BlobSource.Stored) local).lease().close();
        assertThat(read(Await.result(wholeBlob(b, digest)))).isEqualTo(layer);
    }
}
