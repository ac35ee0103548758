package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.SeededBytes;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blob uploads into a standard repository, over real HTTP against the packaged proxy running with a 64 MiB heap:
 * chunks in order, out of order and retried (416 with the Range the session holds), status, the final chunk inside
 * the PUT, a session resumed across a restart, cancelled and expired sessions, digest mismatches that store nothing,
 * the monolithic POST, and a 300 MiB streamed PATCH that must go to disk rather than the heap.
 */
class HostedUploadIT {
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Teardown TEARDOWN = new Teardown();
    private static EntrepotProxy proxy;
    private static EntrepotProxy expiring;
    private static PushClient push;
    private static OciClient pull;

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(HostedUploadIT.class);
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), new ProxyConfig().standard("team", false, null),
                List.of("-Xmx64m")));
        expiring = TEARDOWN.add(EntrepotProxy.start(work.resolve("expiring"),
                new ProxyConfig().standard("team", false, null).uploadExpiry("2s"), List.of("-Dentrepot.maintenance-interval=1s")));
        push = PushClient.of(proxy);
        pull = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void chunksInOrderMakeTheBlob() {
        byte[] blob = random(3 * 65_536 + 123);
        String location = push.startUpload("team/chunked");
        String id = location.substring(location.lastIndexOf('/') + 1);
        for (int start = 0; start < blob.length; start += 65_536) {
            int end = Math.min(blob.length, start + 65_536) - 1;
            OciClient.Response patch = push.patch(location, Arrays.copyOfRange(blob, start, end + 1), start + "-" + end);
            assertThat(patch.status()).as("chunk %d-%d: %s", start, end, patch).isEqualTo(202);
            assertThat(patch.header("Range")).isEqualTo("0-" + end);
            assertThat(patch.header("Docker-Upload-UUID")).isEqualTo(id);
            location = patch.header("Location");
        }
        String digest = Digests.sha256(blob);
        OciClient.Response put = push.put(location, digest, null, null);
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertThat(put.header("Location")).isEqualTo("/v2/team/chunked/blobs/" + digest);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);
        assertStored("team/chunked", blob);
    }

    @Test
    void outOfOrderAndRetriedChunksAre416WithTheRangeHeld() {
        byte[] blob = random(300);
        String location = push.startUpload("team/ranges");
        OciClient.Response empty = push.status(location);
        assertThat(empty.status()).as("%s", empty).isEqualTo(204);
        assertThat(empty.header("Range")).as("an empty session").isEqualTo("0-0");
        outOfRange(push.patch(location, part(blob, 100, 200), "100-199"), "0-0", "a first chunk that does not start at 0");

        assertThat(push.patch(location, part(blob, 0, 100), "0-99").status()).isEqualTo(202);
        outOfRange(push.patch(location, part(blob, 200, 300), "200-299"), "0-99", "a gap");
        outOfRange(push.patch(location, part(blob, 0, 100), "0-99"), "0-99", "the same chunk again");
        outOfRange(push.patch(location, part(blob, 50, 150), "50-149"), "0-99", "an overlap");
        OciClient.Response status = push.status(location);
        assertThat(status.status()).isEqualTo(204);
        assertThat(status.header("Range")).as("refused chunks changed nothing").isEqualTo("0-99");
        assertThat(status.header("Location")).isNotBlank();

        assertThat(push.patch(status.header("Location"), part(blob, 100, 200), "100-199").header("Range")).isEqualTo("0-199");
        assertThat(push.patch(location, part(blob, 200, 300), "bytes 200-299").header("Range"))
                .as("Content-Range with a 'bytes ' prefix, as some clients write it").isEqualTo("0-299");
        assertThat(push.put(location, Digests.sha256(blob), null, null).status()).isEqualTo(201);
        assertStored("team/ranges", blob);
    }

    @Test
    void theFinalChunkRidesInThePut() {
        byte[] blob = random(10_000);
        String location = push.startUpload("team/final");
        assertThat(push.patch(location, part(blob, 0, 4_000), "0-3999").status()).isEqualTo(202);
        OciClient.Response put = push.put(location, Digests.sha256(blob), part(blob, 4_000, 10_000), "4000-9999");
        assertThat(put.status()).as("%s", put).isEqualTo(201);
        assertStored("team/final", blob);

        // streamed: PATCH without Content-Range appends, and so does a PUT body without it
        byte[] other = random(5_000);
        String streamed = push.startUpload("team/final");
        assertThat(push.patch(streamed, part(other, 0, 2_000), null).header("Range")).isEqualTo("0-1999");
        assertThat(push.patch(streamed, part(other, 2_000, 3_000), null).header("Range")).isEqualTo("0-2999");
        assertThat(push.put(streamed, Digests.sha256(other), part(other, 3_000, 5_000), null).status()).isEqualTo(201);
        assertStored("team/final", other);
    }

    @Test
    void anUploadResumesAfterARestart() {
        byte[] blob = random(2_000_000);
        String location = push.startUpload("team/resumed");
        assertThat(push.patch(location, part(blob, 0, 1_200_000), "0-1199999").status()).isEqualTo(202);
        byte[] complete = random(300_000); // every byte sent before the restart, only the PUT after it
        String finished = push.startUpload("team/resumed");
        assertThat(push.patch(finished, complete, null).status()).isEqualTo(202);

        proxy.stop();
        proxy.start();

        assertThat(push.put(finished, Digests.sha256(complete), null, null).status()).isEqualTo(201);
        assertStored("team/resumed", complete);

        OciClient.Response status = push.status(location);
        assertThat(status.status()).as("the session survived the restart: %s", status).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-1199999");
        outOfRange(push.patch(location, part(blob, 0, 1_200_000), "0-1199999"), "0-1199999", "a retry after the restart");
        assertThat(push.patch(location, part(blob, 1_200_000, 2_000_000), "1200000-1999999").status()).isEqualTo(202);
        OciClient.Response put = push.put(location, Digests.sha256(blob), null, null);
        assertThat(put.status()).as("the digest covers bytes from before and after the restart: %s", put).isEqualTo(201);
        assertStored("team/resumed", blob);
    }

    @Test
    void aCancelledUploadIsUnknownAfterwards() {
        String location = push.startUpload("team/cancelled");
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertThat(push.patch(location, random(1_000), "0-999").status()).isEqualTo(202);
        assertThat(proxy.uploadSessions()).extracting(p -> p.getFileName().toString()).contains(id);
        OciClient.Response cancel = push.cancel(location);
        assertThat(cancel.status()).as("%s", cancel).isEqualTo(204);

        OciErrors.assertError(push.status(location), 404, "BLOB_UPLOAD_UNKNOWN");
        OciErrors.assertError(push.patch(location, random(10), "1000-1009"), 404, "BLOB_UPLOAD_UNKNOWN");
        OciErrors.assertError(push.put(location, Digests.sha256(random(10)), null, null), 404, "BLOB_UPLOAD_UNKNOWN");
        OciErrors.assertError(push.cancel(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertThat(proxy.uploadSessions()).extracting(p -> p.getFileName().toString()).doesNotContain(id);
    }

    @Test
    void idleUploadsExpireWhileActiveOnesLive() {
        PushClient client = PushClient.of(expiring);
        String idle = client.startUpload("team/expiry");
        assertThat(client.patch(idle, random(1_000), "0-999").status()).isEqualTo(202);
        byte[] active = random(128_000);
        String busy = client.startUpload("team/expiry");
        assertThat(expiring.uploadSessions()).hasSize(2);
        long started = System.nanoTime();
        int sent = 0;
        // uploadExpiry is 2s, maintenance every 1s: keep one session busy for at least 5s and until the idle one is
        // gone (a sweep on a loaded machine can come late), leave the other idle
        long deadline = started + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() - started < Duration.ofSeconds(5).toNanos() || expiring.uploadSessions().size() > 1) {
            assertThat(System.nanoTime()).as("the idle session expired within 30 s: %s", expiring.uploadSessions())
                    .isLessThan(deadline);
            OciClient.Response patch = client.patch(busy, part(active, sent, sent + 1_000), sent + "-" + (sent + 999));
            assertThat(patch.status()).as("the busy session after %d ms: %s", (System.nanoTime() - started) / 1_000_000, patch)
                    .isEqualTo(202);
            sent += 1_000;
            Poll.sleep(Duration.ofMillis(400));
        }
        OciErrors.assertError(client.status(idle), 404, "BLOB_UPLOAD_UNKNOWN");
        OciErrors.assertError(client.patch(idle, random(10), "1000-1009"), 404, "BLOB_UPLOAD_UNKNOWN");
        assertThat(expiring.uploadSessions()).as("only the busy session is left").hasSize(1);

        assertThat(client.put(busy, Digests.sha256(part(active, 0, sent)), null, null).status()).isEqualTo(201);
        assertThat(expiring.uploadSessions()).isEmpty();
        // and one nobody touches again is removed from disk too
        String abandoned = client.startUpload("team/expiry");
        Poll.until(Duration.ofSeconds(30), () -> expiring.uploadSessions().isEmpty(),
                () -> "uploads/ emptied of " + abandoned + ": " + expiring.uploadSessions());
        Poll.until(Duration.ofSeconds(30), () -> expiring.metrics().sum("entrepot_uploads_active") == 0,
                () -> "entrepot_uploads_active back to 0: " + expiring.metrics());
    }

    @Test
    void aDigestMismatchStoresNothingAndClosesTheSession() {
        PrometheusText before = proxy.metrics();
        byte[] blob = random(5_000);
        String real = Digests.sha256(blob);
        String claimed = Digests.sha256(random(5_000));
        String location = push.startUpload("team/mismatch");
        assertThat(push.patch(location, blob, "0-4999").status()).isEqualTo(202);
        OciErrors.assertError(push.put(location, claimed, null, null), 400, "DIGEST_INVALID");
        OciErrors.assertError(push.status(location), 404, "BLOB_UPLOAD_UNKNOWN");

        OciErrors.assertError(push.postBlob("team/mismatch", claimed, random(100)), 400, "DIGEST_INVALID");
        for (String digest : List.of(real, claimed)) {
            OciErrors.assertError(pull.get("/v2/team/mismatch/blobs/" + digest, null), 404, "BLOB_UNKNOWN");
            assertThat(proxy.hostedBlobFile(digest)).doesNotExist();
        }
        assertThat(proxy.uploadSessions()).extracting(p -> p.getFileName().toString())
                .doesNotContain(location.substring(location.lastIndexOf('/') + 1));
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_pushes_total", "repository", "team", "kind", "blob", "result", "error"))
                .as("%s", after).isEqualTo(2);
    }

    @Test
    void aMonolithicPostStoresTheBlobInOneRequest() {
        PrometheusText before = proxy.metrics();
        int sessions = proxy.uploadSessions().size();
        byte[] blob = random(70_000);
        String digest = Digests.sha256(blob);
        OciClient.Response post = push.postBlob("team/mono", digest, blob);
        assertThat(post.status()).as("%s", post).isEqualTo(201);
        assertThat(post.header("Location")).isEqualTo("/v2/team/mono/blobs/" + digest);
        assertThat(post.header("Docker-Content-Digest")).isEqualTo(digest);
        assertStored("team/mono", blob);
        assertThat(proxy.uploadSessions()).as("no session left behind").hasSize(sessions);
        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_pushes_total", "repository", "team", "kind", "blob", "result", "stored"))
                .as("%s", after).isEqualTo(1);
        assertThat(delta(before, after, "entrepot_pushed_bytes_total", "repository", "team")).isEqualTo(blob.length);
        assertThat(after.sum("entrepot_hosted_bytes")).isGreaterThanOrEqualTo(blob.length);
    }

    /** 300 MiB through a proxy with a 64 MiB heap: only if the body streams to disk. */
    @Test
    void a300MiBStreamedPatchWithA64MiBHeap() {
        long size = 300L << 20;
        long seed = ThreadLocalRandom.current().nextLong();
        String digest = SeededBytes.sha256(seed, size);
        String location = push.startUpload("team/big");
        OciClient.Response patch = push.patchStream(location, () -> new SeededBytes(seed, 0, size, 0), size, LONG);
        assertThat(patch.status()).as("%s\n%s", patch, proxy.logTail(30)).isEqualTo(202);
        assertThat(patch.header("Range")).isEqualTo("0-" + (size - 1));
        OciClient.Response put = push.put(location, digest, null, null);
        assertThat(put.status()).as("%s", put).isEqualTo(201);

        OciClient.Download download = pull.blob("team/big", digest, LONG);
        assertThat(download.complete(digest)).as("%s", download).isTrue();
        assertThat(download.bytes()).isEqualTo(size);
        assertThat(proxy.isAlive()).isTrue();
        assertThat(proxy.logTail(5_000)).doesNotContain("OutOfMemoryError");
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Served back byte-exact, held once in the hosted store (not the cache), no temp file left. */
    private static void assertStored(String name, byte[] blob) {
        String digest = Digests.sha256(blob);
        OciClient.Response get = pull.get("/v2/" + name + "/blobs/" + digest, null);
        assertThat(get.status()).as("%s", get).isEqualTo(200);
        assertThat(get.body()).as("blob %s of %s", digest, name).isEqualTo(blob);
        OciClient.Response head = pull.head("/v2/" + name + "/blobs/" + digest, null);
        assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(blob.length));
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(digest);
        Path file = proxy.hostedBlobFile(digest);
        assertThat(file).isRegularFile();
        assertThat(Digests.sha256(file)).isEqualTo(digest);
        assertThat(Files.exists(proxy.blobFile(digest))).as("not in the evictable cache store").isFalse();
    }

    private static void outOfRange(OciClient.Response response, String range, String what) {
        assertThat(response.status()).as("%s: %s", what, response).isEqualTo(416);
        assertThat(response.header("Range")).as("%s: the Range held", what).isEqualTo(range);
        assertThat(OciErrors.codes(response)).as("%s", what).isNotEmpty();
    }

    static byte[] random(int size) {
        return SeededBytes.bytes(ThreadLocalRandom.current().nextLong(), 0, size);
    }

    private static byte[] part(byte[] blob, int from, int to) {
        return Arrays.copyOfRange(blob, from, to);
    }
}
