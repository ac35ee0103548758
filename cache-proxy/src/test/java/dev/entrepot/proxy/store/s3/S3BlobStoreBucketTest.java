package dev.entrepot.proxy.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobObjects;
import dev.entrepot.proxy.store.BlobWriter;
import dev.entrepot.proxy.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the S3 blob store does in the bucket: multipart uploads that stay invisible until the digest is verified,
 * clean-up of abandoned ones, Range reads, the local tier in front (hits, misses, eviction), prefixes and
 * virtual-hosted addressing. Objects are inspected with a client of the test's own.
 */
class S3BlobStoreBucketTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final int PART = (int) S3Settings.MIN_PART_SIZE;

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(System.currentTimeMillis());
    private final ExecutorService parts = Executors.newFixedThreadPool(2);
    private final List<Bucket> clients = new ArrayList<>();
    private S3Settings settings;
    private S3Client admin;
    private S3BlobStore store;

    @BeforeEach
    void createStore() throws IOException {
        settings = SERVER.newBucket();
        admin = SERVER.adminClient();
        store = open(settings, "local", 64L << 20);
    }

    @AfterEach
    void close() {
        parts.shutdownNow();
        clients.forEach(Bucket::close);
        admin.close();
    }

    private S3BlobStore open(S3Settings s, String localDir, long localMaxBytes) throws IOException {
        Bucket bucket = SERVER.connect(s);
        clients.add(bucket);
        return new S3BlobStore(bucket, "hosted/", root.resolve(localDir), localMaxBytes, clock, parts);
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void write(BlobWriter writer, byte[] content) throws IOException {
        for (int off = 0; off < content.length; off += 256 * 1024) {
            writer.write(ByteBuffer.wrap(content, off, Math.min(256 * 1024, content.length - off)));
        }
    }

    /** Keys of the objects in the bucket, without the filesystem backend's directories and upload parts. */
    private List<String> keys() {
        return admin.listObjectsV2Paginator(b -> b.bucket(settings.bucket())).contents().stream()
                .map(S3Object::key).filter(k -> !k.endsWith("/") && !k.startsWith(".mpus-") && !isUploadStub(k))
                .toList();
    }

    private boolean isUploadStub(String key) {
        return pendingUploads().stream().anyMatch(u -> u.uploadId().equals(key));
    }

    private List<MultipartUpload> pendingUploads() {
        return admin.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads();
    }

    private static String key(Digest digest) {
        return "hosted/blobs/" + digest.algorithm() + "/" + digest.hex();
    }

    @Test
    void aBlobOfSeveralPartsIsOneObjectUnderItsDigestOnceCommitted() throws IOException {
        byte[] content = content(2 * PART + 12_345, 1);
        Digest digest = Digest.sha256(content);

        try (BlobWriter writer = store.newWriter(digest)) {
            write(writer, content);
            assertThat(pendingUploads()).as("parts go up while the blob arrives").hasSize(1);
            assertThat(keys()).as("nothing visible before the commit").isEmpty();
            writer.commit();
        }

        assertThat(keys()).containsExactly(key(digest));
        assertThat(pendingUploads()).isEmpty();
        assertThat(admin.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key(digest))).asByteArray())
                .isEqualTo(content);
    }

    @Test
    void aDigestMismatchLeavesNoObjectAndNoPendingUpload() throws IOException {
        byte[] content = content(PART + 1_000, 2);
        Digest claimed = Digest.sha256(content(10, 3));

        try (BlobWriter writer = store.newWriter(claimed)) {
            write(writer, content);
            assertThat(pendingUploads()).hasSize(1);
            assertThatThrownBy(writer::commit).isInstanceOf(OciException.class);
        }

        assertThat(keys()).isEmpty();
        assertThat(pendingUploads()).isEmpty();
        assertThat(store.open(claimed)).isEmpty();
        assertThat(store.totalBytes()).isZero();
    }

    @Test
    void anAbandonedWriterAbortsItsUpload() throws IOException {
        byte[] content = content(PART + 10, 4);

        try (BlobWriter writer = store.newWriter(Digest.sha256(content))) {
            write(writer, content);
        }

        assertThat(keys()).isEmpty();
        assertThat(pendingUploads()).isEmpty();
    }

    @Test
    void uploadsACrashLeftAreAbortedOnceOldEnough() throws IOException {
        Digest digest = Digest.sha256(content(100, 5));
        String crashed = admin.createMultipartUpload(b -> b.bucket(settings.bucket()).key(key(digest))).uploadId();
        admin.uploadPart(b -> b.bucket(settings.bucket()).key(key(digest)).uploadId(crashed).partNumber(1),
                RequestBody.fromBytes(content(100, 5)));
        String foreign = admin.createMultipartUpload(b -> b.bucket(settings.bucket()).key("elsewhere/x")).uploadId();

        assertThat(store.abortAbandonedUploads(Duration.ofHours(1))).as("may belong to a live writer").isZero();
        clock.advance(Duration.ofHours(2));
        assertThat(store.abortAbandonedUploads(Duration.ofHours(1))).isEqualTo(1);

        assertThat(pendingUploads()).extracting(MultipartUpload::uploadId).containsExactly(foreign);
        assertThat(keys()).isEmpty();
    }

    @Test
    void rangesAreReadFromTheBucket() throws IOException {
        byte[] content = content(PART + 4_096, 6);
        Digest digest = Digest.sha256(content);
        try (BlobWriter writer = store.newWriter(digest)) {
            write(writer, content);
            writer.commit();
        }

        BlobObjects.ObjectBody middle = store.readObject(digest, PART - 10, 20).orElseThrow();
        assertThat(middle.length()).isEqualTo(20);
        try (InputStream in = middle.stream()) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, PART - 10, PART + 10));
        }
        BlobObjects.ObjectBody rest = store.readObject(digest, PART, -1).orElseThrow();
        assertThat(rest.length()).isEqualTo(content.length - PART);
        try (InputStream in = rest.stream()) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, PART, content.length));
        }
        assertThat(store.readObject(Digest.sha256(new byte[] {1}), 0, 1)).isEmpty();
        assertThat(store.objectSize(digest)).hasValue((long) content.length);
        assertThat(store.objectSize(Digest.sha256(new byte[] {1}))).isEmpty();
    }

    @Test
    void aLocalHitDoesNotNeedTheBucket() throws IOException {
        byte[] content = content(10_000, 7);
        Digest digest = Digest.sha256(content);
        store.put(digest, content);

        admin.deleteObject(b -> b.bucket(settings.bucket()).key(key(digest)));

        try (BlobLease lease = store.open(digest).orElseThrow()) {
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(content);
        }
    }

    @Test
    void aLocalMissIsFetchedFromTheBucketAndVerified() throws IOException {
        byte[] content = content(PART + 77, 8);
        Digest digest = Digest.sha256(content);
        try (BlobWriter writer = store.newWriter(digest)) {
            write(writer, content);
            writer.commit();
        }
        S3BlobStore replica = open(settings, "replica", 64L << 20);
        assertThat(replica.local().index().contains(digest)).isFalse();
        assertThat(replica.totalBytes()).as("its start-up listing counts the blob").isEqualTo(content.length);

        try (BlobLease lease = replica.open(digest).orElseThrow()) {
            assertThat(lease.size()).isEqualTo(content.length);
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(content);
        }
        assertThat(replica.local().index().contains(digest)).as("now in its local tier").isTrue();
    }

    @Test
    void concurrentReadersOfAMissingBlobAllGetIt() throws Exception {
        byte[] content = content(PART + 5, 19);
        Digest digest = Digest.sha256(content);
        store.put(digest, content);
        S3BlobStore replica = open(settings, "concurrent", 64L << 20);
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(readers.submit(() -> {
                    try (BlobLease lease = replica.open(digest).orElseThrow()) {
                        return Files.readAllBytes(lease.path());
                    }
                }));
            }
            for (Future<byte[]> read : reads) {
                assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(content);
            }
        } finally {
            readers.shutdownNow();
        }
        try (var temps = Files.list(root.resolve("concurrent/tmp"))) {
            assertThat(temps).as("no download left half-way").isEmpty();
        }
    }

    /** A tier smaller than what is read at once trims copies before their readers pin them: never a miss. */
    @Test
    void readersOfATierTooSmallForThemStillGetEveryBlob() throws Exception {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] content = content(20_000, 40 + i);
            store.put(Digest.sha256(content), content);
            blobs.add(content);
        }
        S3BlobStore tiny = open(settings, "tiny", 1);
        ExecutorService readers = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> reads = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                byte[] content = blobs.get(i % blobs.size());
                reads.add(readers.submit(() -> {
                    try (BlobLease lease = tiny.open(Digest.sha256(content)).orElseThrow(
                            () -> new AssertionError("a stored blob answered as missing"))) {
                        return Arrays.equals(Files.readAllBytes(lease.path()), content);
                    }
                }));
            }
            for (Future<Boolean> read : reads) {
                assertThat(read.get(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void anObjectThatDoesNotHashToItsKeyIsNotServed() throws IOException {
        byte[] content = content(1_000, 9);
        Digest digest = Digest.sha256(content);
        admin.putObject(b -> b.bucket(settings.bucket()).key(key(digest)), RequestBody.fromBytes(content(1_000, 10)));

        assertThat(store.open(digest)).isEmpty();
        assertThat(store.read(digest, 10_000)).isEmpty();
        assertThat(keys()).as("left for a person to look at").containsExactly(key(digest));
    }

    @Test
    void theLocalTierIsTrimmedLeastRecentlyUsedFirstAndRefilledFromTheBucket() throws IOException {
        S3BlobStore small = open(settings, "small", 25_000);
        byte[] a = content(10_000, 11);
        byte[] b = content(10_000, 12);
        byte[] c = content(10_000, 13);
        small.put(Digest.sha256(a), a);
        clock.advance(Duration.ofSeconds(1));
        small.put(Digest.sha256(b), b);
        clock.advance(Duration.ofSeconds(1));
        small.open(Digest.sha256(a)).orElseThrow().close(); // a is now more recent than b
        clock.advance(Duration.ofSeconds(1));
        small.put(Digest.sha256(c), c);

        assertThat(small.local().totalBytes()).isLessThanOrEqualTo(25_000);
        assertThat(small.local().index().contains(Digest.sha256(b))).as("least recently used").isFalse();
        assertThat(small.local().index().contains(Digest.sha256(a))).isTrue();
        assertThat(small.totalBytes()).as("the bucket keeps all three").isEqualTo(30_000);

        assertThat(small.read(Digest.sha256(b), 20_000)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(b));
        assertThat(small.local().totalBytes()).isLessThanOrEqualTo(25_000);
    }

    @Test
    void aBlobBeingReadIsNotTrimmedFromTheLocalTier() throws IOException {
        S3BlobStore small = open(settings, "pinned", 15_000);
        byte[] a = content(10_000, 14);
        byte[] b = content(10_000, 15);
        small.put(Digest.sha256(a), a);

        try (BlobLease reading = small.open(Digest.sha256(a)).orElseThrow()) {
            small.put(Digest.sha256(b), b);
            assertThat(Files.readAllBytes(reading.path())).isEqualTo(a);
        }
    }

    @Test
    void storesUnderDifferentPrefixesShareABucketWithoutSeeingEachOther() throws IOException {
        S3BlobStore one = open(settings.withPrefix("one"), "one", 1L << 20);
        S3BlobStore two = open(settings.withPrefix("two/"), "two", 1L << 20);
        byte[] content = content(500, 16);
        Digest digest = Digest.sha256(content);

        one.put(digest, content);

        assertThat(two.open(digest)).isEmpty();
        assertThat(keys()).containsExactly("one/" + key(digest));
        assertThat(open(settings.withPrefix("one/"), "one-again", 1L << 20).totalBytes()).isEqualTo(500);
    }

    @Test
    void virtualHostedAddressingReachesTheSameBucket() throws IOException {
        S3Settings virtualHosted = new S3Settings(settings.bucket(), settings.endpoint(), settings.region(), "",
                false, settings.accessKeyIdFile(), settings.secretAccessKeyFile(), null, null, 0);
        S3BlobStore hosted = open(virtualHosted, "virtual", 1L << 20);
        byte[] content = content(2_000, 17);
        Digest digest = Digest.sha256(content);

        hosted.put(digest, content);

        assertThat(keys()).containsExactly(key(digest));
        assertThat(hosted.presignedUrl(digest, Duration.ofMinutes(5)).getHost())
                .isEqualTo(settings.bucket() + ".localhost");
        assertThat(store.presignedUrl(digest, Duration.ofMinutes(5)).getPath())
                .isEqualTo("/" + settings.bucket() + "/" + key(digest));
    }

    @Test
    void linkingWithinTheBucketCopiesOnTheServerAndRemoveDeletes() throws IOException {
        S3BlobStore cache = new S3BlobStore(store.bucket(), "cache/", root.resolve("cache"), 1L << 20, clock, parts);
        byte[] content = content(3_000, 18);
        Digest digest = Digest.sha256(content);
        cache.put(digest, content);

        try (BlobLease lease = cache.open(digest).orElseThrow()) {
            store.linkFrom(lease, digest);
        }

        assertThat(keys()).containsExactlyInAnyOrder(key(digest), "cache/blobs/sha256/" + digest.hex());
        assertThat(store.list()).singleElement().satisfies(s -> assertThat(s.size()).isEqualTo(3_000));
        assertThat(store.remove(digest)).isTrue();
        assertThat(keys()).containsExactly("cache/blobs/sha256/" + digest.hex());
        assertThat(store.open(digest)).isEmpty();
    }
}
