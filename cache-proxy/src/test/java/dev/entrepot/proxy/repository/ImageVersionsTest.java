package dev.entrepot.proxy.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.store.TagRecord;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.store.fs.FsMetadataStore;
import dev.entrepot.proxy.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageVersionsTest {
    private static final ImageName APP = new ImageName("app");

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    private static ManifestContent manifest(String json, String type) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new ManifestContent(Digest.sha256(bytes), type, bytes);
    }

    private static String descriptor(String seed, long size) {
        return "{\"mediaType\":\"a/b\",\"digest\":\"" + Digest.sha256(seed.getBytes(StandardCharsets.UTF_8))
                + "\",\"size\":" + size + "}";
    }

    @Test
    void versionsCarryTagsSizesAndTimesNewestFirst() throws Exception {
        FsMetadataStore store = new FsMetadataStore(root, new FsBlobStore(root, clock, (d, s) -> { }), clock);
        ManifestContent old = manifest("{\"schemaVersion\":2,\"config\":" + descriptor("c1", 10) + ",\"layers\":["
                + descriptor("l1", 100) + "," + descriptor("l2", 1000) + "]}", MediaTypes.OCI_MANIFEST);
        store.putManifest("team", APP, old);
        Instant created = clock.instant();
        clock.advance(Duration.ofHours(1));
        ManifestContent amd64 = manifest("{\"schemaVersion\":2,\"config\":" + descriptor("c2", 5) + ",\"layers\":[]}",
                MediaTypes.OCI_MANIFEST);
        store.putManifest("team", APP, amd64);
        ManifestContent index = manifest("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + amd64.digest() + "\",\"size\":1},"
                + descriptor("absent", 7) + "]}", MediaTypes.OCI_INDEX);
        clock.advance(Duration.ofHours(1));
        store.putManifest("team", APP, index);
        clock.advance(Duration.ofHours(1));
        store.putTag("team", APP, "v1", new TagRecord(old.digest(), clock.instant()));
        store.putTag("team", APP, "latest", new TagRecord(old.digest(), clock.instant().minusSeconds(10)));

        List<ImageVersion> versions = ImageVersions.of(store, "team", APP,
                d -> d.equals(old.digest()) ? Instant.EPOCH : null);

        assertThat(versions).extracting(ImageVersion::digest).containsExactly(index.digest(), amd64.digest(),
                old.digest());
        ImageVersion oldest = versions.get(2);
        assertThat(oldest.size()).isEqualTo(1110);
        assertThat(oldest.tags()).containsExactly("latest", "v1");
        assertThat(oldest.created()).isEqualTo(created);
        assertThat(oldest.updated()).as("the latest tag move").isEqualTo(clock.instant());
        assertThat(oldest.lastPulled()).isEqualTo(Instant.EPOCH);
        assertThat(versions.get(0).size()).as("the child held here in full, the other by its descriptor")
                .isEqualTo(5 + 7);
        assertThat(versions.get(0).tags()).isEmpty();
        assertThat(versions.get(0).updated()).as("untagged: its creation").isEqualTo(versions.get(0).created());
    }
}
