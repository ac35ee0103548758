package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-download-per-digest rule both the upstream downloads and the local-tier fills follow. */
class DownloadClaimsTest {
    private static final byte[] BLOB = "a blob".getBytes(StandardCharsets.UTF_8);
    private static final Digest DIGEST = Digest.sha256(BLOB);

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final Map<Digest, Path> stored = new ConcurrentHashMap<>();
    private final DownloadClaims claims = new DownloadClaims(vertx, digest -> Optional.ofNullable(stored.get(digest))
            .map(DownloadClaimsTest::lease));
    private final List<Download> started = new CopyOnWriteArrayList<>();
    private final AtomicInteger joined = new AtomicInteger();

    @AfterEach
    void tearDown() throws Exception {
        Await.result(vertx.close());
    }

    private Future<BlobSource> get() {
        return claims.get(DIGEST, joined::incrementAndGet, started::add);
    }

    private static BlobLease lease(Path path) {
        return new BlobLease() {
            @Override
            public Path path() {
                return path;
            }

            @Override
            public long size() {
                return BLOB.length;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Writes the whole blob into the download's temp file; verified, not yet stored. */
    private Path receiveAll(Download download) throws Exception {
        Path temp = Files.write(dir.resolve("temp"), BLOB);
        download.start(temp, BLOB.length);
        download.progress(BLOB.length);
        download.verify();
        return temp;
    }

    /** What the commit does: the blob is stored, the claim ends, the download succeeds. */
    private void commit(Download download, Path temp) throws Exception {
        Path blob = Files.move(temp, dir.resolve("stored"));
        stored.put(DIGEST, blob);
        claims.release(download);
        download.succeed(blob);
    }

    @Test
    void aStoredBlobIsServedWithoutADownload() throws Exception {
        stored.put(DIGEST, Files.write(dir.resolve("stored"), BLOB));

        assertThat(Await.result(get())).isInstanceOf(BlobSource.Stored.class);
        assertThat(started).isEmpty();
        assertThat(claims.size()).isZero();
    }

    @Test
    void requestsForADigestInFlightJoinTheOneDownload() throws Exception {
        Future<BlobSource> first = get();
        Future<BlobSource> second = get();
        assertThat(started).hasSize(1);
        assertThat(joined).hasValue(1);
        assertThat(claims.running(DIGEST)).contains(started.get(0));

        Download download = started.get(0);
        download.start(Files.write(dir.resolve("temp"), BLOB), BLOB.length);
        assertThat(Await.result(first)).isInstanceOf(BlobSource.Growing.class);
        assertThat(((BlobSource.Growing) Await.result(second)).blob()).isSameAs(download);
    }

    @Test
    void aRequestWhileAVerifiedDownloadCommitsWaitsAndGetsTheStoredBlob() throws Exception {
        get();
        Download download = started.get(0);
        Path temp = receiveAll(download);

        Future<BlobSource> late = get();
        Thread.sleep(50);
        assertThat(late.isComplete()).as("waits for the commit").isFalse();
        commit(download, temp);

        assertThat(Await.result(late)).isInstanceOf(BlobSource.Stored.class);
        assertThat(joined).as("not a join").hasValue(0);
        assertThat(started).as("no second download").hasSize(1);
    }

    @Test
    void aRequestWhileAVerifiedDownloadFailsToCommitStartsANewDownload() throws Exception {
        get();
        Download download = started.get(0);
        receiveAll(download);

        Future<BlobSource> late = get();
        claims.release(download);
        download.fail(new IllegalStateException("disk full"));

        Await.until(() -> started.size() == 2);
        assertThat(claims.running(DIGEST)).contains(started.get(1));
        started.get(1).start(Files.write(dir.resolve("again"), BLOB), BLOB.length);
        assertThat(((BlobSource.Growing) Await.result(late)).blob()).isSameAs(started.get(1));
    }

    @Test
    void aReleasedClaimLeavesNothingInFlight() throws Exception {
        get();
        Download download = started.get(0);
        claims.release(download);
        download.fail(new IllegalStateException("not there"));

        assertThat(claims.size()).isZero();
        assertThat(claims.running(DIGEST)).isEmpty();
        get();
        assertThat(started).as("the next request starts anew").hasSize(2);
    }
}
