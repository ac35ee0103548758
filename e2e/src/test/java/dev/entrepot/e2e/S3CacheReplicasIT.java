package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageCopy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.RegistryAccessLog;
import dev.entrepot.e2e.support.S3Server;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three packaged proxies with {@code storage.type: s3} on one bucket of an embedded s3proxy, each with a remote
 * repository in front of the same docker-registry, share pull-through blobs through the bucket's {@code cache/}:
 * twenty concurrent cold clients spread over them cost the registry one GET of the blob; an image one pulled is
 * pulled byte-exact through another with no upstream blob GET; {@code kill -9} of the replica holding a blob's fetch
 * lease in the middle of its download lets another take over once the lease lapsed. Upstream GETs are counted in
 * the registry's own access log (and at the counting front before it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3CacheReplicasIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern CLAIM = Pattern.compile("(?:.+-)?(\\d+)-[0-9a-f]{8}-\\d+");
    private static Path work;
    private static S3Server s3;
    private static Upstream upstream;
    private static RegistryAccessLog registryLog;
    private static Image crowd;
    private static Image app;
    private static Image lease;
    private static List<EntrepotProxy> proxies;

    @BeforeAll
    static void setUp() throws Exception {
        work = WorkDirs.forClass(S3CacheReplicasIT.class);
        Files.createDirectories(work.resolve("pull"));
        s3 = TEARDOWN.add(S3Server.start(work.resolve("s3"), "entrepot"));
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        registryLog = RegistryAccessLog.of(upstream.registry());
        ProxyConfig config = s3.configure(ProxyConfig.hub(upstream.url().toString(), "1h"));
        List<CompletableFuture<EntrepotProxy>> starting = new ArrayList<>();
        for (String name : List.of("one", "two", "three")) {
            starting.add(CompletableFuture.supplyAsync(() -> EntrepotProxy.start(work.resolve(name), config)));
        }
        // meanwhile: the images, in the registry behind the front
        ImageGenerator images = upstream.images();
        crowd = images.image("crowd", "amd64", 32L << 20);
        upstream.push(crowd.manifest(), "library/crowd:1");
        app = images.image("app", "amd64", 300_000, 6_000_000);
        upstream.push(app.manifest(), "library/app:1");
        lease = images.image("lease", "amd64", 12L << 20);
        upstream.push(lease.manifest(), "library/lease:1");
        List<EntrepotProxy> started = new ArrayList<>();
        for (CompletableFuture<EntrepotProxy> proxy : starting) {
            started.add(TEARDOWN.add(proxy.get(120, TimeUnit.SECONDS)));
        }
        proxies = List.copyOf(started);
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    @Order(1)
    void twentyColdClientsOverThreeReplicasCostOneUpstreamGet() throws Exception {
        Layer layer = crowd.layers().get(0);
        String digest = layer.descriptor().digest();
        upstream.front().throttle(layer.descriptor().hex(), 16L << 20); // ~2 s: every client arrives while it runs

        int clients = 20;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<OciClient.Download>> downloads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                OciClient client = proxies.get(i % proxies.size()).client(); // one connection each
                downloads.add(pool.submit(() -> {
                    start.await();
                    return client.blob("hub/library/crowd", digest, TIMEOUT);
                }));
            }
            start.countDown();
            for (Future<OciClient.Download> download : downloads) {
                OciClient.Download result = download.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(result.complete(digest)).as("%s", result).isTrue();
                assertThat(result.bytes()).isEqualTo(layer.descriptor().size());
            }
        } finally {
            pool.shutdownNow();
        }

        int registryGets = settledGets(digest, 1);
        System.out.printf("S3CacheReplicasIT: %d cold clients over %d replicas -> %d upstream GET(s) of the %d-byte blob"
                        + " (registry access log), %d at the front%n", clients, proxies.size(), registryGets,
                layer.descriptor().size(), upstream.front().gets("/blobs/" + digest));
        assertThat(registryGets).as("registry GETs of %s, %s", digest, registryLog.entries()).isEqualTo(1);
        assertThat(upstream.front().gets("/blobs/" + digest)).as("%s", upstream.front().snapshot()).isEqualTo(1);
        Poll.until(Duration.ofSeconds(20), () -> s3.hasCachedBlob(digest), () -> digest + " in the bucket's cache/");
    }

    @Test
    @Order(2)
    void anImagePulledThroughOneIsPulledByteExactThroughAnotherWithoutUpstreamBlobGets() {
        Set<String> blobs = blobsOf(app);
        ImageCopy first = ImageCopy.dir(work.resolve("pull/one"));
        Skopeo.copyOk(proxies.get(0).ref("hub/library/app:1"), first.dirRef());
        assertThat(first.digests()).isEqualTo(digestsOf(app));
        for (String blob : blobs) {
            assertThat(settledGets(blob, 1)).as("registry GETs of %s", blob).isEqualTo(1);
        }

        ImageCopy second = ImageCopy.dir(work.resolve("pull/two"));
        Skopeo.copyOk(proxies.get(1).ref("hub/library/app:1"), second.dirRef());

        assertThat(second.manifest()).isEqualTo(layoutBlob(app.manifest().digest()));
        assertThat(second.digests()).as("every file hashes to its name").isEqualTo(digestsOf(app));
        Poll.sleep(Duration.ofMillis(500)); // the registry logs a request when it has answered it
        int added = 0;
        for (String blob : blobs) {
            added += registryLog.count("GET", "/blobs/" + blob) - 1;
            assertThat(s3.hasCachedBlob(blob)).as("%s in the bucket's cache/", blob).isTrue();
        }
        System.out.printf("S3CacheReplicasIT: skopeo pull through replica two after replica one -> %d additional"
                + " upstream blob GET(s) for %d blobs%n", added, blobs.size());
        assertThat(added).as("additional registry blob GETs, %s", registryLog.entries()).isZero();
    }

    @Test
    @Order(3)
    void killMinusNineOfTheLeaseHolderMidDownloadLetsAnotherReplicaTakeOver() throws Exception {
        Layer layer = lease.layers().get(0);
        String digest = layer.descriptor().digest();
        upstream.front().throttle(layer.descriptor().hex(), 1L << 20); // ~12 s: long enough to cut it in the middle

        EntrepotProxy first = proxies.get(2);
        CompletableFuture<OciClient.Download> cut = CompletableFuture.supplyAsync(
                () -> first.client().blob("hub/library/lease", digest, TIMEOUT));
        Poll.until(Duration.ofSeconds(20), () -> holder(digest) != null, () -> "a fetch lease on " + digest);
        EntrepotProxy holder = holder(digest);
        List<EntrepotProxy> others = proxies.stream().filter(p -> p != holder).toList();
        // a client of another replica waits for the holder meanwhile
        CompletableFuture<OciClient.Download> waiting = CompletableFuture.supplyAsync(
                () -> others.get(1).client().blob("hub/library/lease", digest, TIMEOUT));
        Poll.until(Duration.ofSeconds(20), () -> holder.tempFiles().stream().mapToLong(S3CacheReplicasIT::fileSize)
                .sum() > (2L << 20), () -> "2 MiB in the holder's download");

        holder.kill9();
        long killedNanos = System.nanoTime();
        upstream.front().clearFaults(); // the next fetch runs at full speed
        OciClient.Download cutOff = cut.get(30, TimeUnit.SECONDS);
        assertThat(cutOff.complete(digest)).as("the client of the killed holder saw the cut: %s", cutOff).isFalse();
        assertThat(s3.hasCachedBlob(digest)).isFalse();

        OciClient.Download retried = others.get(0).client().blob("hub/library/lease", digest, TIMEOUT);
        double seconds = (System.nanoTime() - killedNanos) / 1e9;
        OciClient.Download waited = waiting.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertThat(retried.complete(digest)).as("%s", retried).isTrue();
        assertThat(waited.complete(digest)).as("%s", waited).isTrue();
        int registryGets = settledGets(digest, 2);
        System.out.printf("S3CacheReplicasIT: lease holder killed mid-download -> a retry on another replica served"
                        + " after %.1f s; %d upstream GET(s) of the blob (registry access log), %d at the front%n",
                seconds, registryGets, upstream.front().gets("/blobs/" + digest));
        assertThat(seconds).as("seconds from the kill to the retry's last byte").isLessThan(45);
        assertThat(upstream.front().gets("/blobs/" + digest)).as("the cut fetch and the taker's, %s",
                upstream.front().snapshot()).isEqualTo(2);
        assertThat(s3.hasCachedBlob(digest)).isTrue();
    }

    /**
     * The proxy whose pid the one claim of {@code digest}'s fetch lease names ({@code [<host>-]<pid>-<random>-<n>}),
     * or null while there is none. Other names (the filesystem backend's files being written) are not claims.
     */
    private static EntrepotProxy holder(String digest) {
        List<String> claims = s3.fetchClaims(digest).stream().filter(c -> CLAIM.matcher(c).matches()).toList();
        if (claims.size() != 1) {
            return null;
        }
        Matcher claim = CLAIM.matcher(claims.get(0));
        long pid = claim.matches() ? Long.parseLong(claim.group(1)) : -1;
        return proxies.stream().filter(p -> p.isAlive() && p.pid() == pid)
                .findFirst().orElseThrow(() -> new AssertionError("no live proxy holds " + claims));
    }

    /**
     * The registry's GETs of {@code digest} once its access log has caught up (it logs a request when it has answered
     * it): {@code expected} lines or 30 s, then half a second more for any late one.
     */
    private static int settledGets(String digest, int expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (registryLog.count("GET", "/blobs/" + digest) < expected && System.nanoTime() < deadline) {
            Poll.sleep(Duration.ofMillis(100));
        }
        Poll.sleep(Duration.ofMillis(500));
        return registryLog.count("GET", "/blobs/" + digest);
    }

    private static Set<String> blobsOf(Image image) {
        Set<String> blobs = new TreeSet<>();
        blobs.add(image.config().digest());
        image.layers().forEach(l -> blobs.add(l.descriptor().digest()));
        return blobs;
    }

    private static Set<String> digestsOf(Image image) {
        Set<String> all = blobsOf(image);
        all.add(image.manifest().digest());
        return all;
    }

    private static byte[] layoutBlob(String digest) {
        try {
            return Files.readAllBytes(upstream.images().blobPath(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
