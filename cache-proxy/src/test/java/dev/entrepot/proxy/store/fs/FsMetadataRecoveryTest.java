package dev.entrepot.proxy.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.store.TagRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crash can leave behind in metadata must read as "not cached", never as an error that sticks. */
class FsMetadataRecoveryTest {
    @TempDir
    Path root;

    private final ImageName name = new ImageName("library/alpine");

    private Path only(String suffix) throws Exception {
        try (Stream<Path> files = Files.walk(root.resolve("repositories"))) {
            return files.filter(p -> p.toString().endsWith(suffix)).findFirst().orElseThrow();
        }
    }

    @Test
    void aDamagedTagRecordIsForgotten() throws Exception {
        FsMetadataStore store = new FsMetadataStore(root, new FsBlobStore(root, Clock.systemUTC(), (d, s) -> { }), Clock.systemUTC());
        Digest digest = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
        for (String damage : new String[] {"", "sha256:", "sha256:zz 12", digest + " notanumber", digest.toString()}) {
            store.putTag("hub", name, "3", new TagRecord(digest, Instant.ofEpochMilli(1)));
            Path tag = only("/tags/3");
            Files.writeString(tag, damage);
            assertThat(store.tag("hub", name, "3")).as("'%s'", damage).isEmpty();
            assertThat(tag).as("removed so the next pull refetches").doesNotExist();
        }
    }

    @Test
    void anEmptyRevisionIsForgotten() throws Exception {
        FsMetadataStore store = new FsMetadataStore(root, new FsBlobStore(root, Clock.systemUTC(), (d, s) -> { }), Clock.systemUTC());
        byte[] bytes = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(bytes);
        store.putManifest("hub", name, new ManifestContent(digest, "application/vnd.oci.image.manifest.v1+json", bytes));
        assertThat(store.manifest("hub", name, digest)).isPresent();

        Files.writeString(only(digest.hex()), "");
        assertThat(store.manifest("hub", name, digest)).isEmpty();
    }

    @Test
    void writesLeaveNoTempFiles() throws Exception {
        FsMetadataStore store = new FsMetadataStore(root, new FsBlobStore(root, Clock.systemUTC(), (d, s) -> { }), Clock.systemUTC());
        Digest digest = Digest.sha256("y".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 5; i++) {
            store.putTag("hub", name, "t" + i, new TagRecord(digest, Instant.ofEpochMilli(i)));
        }
        try (Stream<Path> tmp = Files.list(root.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }
}
