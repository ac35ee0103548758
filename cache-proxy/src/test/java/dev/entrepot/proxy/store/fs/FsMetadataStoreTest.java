package dev.entrepot.proxy.store.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.store.Revision;
import dev.entrepot.proxy.store.TagRecord;
import dev.entrepot.proxy.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsMetadataStoreTest {
    private static final ImageName NGINX = new ImageName("library/nginx");
    private static final ImageName ALPINE = new ImageName("library/alpine");

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(1_000);
    private FsBlobStore blobs;
    private FsMetadataStore store;

    @BeforeEach
    void setUp() throws IOException {
        blobs = new FsBlobStore(root, clock, (d, s) -> { });
        store = new FsMetadataStore(root, blobs, Clock.systemUTC());
    }

    private static ManifestContent manifest(String json, String mediaType) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new ManifestContent(Digest.sha256(bytes), mediaType, bytes);
    }

    private static TagRecord tagRecord(ManifestContent m, long millis) {
        return new TagRecord(m.digest(), Instant.ofEpochMilli(millis));
    }

    private List<Path> tmpFiles() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
            return files.toList();
        }
    }

    @Test
    void manifestsRoundTripByteExactWithTheirMediaType() throws IOException {
        // Odd spacing on purpose: the stored bytes are the upstream's, never re-encoded.
        ManifestContent m = manifest("{ \"schemaVersion\" : 2,\n  \"mediaType\":\"x\" }", MediaTypes.OCI_INDEX);

        store.putManifest("hub", NGINX, m);

        Optional<ManifestContent> read = store.manifest("hub", NGINX, m.digest());
        assertThat(read).hasValueSatisfying(r -> {
            assertThat(r.digest()).isEqualTo(m.digest());
            assertThat(r.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
            assertThat(r.bytes()).isEqualTo(m.bytes());
        });
        assertThat(blobs.read(m.digest(), 1024)).as("bytes live in the shared blob store").isPresent();
    }

    @Test
    void manifestsAreScopedToRepositoryAndName() throws IOException {
        ManifestContent m = manifest("{\"a\":1}", MediaTypes.DOCKER_MANIFEST);
        store.putManifest("hub", NGINX, m);

        assertThat(store.manifest("hub", ALPINE, m.digest())).isEmpty();
        assertThat(store.manifest("other", NGINX, m.digest())).isEmpty();
        assertThat(store.manifest("hub", NGINX, Digest.sha256(new byte[0]))).isEmpty();
    }

    @Test
    void theSameManifestMayBeKnownUnderSeveralNamesWithDifferentMediaTypes() throws IOException {
        byte[] bytes = "{\"same\":true}".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(bytes);

        store.putManifest("hub", NGINX, new ManifestContent(d, MediaTypes.OCI_MANIFEST, bytes));
        store.putManifest("team", NGINX, new ManifestContent(d, MediaTypes.DOCKER_MANIFEST, bytes));

        assertThat(store.manifest("hub", NGINX, d).orElseThrow().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(store.manifest("team", NGINX, d).orElseThrow().mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(blobs.totalBytes()).isEqualTo(bytes.length);
    }

    @Test
    void aManifestThatDoesNotMatchItsDigestIsNotRecorded() throws IOException {
        byte[] bytes = "{}".getBytes(StandardCharsets.UTF_8);
        ManifestContent lying = new ManifestContent(Digest.sha256("[]".getBytes(StandardCharsets.UTF_8)),
                MediaTypes.OCI_MANIFEST, bytes);

        assertThatThrownBy(() -> store.putManifest("hub", NGINX, lying))
                .isInstanceOfSatisfying(OciException.class,
                        e -> assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID));

        assertThat(store.manifest("hub", NGINX, lying.digest())).isEmpty();
        assertThat(store.names("hub")).isEmpty();
    }

    @Test
    void aManifestWhoseBytesWereEvictedIsAMiss() throws IOException {
        ManifestContent m = manifest("{\"evict\":\"me\"}", MediaTypes.OCI_MANIFEST);
        store.putManifest("hub", NGINX, m);

        blobs.evictToSize(0);

        assertThat(store.manifest("hub", NGINX, m.digest())).isEmpty();
    }

    @Test
    void manifestsLiveUnderRevisions() throws IOException {
        ManifestContent m = manifest("{\"layout\":1}", MediaTypes.OCI_MANIFEST);

        store.putManifest("hub", NGINX, m);

        Path revision = root.resolve("repositories/hub/library/nginx/_manifests/revisions/sha256")
                .resolve(m.digest().hex());
        assertThat(Files.readString(revision)).startsWith(MediaTypes.OCI_MANIFEST + "\n");
    }

    @Test
    void revisionsRememberWhenTheyWereFirstStored() throws IOException {
        ManifestContent m = manifest("{\"first\":1}", MediaTypes.OCI_MANIFEST);
        store.putManifest("hub", NGINX, m);
        Instant first = store.revisions("hub", NGINX).get(0).storedAt();

        store.putManifest("hub", NGINX, m);

        assertThat(store.revisions("hub", NGINX)).containsExactly(new Revision(m.digest(), MediaTypes.OCI_MANIFEST,
                first));
        assertThat(first).isAfter(Instant.now().minusSeconds(60));
    }

    @Test
    void aDeletedManifestIsNoLongerKnownButItsBytesStay() throws IOException {
        ManifestContent m = manifest("{\"gone\":1}", MediaTypes.OCI_MANIFEST);
        store.putManifest("hub", NGINX, m);

        store.deleteManifest("hub", NGINX, m.digest());

        assertThat(store.manifest("hub", NGINX, m.digest())).isEmpty();
        assertThat(store.revisions("hub", NGINX)).isEmpty();
        assertThat(store.names("hub")).as("an image without manifests is not listed").isEmpty();
        assertThat(blobs.open(m.digest())).as("bytes are the collector's business").isPresent();
    }

    @Test
    void tagsRoundTrip() throws IOException {
        ManifestContent m = manifest("{\"t\":1}", MediaTypes.OCI_MANIFEST);

        store.putTag("hub", NGINX, "1.25", tagRecord(m, 1_700_000_000_123L));

        assertThat(store.tag("hub", NGINX, "1.25")).contains(tagRecord(m, 1_700_000_000_123L));
        assertThat(store.tag("hub", NGINX, "1.26")).isEmpty();
        assertThat(store.tag("hub", ALPINE, "1.25")).isEmpty();
        assertThat(store.tag("other", NGINX, "1.25")).isEmpty();
        assertThat(root.resolve("repositories/hub/library/nginx/_manifests/tags/1.25"))
                .hasContent(m.digest() + " 1700000000123");
    }

    @Test
    void checkedAtIsKeptToTheMillisecond() throws IOException {
        ManifestContent m = manifest("{\"t\":2}", MediaTypes.OCI_MANIFEST);
        Instant precise = Instant.parse("2025-01-02T03:04:05.678901234Z");

        store.putTag("hub", NGINX, "latest", new TagRecord(m.digest(), precise));

        assertThat(store.tag("hub", NGINX, "latest").orElseThrow().checkedAt())
                .isEqualTo(Instant.parse("2025-01-02T03:04:05.678Z"));
    }

    @Test
    void putTagReplacesTheRecord() throws IOException {
        ManifestContent first = manifest("{\"v\":1}", MediaTypes.OCI_MANIFEST);
        ManifestContent second = manifest("{\"v\":2}", MediaTypes.OCI_MANIFEST);

        store.putTag("hub", NGINX, "latest", tagRecord(first, 1));
        store.putTag("hub", NGINX, "latest", tagRecord(second, 2));

        assertThat(store.tag("hub", NGINX, "latest")).contains(tagRecord(second, 2));
        assertThat(store.tags("hub", NGINX)).containsExactly("latest");
    }

    @Test
    void tagsAreListedSorted() throws IOException {
        ManifestContent m = manifest("{\"s\":1}", MediaTypes.OCI_MANIFEST);
        for (String tag : List.of("latest", "b", "1.9", "1.10", "A", "_x", "a")) {
            store.putTag("hub", NGINX, tag, tagRecord(m, 1));
        }

        assertThat(store.tags("hub", NGINX)).containsExactly("1.10", "1.9", "A", "_x", "a", "b", "latest");
        assertThat(store.tags("hub", ALPINE)).isEmpty();
        assertThat(store.tags("nowhere", NGINX)).isEmpty();
    }

    @Test
    void removeTag() throws IOException {
        ManifestContent m = manifest("{\"r\":1}", MediaTypes.OCI_MANIFEST);
        store.putTag("hub", NGINX, "keep", tagRecord(m, 1));
        store.putTag("hub", NGINX, "drop", tagRecord(m, 1));

        store.removeTag("hub", NGINX, "drop");
        store.removeTag("hub", NGINX, "drop");
        store.removeTag("hub", NGINX, "never-existed");
        store.removeTag("nowhere", ALPINE, "x");

        assertThat(store.tag("hub", NGINX, "drop")).isEmpty();
        assertThat(store.tag("hub", NGINX, "keep")).isPresent();
        assertThat(store.tags("hub", NGINX)).containsExactly("keep");
    }

    @Test
    void invalidTagsNeverBecomePaths() {
        ManifestContent m = manifest("{\"bad\":1}", MediaTypes.OCI_MANIFEST);

        for (String tag : List.of("../../../escape", ".hidden", "a/b", "")) {
            assertThatThrownBy(() -> store.putTag("hub", NGINX, tag, tagRecord(m, 1)))
                    .as(tag).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.tag("hub", NGINX, tag)).as(tag).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.removeTag("hub", NGINX, tag))
                    .as(tag).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(root.resolve("escape")).doesNotExist();
    }

    @Test
    void namesListsImagesWithManifestsSorted() throws IOException {
        ManifestContent m = manifest("{\"n\":1}", MediaTypes.OCI_MANIFEST);
        for (String name : List.of("library/nginx", "library/alpine", "a/b/c", "library", "zeta")) {
            store.putManifest("hub", new ImageName(name), m);
        }
        store.putManifest("team", new ImageName("only/here"), m);

        assertThat(store.names("hub")).containsExactly("a/b/c", "library", "library/alpine", "library/nginx", "zeta");
        assertThat(store.names("team")).containsExactly("only/here");
        assertThat(store.names("nowhere")).isEmpty();
    }

    @Test
    void writesLeaveNoTemporaryFiles() throws IOException {
        ManifestContent m = manifest("{\"tmp\":1}", MediaTypes.OCI_MANIFEST);

        for (int i = 0; i < 20; i++) {
            store.putManifest("hub", NGINX, m);
            store.putTag("hub", NGINX, "t" + i, tagRecord(m, i));
        }
        store.removeTag("hub", NGINX, "t0");

        assertThat(tmpFiles()).isEmpty();
        try (Stream<Path> tags = Files.list(root.resolve("repositories/hub/library/nginx/_manifests/tags"))) {
            assertThat(tags).hasSize(19);
        }
    }

    @Test
    void readersNeverSeeAHalfWrittenTag() throws Exception {
        ManifestContent a = manifest("{\"a\":1}", MediaTypes.OCI_MANIFEST);
        ManifestContent b = manifest("{\"b\":1}", MediaTypes.OCI_MANIFEST);
        store.putTag("hub", NGINX, "latest", tagRecord(a, 1));
        AtomicBoolean done = new AtomicBoolean();
        List<Throwable> failures = new ArrayList<>();

        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 300; i++) {
                    store.putTag("hub", NGINX, "latest", tagRecord(i % 2 == 0 ? b : a, 1_000_000_000_000L + i));
                }
            } catch (Throwable t) {
                synchronized (failures) {
                    failures.add(t);
                }
            } finally {
                done.set(true);
            }
        });
        writer.start();
        int reads = 0;
        while (!done.get() || reads == 0) {
            TagRecord r = store.tag("hub", NGINX, "latest").orElseThrow();
            assertThat(r.digest()).isIn(a.digest(), b.digest());
            reads++;
        }
        writer.join();

        assertThat(failures).isEmpty();
        assertThat(tmpFiles()).isEmpty();
    }

    @Test
    void sharesTheTmpDirectoryWithTheBlobStoreSafely() throws IOException {
        ManifestContent m = manifest("{\"share\":1}", MediaTypes.OCI_MANIFEST);
        store.putManifest("hub", NGINX, m);
        store.putTag("hub", NGINX, "latest", tagRecord(m, 5));

        FsBlobStore reopenedBlobs = new FsBlobStore(root, clock, (d, s) -> { });
        FsMetadataStore reopened = new FsMetadataStore(root, reopenedBlobs, Clock.systemUTC());

        assertThat(reopened.manifest("hub", NGINX, m.digest())).isPresent();
        assertThat(reopened.tag("hub", NGINX, "latest")).contains(tagRecord(m, 5));
        assertThat(reopened.names("hub")).containsExactly("library/nginx");
    }
}
