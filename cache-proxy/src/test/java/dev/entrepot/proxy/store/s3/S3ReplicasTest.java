package dev.entrepot.proxy.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.store.TagRecord;
import dev.entrepot.proxy.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stores on one bucket, each with its own client and local tier, stand for two replicas of the proxy: what one
 * writes the other sees at once, and an immutable tag set through one cannot be set otherwise through the other, also
 * when both race. Also what the embedded server does with conditional writes.
 */
class S3ReplicasTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final ImageName APP = new ImageName("team/app");

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final ExecutorService parts = Executors.newFixedThreadPool(2);
    private final List<Bucket> clients = new ArrayList<>();
    private S3Settings settings;
    private S3MetadataStore one;
    private S3MetadataStore two;

    @BeforeEach
    void openReplicas() throws IOException {
        settings = SERVER.newBucket();
        one = replica("one");
        two = replica("two");
    }

    @AfterEach
    void close() {
        parts.shutdownNow();
        clients.forEach(Bucket::close);
    }

    private S3MetadataStore replica(String name) throws IOException {
        Bucket bucket = SERVER.connect(settings);
        clients.add(bucket);
        S3BlobStore blobs = new S3BlobStore(bucket, "hosted/", root.resolve(name), 1L << 20, clock, parts);
        return new S3MetadataStore(bucket, "hosted/", blobs, clock);
    }

    private static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void whatOneReplicaWritesTheOtherSeesAtOnce() throws IOException {
        byte[] bytes = "{\"schemaVersion\":2,\"r\":1}".getBytes(StandardCharsets.UTF_8);
        ManifestContent manifest = new ManifestContent(Digest.sha256(bytes), MediaTypes.OCI_MANIFEST, bytes);
        assertThat(two.tag("team", APP, "latest")).isEmpty();

        one.putManifest("team", APP, manifest);
        one.putTag("team", APP, "latest", new TagRecord(manifest.digest(), clock.instant()));

        assertThat(two.tag("team", APP, "latest")).map(TagRecord::digest).contains(manifest.digest());
        assertThat(two.manifest("team", APP, manifest.digest())).map(ManifestContent::bytes).contains(bytes);

        two.removeTag("team", APP, "latest");
        assertThat(one.tags("team", APP)).isEmpty();
    }

    @Test
    void anImmutableTagSetThroughOneCannotBeSetOtherwiseThroughTheOther() throws IOException {
        TagRecord first = new TagRecord(digest("first"), clock.instant());

        assertThat(one.putTagIfAbsent("team", APP, "v1", first)).isEmpty();

        assertThat(two.putTagIfAbsent("team", APP, "v1", new TagRecord(digest("other"), clock.instant())))
                .contains(first);
        assertThat(two.putTagIfAbsent("team", APP, "v1", first)).contains(first);
        assertThat(one.tag("team", APP, "v1")).contains(first);
    }

    @Test
    void racingReplicasSetAnImmutableTagAtMostOnce() throws Exception {
        int perReplica = 4;
        for (int round = 0; round < 10; round++) {
            String tag = "v" + round;
            CyclicBarrier start = new CyclicBarrier(2 * perReplica);
            List<Callable<Optional<TagRecord>>> calls = new ArrayList<>();
            List<Digest> digests = new ArrayList<>();
            for (int w = 0; w < 2 * perReplica; w++) {
                S3MetadataStore through = w % 2 == 0 ? one : two;
                Digest mine = digest(tag + "/" + w);
                digests.add(mine);
                calls.add(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return through.putTagIfAbsent("team", APP, tag, new TagRecord(mine, clock.instant()));
                });
            }
            ExecutorService pool = Executors.newFixedThreadPool(calls.size());
            List<Optional<TagRecord>> results = new ArrayList<>();
            try {
                for (Future<Optional<TagRecord>> f : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
                    results.add(f.get());
                }
            } finally {
                pool.shutdownNow();
            }

            List<Digest> winners = new ArrayList<>();
            for (int w = 0; w < results.size(); w++) {
                if (results.get(w).isEmpty()) {
                    winners.add(digests.get(w));
                }
            }
            assertThat(winners).as("round %d", round).hasSizeLessThanOrEqualTo(1);
            Optional<Digest> seenByOne = one.tag("team", APP, tag).map(TagRecord::digest);
            Optional<Digest> seenByTwo = two.tag("team", APP, tag).map(TagRecord::digest);
            assertThat(seenByOne).isEqualTo(seenByTwo).isEqualTo(winners.stream().findFirst());
            if (winners.isEmpty()) { // everyone lost: the tag is free again once the losers withdrew
                assertThat(two.putTagIfAbsent("team", APP, tag, new TagRecord(digest("retry"), clock.instant())))
                        .isEmpty();
            }
            assertThat(one.putTagIfAbsent("team", APP, tag, new TagRecord(digest("late"), clock.instant())))
                    .as("a late writer is refused").isPresent();
        }
    }

    /**
     * s3proxy 2.9.0 honours {@code If-None-Match: *} on PUT, but on its local backends by a lookup before the write
     * (not atomically), which is why immutable tags do not rest on it alone.
     */
    @Test
    void theServerRefusesACreateOfAnExistingKey() throws IOException {
        Bucket bucket = clients.get(0);

        assertThat(bucket.create("probe", new byte[] {1})).isTrue();
        assertThat(bucket.create("probe", new byte[] {2})).isFalse();

        assertThat(bucket.read("probe", 10)).hasValueSatisfying(b -> assertThat(b).containsExactly(1));
    }
}
