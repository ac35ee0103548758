package dev.entrepot.proxy.store.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.store.UploadSession;
import dev.entrepot.proxy.store.UploadStore;
import dev.entrepot.proxy.store.UploadStoreContractTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FsUploadStoreTest extends UploadStoreContractTest {

    @Override
    protected UploadStore open(Path root) throws IOException {
        FsBlobStore hosted = new FsBlobStore(root.resolve("hosted"), clock, (d, s) -> { });
        blobs = hosted;
        return new FsUploadStore(root.resolve("uploads"), hosted, clock);
    }

    @Test
    void openingTheBlobStoreAgainLeavesSessionsAlone() throws Exception {
        UploadSession session = uploads.create("team", new ImageName("app"));
        session.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));

        new FsBlobStore(root.resolve("hosted"), clock, (d, s) -> { }); // start-up clears temp files, not sessions

        assertThat(open(root).find(session.id())).isPresent().get().extracting(UploadSession::size).isEqualTo(3L);
    }

    @Test
    void aCommitMovesTheFileAndCleansUp() throws Exception {
        byte[] bytes = {4, 5, 6};
        UploadSession session = uploads.create("team", new ImageName("app"));
        session.append(ByteBuffer.wrap(bytes));

        session.commit(Digest.sha256(bytes));

        try (Stream<Path> left = Files.list(root.resolve("uploads"))) {
            assertThat(left).isEmpty();
        }
        try (Stream<Path> tmp = Files.list(root.resolve("hosted/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void debrisInTheUploadsDirectoryIsRemovedByExpiry() throws Exception {
        Path stray = Files.createDirectories(root.resolve("uploads/not-a-session"));
        Files.setLastModifiedTime(stray, java.nio.file.attribute.FileTime.fromMillis(0));

        uploads.expire(java.time.Duration.ofMinutes(1));

        assertThat(stray).doesNotExist();
    }
}
