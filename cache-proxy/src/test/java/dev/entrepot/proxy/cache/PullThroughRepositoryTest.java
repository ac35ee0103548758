package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.ManifestContent;
import dev.entrepot.proxy.oci.MediaTypes;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.oci.Reference;
import dev.entrepot.proxy.oci.ReferrersIndex;
import dev.entrepot.proxy.repository.BlobSource;
import dev.entrepot.proxy.repository.ImageEvent;
import dev.entrepot.proxy.repository.ManifestCache;
import dev.entrepot.proxy.repository.Page;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.MetadataStore;
import dev.entrepot.proxy.store.Revision;
import dev.entrepot.proxy.store.TagRecord;
import dev.entrepot.proxy.store.fs.FsBlobStore;
import dev.entrepot.proxy.store.fs.FsMetadataStore;
import dev.entrepot.proxy.testing.Await;
import dev.entrepot.proxy.testing.BlobServer;
import dev.entrepot.proxy.testing.MutableClock;
import dev.entrepot.proxy.upstream.UpstreamClient.Body;
import dev.entrepot.proxy.upstream.UpstreamClient.Manifest;
import dev.entrepot.proxy.upstream.UpstreamException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PullThroughRepositoryTest {
    private static final String REPO = "dockerhub";
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final ImageName NGINX = new ImageName("library/nginx");
    private static final Duration NOT_FOUND_TTL = Duration.ofSeconds(10);
    private static final Reference LATEST = new Reference.Tag("latest");

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final FakeUpstream upstream = new FakeUpstream();
    private Vertx vertx;
    private ExecutorService disk;
    private FsBlobStore blobs;
    private RecordingMetadata metadata;
    private SimpleMeterRegistry registry;
    private ProxyMetrics metrics;
    private InflightFetches fetches;
    private PullThroughRepository repository;
    private final List<ImageEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        vertx = Vertx.vertx();
        disk = Executors.newFixedThreadPool(2);
        blobs = new FsBlobStore(root, clock, (digest, size) -> { });
        metadata = new RecordingMetadata(new FsMetadataStore(root, blobs, Clock.systemUTC()));
        registry = new SimpleMeterRegistry();
        metrics = new ProxyMetrics(registry);
        fetches = new InflightFetches(vertx, blobs, disk, metrics, digest -> { });
        repository = newRepository();
    }

    @AfterEach
    void tearDown() throws Exception {
        Await.result(vertx.close());
        disk.shutdownNow();
    }

    /** A repository over the same disk with an empty memory cache, as after a restart. */
    private PullThroughRepository newRepository() {
        CacheStores stores = new CacheStores(blobs, metadata, fetches, new ManifestCache(16 << 20, metrics), vertx, clock,
                events::add);
        return new PullThroughRepository(new Upstream(REPO, true, upstream, new FreshnessPolicy(TTL, NOT_FOUND_TTL),
                metrics.repository(REPO)), stores);
    }

    private static byte[] manifest(String version) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{},\"layers\":[],"
                + "\"annotations\":{\"version\":\"" + version + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private double requests(String kind, String result) {
        return registry.get(ProxyMetrics.REQUESTS).tags("repository", REPO, "kind", kind, "result", result)
                .counter().count();
    }

    private OciException ociFailure(Future<?> future) throws Exception {
        Throwable failure = Await.failure(future);
        assertThat(failure).isInstanceOf(OciException.class);
        return (OciException) failure;
    }

    private ManifestContent latest() throws Exception {
        return Await.result(repository.manifest(NGINX, LATEST));
    }

    // ---- manifests by tag ----

    @Test
    void aTagMissIsFetchedVerifiedAndStored() throws Exception {
        byte[] v1 = manifest("1");
        Digest digest = upstream.putManifest(NGINX, "latest", v1, MediaTypes.OCI_MANIFEST);

        ManifestContent content = latest();

        assertThat(content.digest()).isEqualTo(digest);
        assertThat(content.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(content.bytes()).isEqualTo(v1);
        assertThat(upstream.manifestGets).hasValue(1);
        assertThat(upstream.manifestHeads).hasValue(0);
        assertThat(metadata.tag(REPO, NGINX, "latest")).contains(new TagRecord(digest, clock.instant()));
        assertThat(metadata.manifest(REPO, NGINX, digest)).hasValueSatisfying(m -> {
            assertThat(m.bytes()).isEqualTo(v1);
            assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        });
        assertThat(requests("manifest", "miss")).isEqualTo(1);
        assertThat(requests("manifest", "hit")).isZero();
    }

    @Test
    void withinTheTtlATagIsAHitWithoutAskingUpstream() throws Exception {
        upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        ManifestContent first = latest();
        clock.advance(TTL.minusMillis(1));

        ManifestContent second = latest();

        assertThat(second).isSameAs(first);
        assertThat(upstream.manifestGets).hasValue(1);
        assertThat(upstream.manifestHeads).hasValue(0);
        assertThat(requests("manifest", "hit")).isEqualTo(1);
        assertThat(requests("manifest", "miss")).isEqualTo(1);
    }

    @Test
    void afterTheTtlAnUnchangedTagIsRevalidatedWithAHeadOnly() throws Exception {
        Digest digest = upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        latest();
        clock.advance(TTL);

        ManifestContent revalidated = latest();

        assertThat(revalidated.digest()).isEqualTo(digest);
        assertThat(upstream.manifestHeads).hasValue(1);
        assertThat(upstream.manifestGets).hasValue(1);
        assertThat(requests("manifest", "hit")).isEqualTo(1);

        clock.advance(TTL.minusMillis(1));
        latest();
        assertThat(upstream.manifestHeads).as("fresh again for a whole TTL").hasValue(1);

        clock.advance(Duration.ofMillis(1));
        latest();
        assertThat(upstream.manifestHeads).hasValue(2);
        assertThat(upstream.manifestGets).hasValue(1);
    }

    @Test
    void afterTheTtlAMovedTagIsFetchedAgain() throws Exception {
        upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        latest();
        byte[] v2 = manifest("2");
        Digest moved = upstream.putManifest(NGINX, "latest", v2, MediaTypes.OCI_MANIFEST);
        clock.advance(TTL.plusMinutes(1));

        ManifestContent content = latest();

        assertThat(content.digest()).isEqualTo(moved);
        assertThat(content.bytes()).isEqualTo(v2);
        assertThat(upstream.manifestHeads).hasValue(1);
        assertThat(upstream.manifestGets).hasValue(2);
        assertThat(metadata.tag(REPO, NGINX, "latest").map(TagRecord::digest)).contains(moved);
        assertThat(requests("manifest", "miss")).isEqualTo(2);

        // the new digest was cached on the way: asking for it costs nothing
        assertThat(Await.result(repository.manifest(NGINX, new Reference.ByDigest(moved))).bytes()).isEqualTo(v2);
        assertThat(upstream.manifestGets).hasValue(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 500, 503, 429})
    void anUnwellUpstreamAfterTheTtlGetsTheStaleTag(int status) throws Exception {
        Digest digest = upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        latest();
        clock.advance(TTL.plusSeconds(1));
        upstream.failWith(new UpstreamException(status, "upstream is unwell (" + status + ")"));

        ManifestContent stale = latest();

        assertThat(stale.digest()).isEqualTo(digest);
        assertThat(requests("manifest", "stale")).isEqualTo(1);
        assertThat(requests("manifest", "error")).isZero();
        assertThat(metadata.removedTags).isEmpty();
    }

    @Test
    void aStaleTagIsServedFromDiskAfterARestart() throws Exception {
        Digest digest = upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        latest();
        repository = newRepository();
        clock.advance(Duration.ofDays(3));
        upstream.failWith(new UpstreamException(0, "connection refused"));

        assertThat(latest().digest()).isEqualTo(digest);
        assertThat(requests("manifest", "stale")).isEqualTo(1);
    }

    @Test
    void afterARestartAFreshTagIsReadFromDisk() throws Exception {
        byte[] v1 = manifest("1");
        Digest digest = upstream.putManifest(NGINX, "latest", v1, MediaTypes.OCI_MANIFEST);
        latest();
        repository = newRepository();
        clock.advance(Duration.ofMinutes(1));

        ManifestContent content = latest();

        assertThat(content.digest()).isEqualTo(digest);
        assertThat(content.bytes()).isEqualTo(v1);
        assertThat(upstream.manifestGets).hasValue(1);
        assertThat(upstream.manifestHeads).hasValue(0);
        assertThat(requests("manifest", "hit")).isEqualTo(1);
    }

    @Test
    void aTagDeletedUpstreamIsForgotten() throws Exception {
        upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        latest();
        upstream.removeManifest(NGINX, "latest");
        clock.advance(TTL);

        OciException e = ociFailure(repository.manifest(NGINX, LATEST));

        assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(e.status()).isEqualTo(404);
        assertThat(metadata.tagRemoved.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(NGINX + ":latest");
        assertThat(metadata.tag(REPO, NGINX, "latest")).isEmpty();
        assertThat(requests("manifest", "error")).isEqualTo(1);
        assertThat(requests("manifest", "stale")).isZero();

        // the memory cache forgot it too: once the upstream's "not found" is no longer believed, it is asked again
        int gets = upstream.manifestGets.get();
        ociFailure(repository.manifest(NGINX, LATEST));
        assertThat(upstream.manifestGets.get()).as("within notFoundTtl").isEqualTo(gets);
        clock.advance(NOT_FOUND_TTL.plusSeconds(1));
        ociFailure(repository.manifest(NGINX, LATEST));
        assertThat(upstream.manifestGets.get()).isEqualTo(gets + 1);
    }

    @Test
    void aRefusalAfterTheTtlIsPassedOnButTheTagKept() throws Exception {
        upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        latest();
        clock.advance(TTL);
        upstream.failWith(new UpstreamException(401, "upstream answered 401"));

        OciException e = ociFailure(repository.manifest(NGINX, LATEST));

        assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(requests("manifest", "stale")).isZero();
        assertThat(metadata.removedTags).isEmpty();
        assertThat(metadata.tag(REPO, NGINX, "latest")).isPresent();
    }

    @Test
    void concurrentRequestsForOneTagShareOneUpstreamGet() throws Exception {
        Digest digest = upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        Promise<Void> answer = Promise.promise();
        upstream.holdManifestGets(answer.future());

        List<Future<ManifestContent>> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiting.add(repository.manifest(NGINX, LATEST));
        }
        assertThat(waiting).noneMatch(Future::isComplete);
        answer.complete();

        for (Future<ManifestContent> f : waiting) {
            assertThat(Await.result(f).digest()).isEqualTo(digest);
        }
        assertThat(upstream.manifestGets).hasValue(1);
        assertThat(requests("manifest", "miss")).isEqualTo(10);
    }

    @Test
    void aManifestNotMatchingItsDigestHeaderIsNotCached() throws Exception {
        byte[] v1 = manifest("1");
        Digest claimed = Digest.sha256(manifest("other"));
        upstream.putRaw(NGINX, "latest", new Manifest(v1, MediaTypes.OCI_MANIFEST, claimed.toString()));

        OciException e = ociFailure(repository.manifest(NGINX, LATEST));

        assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
        assertThat(e.status()).isEqualTo(502);
        assertThat(metadata.tag(REPO, NGINX, "latest")).isEmpty();
        assertThat(metadata.manifest(REPO, NGINX, Digest.sha256(v1))).isEmpty();
        assertThat(metadata.manifest(REPO, NGINX, claimed)).isEmpty();

        Digest honest = upstream.putManifest(NGINX, "latest", v1, MediaTypes.OCI_MANIFEST);
        assertThat(latest().digest()).isEqualTo(honest);
        assertThat(upstream.manifestGets).hasValue(2);
    }

    @Test
    void aMissWithTheUpstreamDownIsUnavailable() throws Exception {
        upstream.failWith(new UpstreamException(0, "connection refused"));

        OciException e = ociFailure(repository.manifest(NGINX, LATEST));

        assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(e.status()).isEqualTo(503);
        assertThat(requests("manifest", "error")).isEqualTo(1);
    }

    @Test
    void aRateLimitWithNothingCachedIsTooManyRequests() throws Exception {
        upstream.failWith(new UpstreamException(429, "upstream answered 429", Duration.ofSeconds(30)));

        OciException e = ociFailure(repository.manifest(NGINX, LATEST));

        assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.headers()).containsEntry("Retry-After", "30");
    }

    @Test
    void anUnknownTagIsManifestUnknown() throws Exception {
        OciException e = ociFailure(repository.manifest(NGINX, new Reference.Tag("nope")));

        assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        assertThat(e.status()).isEqualTo(404);
    }

    // ---- manifests by digest ----

    @Test
    void aDigestIsNeverRevalidated() throws Exception {
        byte[] v1 = manifest("1");
        Digest digest = upstream.putManifest(NGINX, "latest", v1, MediaTypes.OCI_MANIFEST);
        Reference byDigest = new Reference.ByDigest(digest);
        assertThat(Await.result(repository.manifest(NGINX, byDigest)).bytes()).isEqualTo(v1);
        clock.advance(Duration.ofDays(30));
        upstream.failWith(new UpstreamException(503, "down"));

        assertThat(Await.result(repository.manifest(NGINX, byDigest)).bytes()).isEqualTo(v1);
        repository = newRepository();
        assertThat(Await.result(repository.manifest(NGINX, byDigest)).bytes()).isEqualTo(v1);

        assertThat(upstream.manifestGets).hasValue(1);
        assertThat(upstream.manifestHeads).hasValue(0);
        assertThat(requests("manifest", "miss")).isEqualTo(1);
        assertThat(requests("manifest", "hit")).isEqualTo(2);
        assertThat(metadata.tag(REPO, NGINX, "latest")).as("a digest pull names no tag").isEmpty();
    }

    @Test
    void aManifestFetchedByDigestMustHashToIt() throws Exception {
        Digest wanted = Digest.sha256(manifest("1"));
        upstream.putRaw(NGINX, wanted.toString(), new Manifest(manifest("2"), MediaTypes.OCI_MANIFEST, null));

        OciException e = ociFailure(repository.manifest(NGINX, new Reference.ByDigest(wanted)));

        assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
        assertThat(metadata.manifest(REPO, NGINX, wanted)).isEmpty();
    }

    // ---- blobs ----

    @Test
    void aBlobIsDownloadedOnceThenServedFromTheStore() throws Exception {
        BlobServer server = BlobServer.start(vertx);
        byte[] layer = "layer bytes".repeat(1000).getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(layer);
        server.serve("/layer", layer);
        upstream.putBlob(digest, layer.length, () -> server.open("/layer"));

        BlobSource first = Await.result(repository.blob(NGINX, digest));
        assertThat(first).isInstanceOf(BlobSource.Growing.class);
        Await.result(((BlobSource.Growing) first).blob().done());
        BlobSource second = Await.result(repository.blob(NGINX, digest));

        assertThat(second).isInstanceOf(BlobSource.Stored.class);
        try (BlobLease lease = ((BlobSource.Stored) second).lease()) {
            assertThat(Files.readAllBytes(lease.path())).isEqualTo(layer);
        }
        assertThat(upstream.blobOpens).hasValue(1);
        assertThat(requests("blob", "miss")).isEqualTo(1);
        assertThat(requests("blob", "hit")).isEqualTo(1);
        assertThat(Await.result(repository.blobSize(NGINX, digest))).isEqualTo(layer.length);
        assertThat(upstream.blobHeads).hasValue(0);
    }

    @Test
    void anUnknownBlobIsBlobUnknown() throws Exception {
        Digest digest = Digest.sha256(new byte[] {1});

        OciException e = ociFailure(repository.blob(NGINX, digest));

        assertThat(e.code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN);
        assertThat(e.status()).isEqualTo(404);
        assertThat(requests("blob", "error")).isEqualTo(1);
        assertThat(fetches.inflight()).isZero();
    }

    @Test
    void aBlobWithTheUpstreamDownIsUnavailable() throws Exception {
        upstream.failWith(new UpstreamException(0, "connection refused"));

        OciException e = ociFailure(repository.blob(NGINX, Digest.sha256(new byte[] {2})));

        assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(e.status()).isEqualTo(503);
    }

    @Test
    void theSizeOfAnUncachedBlobComesFromAHead() throws Exception {
        Digest digest = Digest.sha256(new byte[] {3});
        upstream.putBlob(digest, 12_345, () -> Future.failedFuture(new AssertionError("no GET expected")));

        assertThat(Await.result(repository.blobSize(NGINX, digest))).isEqualTo(12_345L);
        assertThat(upstream.blobHeads).hasValue(1);
        assertThat(upstream.blobOpens).hasValue(0);

        OciException e = ociFailure(repository.blobSize(NGINX, Digest.sha256(new byte[] {4})));
        assertThat(e.code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN);
    }

    @Test
    void anUpstreamThatDoesNotTellTheSizeIsABadGateway() throws Exception {
        Digest digest = Digest.sha256(new byte[] {5});
        upstream.putBlob(digest, -1, () -> Future.failedFuture(new AssertionError("no GET expected")));

        OciException e = ociFailure(repository.blobSize(NGINX, digest));

        assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(e.status()).isEqualTo(502);
    }

    // ---- tags ----

    @Test
    void tagsComeFromTheUpstream() throws Exception {
        upstream.putBody(NGINX, "tags/list", FakeUpstream.json("{\"name\":\"library/nginx\",\"tags\":[\"1.0\",\"1.1\"]}",
                "</v2/library/nginx/tags/list?n=2&last=1.1>; rel=\"next\""));

        Page page = Await.result(repository.tags(NGINX, 2, "0.9"));

        assertThat(page).isEqualTo(new Page(List.of("1.0", "1.1"), true));
        assertThat(upstream.gets).containsExactly("tags/list?n=2&last=0.9");
        assertThat(requests("tags", "miss")).isEqualTo(1);
    }

    @Test
    void tagsWithoutPaginationAskForEverything() throws Exception {
        upstream.putBody(NGINX, "tags/list", FakeUpstream.json("{\"tags\":[\"a\"]}", null));

        assertThat(Await.result(repository.tags(NGINX, null, null))).isEqualTo(new Page(List.of("a"), false));
        assertThat(upstream.gets).containsExactly("tags/list");
    }

    @Test
    void withTheUpstreamDownTagsFallBackToTheLocalOnes() throws Exception {
        upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        upstream.putManifest(NGINX, "1.0", manifest("0"), MediaTypes.OCI_MANIFEST);
        latest();
        Await.result(repository.manifest(NGINX, new Reference.Tag("1.0")));
        upstream.failWith(new UpstreamException(503, "down"));

        assertThat(Await.result(repository.tags(NGINX, null, null)))
                .isEqualTo(new Page(List.of("1.0", "latest"), false));
        assertThat(Await.result(repository.tags(NGINX, 1, null))).isEqualTo(new Page(List.of("1.0"), true));
        assertThat(Await.result(repository.tags(NGINX, 1, "1.0"))).isEqualTo(new Page(List.of("latest"), false));
        assertThat(requests("tags", "stale")).isEqualTo(3);
    }

    @Test
    void withTheUpstreamDownAndNoLocalTagsTagsAreUnavailable() throws Exception {
        upstream.failWith(new UpstreamException(0, "connection refused"));

        OciException e = ociFailure(repository.tags(NGINX, null, null));

        assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
        assertThat(requests("tags", "error")).isEqualTo(1);
    }

    @Test
    void anImageUnknownUpstreamHasNoTagsEvenIfSomeAreLocal() throws Exception {
        upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        latest();

        OciException e = ociFailure(repository.tags(NGINX, null, null));

        assertThat(e.code()).isEqualTo(OciErrorCode.NAME_UNKNOWN);
        assertThat(requests("tags", "error")).isEqualTo(1);
        assertThat(requests("tags", "stale")).isZero();
    }

    // ---- referrers, catalog ----

    @Test
    void referrersComeFromTheUpstreamAndAreFilteredHere() throws Exception {
        Digest subject = Digest.sha256(manifest("1"));
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + descriptor("sig", "application/vnd.example.sig") + "," + descriptor("sbom", "application/spdx+json")
                + "]}";
        upstream.putBody(NGINX, "referrers/" + subject, new Body(200,
                MediaTypes.OCI_INDEX + "; charset=utf-8", null, Buffer.buffer(index)));

        ManifestContent all = Await.result(repository.referrers(NGINX, subject, null));
        ManifestContent sigs = Await.result(repository.referrers(NGINX, subject, "application/vnd.example.sig"));

        assertThat(all.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(artifactTypes(all)).containsExactly("application/vnd.example.sig", "application/spdx+json");
        assertThat(artifactTypes(sigs)).as("filtered even if the upstream ignored the filter")
                .containsExactly("application/vnd.example.sig");
        assertThat(sigs.digest()).isEqualTo(Digest.sha256(sigs.bytes()));
        assertThat(upstream.gets).containsExactly("referrers/" + subject,
                "referrers/" + subject + "?artifactType=application%2Fvnd.example.sig");
    }

    @Test
    void anUpstreamWithoutTheReferrersApiGivesAnEmptyIndex() throws Exception {
        ManifestContent referrers = Await.result(repository.referrers(NGINX, Digest.sha256(manifest("1")), null));

        assertThat(referrers.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(artifactTypes(referrers)).isEmpty();
    }

    @Test
    void anUpstreamWithoutTheReferrersApiIsAskedForTheReferrersTag() throws Exception {
        Digest subject = Digest.sha256(manifest("1"));
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + descriptor("sig", "application/vnd.example.sig") + "]}").getBytes(StandardCharsets.UTF_8);
        upstream.putManifest(NGINX, "sha256-" + subject.hex(), index, MediaTypes.OCI_INDEX);

        ManifestContent referrers = Await.result(repository.referrers(NGINX, subject, null));
        ManifestContent filtered = Await.result(repository.referrers(NGINX, subject, "application/other"));

        assertThat(artifactTypes(referrers)).containsExactly("application/vnd.example.sig");
        assertThat(artifactTypes(filtered)).isEmpty();
    }

    private static String descriptor(String seed, String artifactType) {
        return "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\""
                + Digest.sha256(seed.getBytes(StandardCharsets.UTF_8)) + "\",\"size\":10,\"artifactType\":\""
                + artifactType + "\"}";
    }

    private static List<String> artifactTypes(ManifestContent index) {
        return ReferrersIndex.descriptors(index.bytes()).stream().map(d -> d.path("artifactType").asText()).toList();
    }

    @Test
    void theCatalogListsCachedImages() throws Exception {
        ImageName redis = new ImageName("bitnami/redis");
        upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);
        upstream.putManifest(redis, "7", manifest("r"), MediaTypes.OCI_MANIFEST);
        latest();
        Await.result(repository.manifest(redis, new Reference.Tag("7")));

        assertThat(Await.result(repository.catalog())).containsExactly("bitnami/redis", "library/nginx");
    }

    @Test
    void dockerHubSingleSegmentNamesAreAskedUnderLibrary() throws Exception {
        Digest digest = upstream.putManifest(NGINX, "latest", manifest("1"), MediaTypes.OCI_MANIFEST);

        upstream.putBody(NGINX, "tags/list", FakeUpstream.json("{\"name\":\"library/nginx\",\"tags\":[\"latest\"]}", null));

        ManifestContent viaShortName = Await.result(repository.manifest(new ImageName("nginx"), new Reference.Tag("latest")));
        Page tags = Await.result(repository.tags(new ImageName("nginx"), null, null));

        assertThat(viaShortName.digest()).isEqualTo(digest);
        assertThat(Await.result(repository.catalog())).containsExactly("library/nginx");
        assertThat(tags.items()).containsExactly("latest");
    }

    @Test
    void aMissingTagIsBelievedMissingForNotFoundTtlThenAskedAgain() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(ociFailure(repository.manifest(NGINX, new Reference.Tag("typo"))).code())
                    .isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
        }
        assertThat(upstream.manifestGets.get()).as("one upstream request for ten 404s").isEqualTo(1);

        clock.advance(NOT_FOUND_TTL.plusSeconds(1));
        Digest now = upstream.putManifest(NGINX, "typo", manifest("late"), MediaTypes.OCI_MANIFEST);

        assertThat(Await.result(repository.manifest(NGINX, new Reference.Tag("typo"))).digest()).isEqualTo(now);
    }

    @Test
    void identity() {
        assertThat(repository.name()).isEqualTo(REPO);
        assertThatThrownBy(repository::pushable).isInstanceOf(OciException.class)
                .hasMessageContaining("pull-through cache").extracting(e -> ((OciException) e).code())
                .isEqualTo(OciErrorCode.UNSUPPORTED);
    }

    /** The real store, telling the test when a tag was removed (that happens in the background). */
    private static final class RecordingMetadata implements MetadataStore {
        private final MetadataStore delegate;
        final List<String> removedTags = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> tagRemoved = new CompletableFuture<>();

        RecordingMetadata(MetadataStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<ManifestContent> manifest(String repository, ImageName name, Digest digest) throws IOException {
            return delegate.manifest(repository, name, digest);
        }

        @Override
        public void putManifest(String repository, ImageName name, ManifestContent manifest) throws IOException {
            delegate.putManifest(repository, name, manifest);
        }

        @Override
        public Optional<ManifestContent> peekManifest(String repository, ImageName name, Digest digest)
                throws IOException {
            return delegate.peekManifest(repository, name, digest);
        }

        @Override
        public List<Revision> revisions(String repository, ImageName name) throws IOException {
            return delegate.revisions(repository, name);
        }

        @Override
        public void deleteManifest(String repository, ImageName name, Digest digest) throws IOException {
            delegate.deleteManifest(repository, name, digest);
        }

        @Override
        public Optional<TagRecord> tag(String repository, ImageName name, String tag) throws IOException {
            return delegate.tag(repository, name, tag);
        }

        @Override
        public void putTag(String repository, ImageName name, String tag, TagRecord record) throws IOException {
            delegate.putTag(repository, name, tag, record);
        }

        @Override
        public void removeTag(String repository, ImageName name, String tag) throws IOException {
            delegate.removeTag(repository, name, tag);
            removedTags.add(name + ":" + tag);
            tagRemoved.complete(name + ":" + tag);
        }

        @Override
        public List<String> tags(String repository, ImageName name) throws IOException {
            return delegate.tags(repository, name);
        }

        @Override
        public List<String> names(String repository) throws IOException {
            return delegate.names(repository);
        }
    }
}
