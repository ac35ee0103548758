package dev.entrepot.proxy.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link HostedMetadataStore} must do beyond manifests and tags: blob links per image, referrers per
 * subject, and listing everything stored whatever the configuration says. Reopening on the same directory stands for
 * a restart: everything must still be there.
 */
public abstract class HostedMetadataStoreContractTest {
    private static final ImageName APP = new ImageName("team/app");
    private static final ImageName OTHER = new ImageName("other");

    @TempDir
    protected Path root;

    protected final MutableClock clock = new MutableClock(1_700_000_000_000L);
    protected HostedMetadataStore store;

    protected abstract HostedMetadataStore open(Path root) throws IOException;

    @BeforeEach
    void openStore() throws IOException {
        store = open(root);
    }

    private static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void blobLinksAreScopedToTheImageAndRememberWhen() throws IOException {
        Digest layer = digest("layer");
        store.linkBlob("team", APP, layer);
        clock.advance(Duration.ofMinutes(5));
        store.linkBlob("team", OTHER, layer);

        assertThat(store.blobLinked("team", APP, layer)).contains(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(store.blobLinked("team", OTHER, layer)).contains(Instant.ofEpochMilli(1_700_000_300_000L));
        assertThat(store.blobLinked("ci", APP, layer)).isEmpty();
        assertThat(store.blobLinks("team", APP)).containsExactly(Map.entry(layer, Instant.ofEpochMilli(1_700_000_000_000L)));
    }

    @Test
    void relinkingMovesTheTimeUnlinkingRemoves() throws IOException {
        Digest layer = digest("layer");
        store.linkBlob("team", APP, layer);
        clock.advance(Duration.ofHours(1));
        store.linkBlob("team", APP, layer);

        assertThat(store.blobLinked("team", APP, layer)).contains(clock.instant());
        assertThat(store.unlinkBlob("team", APP, layer)).isTrue();
        assertThat(store.unlinkBlob("team", APP, layer)).as("nothing left to remove").isFalse();
        assertThat(store.blobLinked("team", APP, layer)).isEmpty();
        assertThat(store.blobLinks("team", APP)).isEmpty();
    }

    @Test
    void referrersArePerSubject() throws IOException {
        Digest subject = digest("subject");
        Digest sig = digest("sig");
        Digest sbom = digest("sbom");
        byte[] sigDescriptor = "{\"digest\":\"sig\"}".getBytes(StandardCharsets.UTF_8);
        store.putReferrer("team", APP, subject, sig, sigDescriptor);
        store.putReferrer("team", APP, subject, sbom, "{\"digest\":\"sbom\"}".getBytes(StandardCharsets.UTF_8));
        store.putReferrer("team", APP, digest("another"), sig, sigDescriptor);

        assertThat(store.referrers("team", APP, subject)).hasSize(2)
                .anySatisfy(d -> assertThat(d).isEqualTo(sigDescriptor));
        assertThat(store.referrers("team", OTHER, subject)).isEmpty();

        store.removeReferrer("team", APP, subject, sig);
        assertThat(store.referrers("team", APP, subject)).singleElement()
                .satisfies(d -> assertThat(new String(d, StandardCharsets.UTF_8)).contains("sbom"));
    }

    @Test
    void putTagIfAbsentSetsATagOnlyOnce() throws IOException {
        TagRecord first = new TagRecord(digest("first"), clock.instant());
        TagRecord second = new TagRecord(digest("second"), clock.instant().plusSeconds(1));

        assertThat(store.putTagIfAbsent("team", APP, "v1", first)).isEmpty();
        assertThat(store.putTagIfAbsent("team", APP, "v1", second)).contains(first);
        assertThat(store.putTagIfAbsent("team", APP, "v1", first)).as("the same digest again").contains(first);
        assertThat(store.tag("team", APP, "v1")).contains(first);
        assertThat(store.putTagIfAbsent("team", OTHER, "v1", second)).as("another image").isEmpty();
    }

    @Test
    void ofConcurrentPutTagIfAbsentWithDifferentDigestsAtMostOneWins() throws Exception {
        int writers = 6;
        for (int round = 0; round < 5; round++) {
            String tag = "race-" + round;
            CyclicBarrier start = new CyclicBarrier(writers);
            List<Callable<Optional<TagRecord>>> calls = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                TagRecord record = new TagRecord(digest(tag + "/" + w), clock.instant());
                calls.add(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return store.putTagIfAbsent("team", APP, tag, record);
                });
            }
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Optional<TagRecord>> results = new ArrayList<>();
            try {
                for (Future<Optional<TagRecord>> f : pool.invokeAll(calls, 60, TimeUnit.SECONDS)) {
                    results.add(f.get());
                }
            } finally {
                pool.shutdownNow();
            }

            long winners = results.stream().filter(Optional::isEmpty).count();
            assertThat(winners).as("round %d", round).isLessThanOrEqualTo(1);
            Optional<TagRecord> held = store.tag("team", APP, tag);
            assertThat(held.isPresent()).as("the tag is set exactly when someone won").isEqualTo(winners == 1);
            for (int w = 0; w < writers; w++) {
                Optional<TagRecord> result = results.get(w);
                if (result.isEmpty()) {
                    assertThat(held.orElseThrow().digest()).as("the winner's digest").isEqualTo(digest(tag + "/" + w));
                } else {
                    assertThat(result.get().digest()).as("a loser is told of another digest")
                            .isNotEqualTo(digest(tag + "/" + w));
                }
            }
        }
    }

    @Test
    void everythingSurvivesAReopen() throws IOException {
        byte[] bytes = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        ManifestContent manifest = new ManifestContent(Digest.sha256(bytes), MediaTypes.OCI_MANIFEST, bytes);
        store.putManifest("team", APP, manifest);
        store.putTag("team", APP, "v1", new TagRecord(manifest.digest(), clock.instant()));
        store.linkBlob("team", APP, digest("layer"));
        store.putReferrer("team", APP, digest("s"), digest("r"), "{}".getBytes(StandardCharsets.UTF_8));

        HostedMetadataStore reopened = open(root);

        assertThat(reopened.manifest("team", APP, manifest.digest())).isPresent();
        assertThat(reopened.tag("team", APP, "v1")).isPresent();
        assertThat(reopened.blobLinked("team", APP, digest("layer"))).isPresent();
        assertThat(reopened.referrers("team", APP, digest("s"))).hasSize(1);
    }

    @Test
    void listsRepositoriesAndEveryImageWithContent() throws IOException {
        byte[] bytes = "{\"m\":1}".getBytes(StandardCharsets.UTF_8);
        store.putManifest("team", APP, new ManifestContent(Digest.sha256(bytes), MediaTypes.OCI_MANIFEST, bytes));
        store.linkBlob("team", OTHER, digest("only a blob"));
        store.linkBlob("gone-from-config", APP, digest("x"));

        assertThat(store.repositories()).containsExactly("gone-from-config", "team");
        assertThat(store.storedNames("team")).containsExactly("other", "team/app");
        assertThat(store.names("team")).as("the catalog lists images with manifests").containsExactly("team/app");
        assertThat(store.storedNames("nobody")).isEmpty();
    }

    @Test
    void aDeletedManifestLeavesItsLinksForTheCollector() throws IOException {
        byte[] bytes = "{\"d\":1}".getBytes(StandardCharsets.UTF_8);
        ManifestContent manifest = new ManifestContent(Digest.sha256(bytes), MediaTypes.OCI_MANIFEST, bytes);
        store.putManifest("team", APP, manifest);
        store.linkBlob("team", APP, digest("layer"));

        store.deleteManifest("team", APP, manifest.digest());

        assertThat(store.revisions("team", APP)).isEmpty();
        assertThat(store.blobLinks("team", APP)).containsOnlyKeys(digest("layer"));
        assertThat(store.storedNames("team")).containsExactly("team/app");
        assertThat(List.copyOf(store.names("team"))).isEmpty();
    }
}
