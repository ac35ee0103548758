package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.ImageCopy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.S3Server;
import dev.entrepot.e2e.support.SeededBytes;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.SkopeoPush;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two packaged proxies with {@code storage.type: s3} on one bucket of an embedded s3proxy, as two replicas: an image
 * skopeo pushes through one pulls byte-exact through the other; an immutable tag set through one is refused another
 * digest through the other; a garbage collection through the other collects what was deleted through one, and
 * nothing still referenced; {@code kill -9} of one in the middle of a big upload leaves no blob and no tag the other
 * could see.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3ReplicasIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Teardown TEARDOWN = new Teardown();
    private static Path work;
    private static S3Server s3;
    private static ImageGenerator images;
    private static Image app;
    private static SkopeoPush skopeo;
    private static EntrepotProxy one;
    private static EntrepotProxy two;

    @BeforeAll
    static void setUp() throws Exception {
        work = WorkDirs.forClass(S3ReplicasIT.class);
        Files.createDirectories(work.resolve("pull"));
        s3 = TEARDOWN.add(S3Server.start(work.resolve("s3"), "entrepot"));
        images = ImageGenerator.create(work.resolve("layout"));
        app = images.image("app", "amd64", 300_000, 7_000_000); // a layer above one part: a multipart upload
        images.tag("app", app.manifest());
        images.tag("first", images.image("first", "amd64", 200_000).manifest());
        images.tag("second", images.image("second", "amd64", 200_000).manifest());
        images.tag("gone", images.image("gone", "amd64", 400_000, 600_000).manifest());
        skopeo = new SkopeoPush(work.resolve("digests"));
        ProxyConfig config = s3.configure(new ProxyConfig().standard("team", false, null)
                .standard("locked", true, null).gc("0s", "0s"));
        CompletableFuture<EntrepotProxy> starting = CompletableFuture.supplyAsync(() ->
                EntrepotProxy.start(work.resolve("one"), config));
        two = TEARDOWN.add(EntrepotProxy.start(work.resolve("two"), config));
        one = TEARDOWN.add(starting.get(90, TimeUnit.SECONDS));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    @Order(1)
    void anImagePushedThroughOneIsPulledByteExactThroughTheOther() {
        assertThat(skopeo.push(images.ociRef("app"), one.ref("team/app:1"))).isEqualTo(app.manifest().digest());

        for (String ref : List.of("team/app:1", "team/app@" + app.manifest().digest())) {
            ImageCopy pulled = ImageCopy.dir(work.resolve("pull/" + ref.replaceAll("\\W", "_")));
            Skopeo.copyOk(two.ref(ref), pulled.dirRef());
            assertThat(pulled.manifest()).as(ref).isEqualTo(layoutBlob(app.manifest().digest()));
            assertThat(pulled.digests()).as(ref).isEqualTo(digests(app));
        }
        for (String blob : digests(app)) {
            assertThat(s3.hasBlob(blob)).as("%s in the bucket", blob).isTrue();
        }
    }

    @Test
    @Order(2)
    void anImmutableTagSetThroughOneIsRefusedAnotherDigestThroughTheOther() {
        String first = skopeo.push(images.ociRef("first"), one.ref("locked/app:v1"));

        Exec.Result second = Skopeo.copy(images.ociRef("second"), two.ref("locked/app:v1"));

        assertThat(second.ok()).as("%s", second).isFalse();
        assertThat(second.stderr()).contains("immutable");
        assertThat(Skopeo.digest(two.ref("locked/app:v1"))).isEqualTo(first);
        assertThat(Skopeo.digest(one.ref("locked/app:v1"))).isEqualTo(first);
    }

    @Test
    @Order(3)
    void aCollectionThroughTheOtherCollectsWhatWasDeletedThroughOne() throws Exception {
        String gone = skopeo.push(images.ociRef("gone"), one.ref("team/gone:1"));
        Set<String> goneBlobs = blobsOf(gone);
        assertThat(PushClient.of(one).deleteManifest("team/gone", gone).status()).isEqualTo(202);
        Thread.sleep(2_500); // S3 stamps to the second: the pushes' uses must be older than the collection

        JsonNode gc = PushClient.of(two).gc(false).path("gc");

        List<String> removed = new ArrayList<>();
        gc.path("removed").forEach(d -> removed.add(d.asText()));
        assertThat(removed).as("%s", gc).containsAll(goneBlobs).contains(gone).doesNotContainAnyElementsOf(digests(app));
        for (String blob : goneBlobs) {
            assertThat(s3.hasBlob(blob)).as("%s in the bucket", blob).isFalse();
            OciErrors.assertError(one.client().get("/v2/team/gone/blobs/" + blob, null), 404, "BLOB_UNKNOWN");
        }
        ImageCopy pulled = ImageCopy.dir(work.resolve("pull/after-gc"));
        Skopeo.copyOk(one.ref("team/app:1"), pulled.dirRef());
        assertThat(pulled.digests()).isEqualTo(digests(app));
        assertThat(Skopeo.digest(two.ref("locked/app:v1"))).isNotBlank();
    }

    @Test
    @Order(4)
    void killMinusNineOfOneDuringABigUploadLeavesNothingTheOtherSees() throws Exception {
        PushClient push = PushClient.of(one);
        long size = 48L << 20;
        long seed = ThreadLocalRandom.current().nextLong();
        String digest = SeededBytes.sha256(seed, size);
        String location = push.startUpload("team/big");
        Path data = one.storage().resolve("uploads").resolve(location.substring(location.lastIndexOf('/') + 1))
                .resolve("data");
        CompletableFuture<String> patch = CompletableFuture.supplyAsync(() -> {
            try {
                return push.patchStream(location, () -> new SeededBytes(seed, 0, size, 16L << 20), size,
                        Duration.ofMinutes(2)).toString();
            } catch (UncheckedIOException e) {
                return e.getCause().toString();
            }
        });
        Poll.until(Duration.ofSeconds(20), () -> fileSize(data) > (8L << 20), () -> "8 MiB in the session");
        one.kill9();
        assertThat(patch.get(30, TimeUnit.SECONDS)).as("the client saw the cut").doesNotStartWith("202");

        OciClient other = two.client();
        OciErrors.assertError(other.get("/v2/team/big/blobs/" + digest, null), 404, "BLOB_UNKNOWN");
        OciErrors.assertError(other.get("/v2/team/big/manifests/1", null), 404, "MANIFEST_UNKNOWN");
        assertThat(s3.hasBlob(digest)).isFalse();
        assertThat(Skopeo.digest(two.ref("team/app:1"))).isEqualTo(app.manifest().digest());
    }

    private static Set<String> digests(Image image) {
        Set<String> all = new TreeSet<>(blobsOf(image.manifest().digest()));
        all.add(image.manifest().digest());
        return all;
    }

    /** Config and layers of the layout's manifest {@code digest}. */
    private static Set<String> blobsOf(String manifest) {
        Set<String> blobs = new TreeSet<>();
        JsonNode json;
        try {
            json = JSON.readTree(layoutBlob(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        blobs.add(json.path("config").path("digest").asText());
        json.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));
        return blobs;
    }

    private static byte[] layoutBlob(String digest) {
        try {
            return Files.readAllBytes(images.blobPath(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
