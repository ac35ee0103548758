package dev.entrepot.e2e.bench;

import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.S3Server;
import dev.entrepot.e2e.support.Teardown;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Warm blob GETs of a standard (hosted) repository from three proxies: one with the filesystem store, one with the S3
 * store whose local tier holds every blob (they were pushed through it), and one on the same bucket whose local tier
 * is {@code Knobs.missTier} bytes, so what it serves was not in its tier when asked for. wrk over one big blob and
 * over many small ones, each case against each store in turn, round after round; then single curl GETs of a big blob
 * (time to first byte and total). s3proxy counts the bucket requests each case cost.
 */
final class WarmBlobs {
    private static final String NAME = "team/bench";

    enum Store {
        FS("filesystem store"), TIER("S3 store, local tier hit"), MISS("S3 store, local tier miss");

        final String title;

        Store(String title) {
            this.title = title;
        }
    }

    record Blob(String digest, long size, Path file) {
        String path() {
            return "/v2/" + NAME + "/blobs/" + digest;
        }
    }

    /** One wrk case: which blobs, how many connections. */
    record Case(boolean big, int connections) {
    }

    /** The figures of one case against one store, over the rounds. */
    static final class Figures {
        final Spread mibs = new Spread();
        final Spread rps = new Spread();
        final Spread p50 = new Spread();
        final Spread p99 = new Spread();
        final Map<String, Long> errors = new java.util.TreeMap<>();
        long requests;
        long blobGets;
        long otherCalls;
    }

    /** Single GETs of a big blob against one store. */
    static final class Single {
        final Spread ttfb = new Spread();
        final Spread total = new Spread();
        final Spread mibs = new Spread();
        final TreeSet<Long> blobGets = new TreeSet<>();
        int gets;
        int right;
    }

    private final Knobs knobs;
    private final Path work;
    private final Wrk wrk;
    private final Map<Store, EntrepotProxy> proxies = new LinkedHashMap<>();
    private final Map<String, Figures> figures = new LinkedHashMap<>();
    private final Map<Store, Single> singles = new LinkedHashMap<>();
    private BucketCounter bucket;
    private List<Blob> big;
    private List<Blob> small;
    private int nextMissBlob;

    WarmBlobs(Knobs knobs, Path work) {
        this.knobs = knobs;
        this.work = work;
        this.wrk = new Wrk(work.resolve("wrk"));
    }

    void run(PrintStream out) throws Exception {
        try (Teardown teardown = new Teardown()) {
            S3Bench.log("warm: writing " + knobs.bigCount() + " × " + knobs.bigMib() + " MiB and " + knobs.smallCount()
                    + " × " + knobs.smallMib() + " MiB random blobs");
            big = generate("big", knobs.bigCount(), (long) knobs.bigMib() << 20);
            small = generate("small", knobs.smallCount(), (long) knobs.smallMib() << 20);
            AtomicReference<BucketCounter> counter = new AtomicReference<>();
            S3Server s3 = teardown.add(S3Server.start(work.resolve("s3"), "entrepot", backend -> {
                counter.set(new BucketCounter(backend));
                return counter.get();
            }));
            bucket = counter.get();
            startProxies(s3, teardown);
            // s3proxy's upload path runs at tens of MiB/s here: the bucket gets the blob objects straight from the
            // benchmark, and the pushes through the proxy (which verifies each body) find them and only link them
            S3Bench.log("warm: seeding the bucket, then pushing the blobs (filesystem store: 1 big and the small ones;"
                    + " S3 store: all)");
            for (Blob blob : concat(big, small)) {
                s3.seedBlob(blob.digest(), blob.file());
            }
            CompletableFuture<Void> fs = CompletableFuture.runAsync(() ->
                    push(proxies.get(Store.FS), concat(List.of(big.get(0)), small)));
            push(proxies.get(Store.TIER), concat(big, small));
            fs.get();

            S3Bench.log("warm: wrk warm-up");
            for (Store store : Store.values()) {
                for (Case c : List.of(new Case(true, 4), new Case(false, 4))) {
                    wrk.run(base(store), paths(store, c), knobs.threads(), c.connections(), 1);
                    settle();
                }
            }
            List<Case> cases = cases();
            for (int round = 0; round < knobs.rounds(); round++) {
                List<Store> order = rotated(round);
                S3Bench.log("warm: round " + (round + 1) + "/" + knobs.rounds() + ", stores in the order " + order);
                for (Case c : cases) {
                    for (Store store : order) {
                        if (applies(store, c)) {
                            measure(store, c);
                        }
                    }
                }
                for (Store store : order) {
                    for (int i = 0; i < knobs.ttfbGets(); i++) {
                        single(store);
                    }
                }
            }
        }
        print(out);
    }

    private void startProxies(S3Server s3, Teardown teardown) throws Exception {
        long everything = (long) knobs.bigCount() * knobs.bigMib() + (long) knobs.smallCount() * knobs.smallMib();
        Map<Store, ProxyConfig> configs = new LinkedHashMap<>();
        configs.put(Store.FS, new ProxyConfig().standard("team", false, null));
        // partSize: the default of the README rather than the tests' smallest parts (faster pushes of the big blobs)
        configs.put(Store.TIER, s3.configure(new ProxyConfig().standard("team", false, null))
                .s3Setting("partSize", "16Mi").s3LocalCacheSize((everything + 1024) + "Mi"));
        configs.put(Store.MISS, s3.configure(new ProxyConfig().standard("team", false, null))
                .s3Setting("partSize", "16Mi").s3LocalCacheSize(knobs.missTier()));
        Map<Store, CompletableFuture<EntrepotProxy>> starting = new LinkedHashMap<>();
        configs.forEach((store, config) -> starting.put(store, CompletableFuture.supplyAsync(() ->
                EntrepotProxy.start(work.resolve(store.name().toLowerCase()), config, knobs.proxyJvm()))));
        for (Map.Entry<Store, CompletableFuture<EntrepotProxy>> proxy : starting.entrySet()) {
            proxies.put(proxy.getKey(), teardown.add(proxy.getValue().get(120, TimeUnit.SECONDS)));
        }
    }

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        new TreeSet<>(concat(knobs.connections(), knobs.missBigConnections()))
                .forEach(c -> cases.add(new Case(true, c)));
        knobs.connections().forEach(c -> cases.add(new Case(false, c)));
        return cases;
    }

    /** The local-tier miss on the big blob only at the connections its blobs allow (twice as many blobs). */
    private boolean applies(Store store, Case c) {
        if (c.big()) {
            return store == Store.MISS ? knobs.missBigConnections().contains(c.connections())
                    : knobs.connections().contains(c.connections());
        }
        return true;
    }

    private List<Store> rotated(int round) {
        List<Store> order = new ArrayList<>(List.of(Store.values()));
        java.util.Collections.rotate(order, -round);
        return order;
    }

    private String base(Store store) {
        return proxies.get(store).url().toString();
    }

    /** The big blob for the stores that keep it; every big blob in turn for the miss; every small blob for all. */
    private List<String> paths(Store store, Case c) {
        List<Blob> blobs = !c.big() ? small : store == Store.MISS ? big : List.of(big.get(0));
        return blobs.stream().map(Blob::path).toList();
    }

    /**
     * Until the proxies are done with what the last case left (requests of closed connections still queued for a
     * worker thread, downloads from the bucket): no bucket request for half a second and no download in a local tier.
     */
    private void settle() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long seen = -1;
        while (System.nanoTime() < deadline) {
            long now = BucketCounter.total(Map.of(), bucket.snapshot());
            boolean downloading = proxies.values().stream()
                    .anyMatch(p -> !EntrepotProxy.regularFiles(p.storage().resolve("hosted-s3/tmp")).isEmpty());
            if (now == seen && !downloading) {
                return;
            }
            seen = now;
            Poll.sleep(Duration.ofMillis(500));
        }
        S3Bench.log("  (the proxies were still busy after 60 s)");
    }

    private void measure(Store store, Case c) {
        settle();
        Map<String, Long> before = bucket.snapshot();
        Wrk.Result result = wrk.run(base(store), paths(store, c), knobs.threads(), c.connections(),
                c.big() ? knobs.bigSeconds() : knobs.seconds());
        Map<String, Long> after = bucket.snapshot();
        Figures f = figures.computeIfAbsent(key(store, c), k -> new Figures());
        f.mibs.add(result.mibPerSecond());
        f.rps.add(result.requestsPerSecond());
        f.p50.add(result.p50Micros() / 1000.0);
        f.p99.add(result.p99Micros() / 1000.0);
        f.requests += result.requests();
        result.errors().forEach((kind, n) -> f.errors.merge(kind, n, Long::sum));
        long blobGets = BucketCounter.delta(before, after, "GET hosted-blob");
        f.blobGets += blobGets;
        f.otherCalls += BucketCounter.total(before, after) - blobGets;
        S3Bench.log(String.format("  %-26s %s c%-3d %7.0f MiB/s %8.0f req/s, errors %s, %d bucket blob GETs",
                store.title, c.big() ? "big  " : "small", c.connections(), result.mibPerSecond(),
                result.requestsPerSecond(), result.errors(), blobGets));
    }

    /**
     * One curl GET of a big blob: the one the store holds, or (miss) the next big blob in turn, after a GET of a small
     * one so the tier holds neither.
     */
    private void single(Store store) throws IOException {
        settle();
        Blob blob = big.get(0);
        if (store == Store.MISS) {
            blob = big.get(nextMissBlob++ % big.size());
            Curl.get(base(store) + small.get(nextMissBlob % small.size()).path(), null);
        }
        Map<String, Long> before = bucket.snapshot();
        Curl.Result got = Curl.get(base(store) + blob.path(), work.resolve("curl.out"));
        Map<String, Long> after = bucket.snapshot();
        Single s = singles.computeIfAbsent(store, k -> new Single());
        s.gets++;
        s.ttfb.add(got.ttfbSeconds());
        s.total.add(got.totalSeconds());
        s.mibs.add(got.bytes() / (1024.0 * 1024.0) / got.totalSeconds());
        s.blobGets.add(BucketCounter.delta(before, after, "GET hosted-blob"));
        if (got.status() == 200 && got.bytes() == blob.size() && blob.digest().equals(got.sha256())) {
            s.right++;
        }
        S3Bench.log(String.format("  %-26s curl GET big: %d, first byte %.3f s, total %.3f s", store.title,
                got.status(), got.ttfbSeconds(), got.totalSeconds()));
    }

    private static String key(Store store, Case c) {
        return store + "|" + c.big() + "|" + c.connections();
    }

    private void print(PrintStream out) {
        String bigName = knobs.bigMib() + " MiB";
        String smallName = knobs.smallCount() + " × " + knobs.smallMib() + " MiB";
        out.printf("### Warm blob throughput, MiB/s%n%n");
        out.printf("wrk -t%d, %d s per case of the big blob, %d s per case of the small ones, %d rounds (each round"
                        + " every case, the three stores in turn, the first store rotating); median (lowest–highest) of every"
                        + " byte wrk read over its duration. The miss column of the big blob walks %d blobs of %s in"
                        + " turn.%n%n", knobs.threads(), knobs.bigSeconds(), knobs.seconds(), knobs.rounds(),
                big.size(), bigName);
        out.println("| blobs | connections | " + String.join(" | ", List.of(Store.values()).stream()
                .map(s -> s.title).toList()) + " |");
        out.println("| --- | ---: | ---: | ---: | ---: |");
        for (Case c : cases()) {
            StringBuilder row = new StringBuilder("| " + (c.big() ? "1 × " + bigName : smallName) + " | "
                    + c.connections() + " |");
            for (Store store : Store.values()) {
                Figures f = figures.get(key(store, c));
                row.append(' ').append(f == null ? "–" : f.mibs.show("%.0f")).append(" |");
            }
            out.println(row);
        }
        out.printf("%n#### Per case%n%n");
        out.println("Completed responses over all rounds (a big response takes seconds, so few complete within a"
                + " case: its latencies are of those few); bucket requests counted inside s3proxy over the same"
                + " time, per completed response where there are at least 100.");
        out.println();
        out.println("| store | blobs | connections | responses/s | p50 latency (ms) | p99 latency (ms) | responses"
                + " | wrk errors | bucket GETs of the blob | other bucket requests |");
        out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
        for (Case c : cases()) {
            for (Store store : Store.values()) {
                Figures f = figures.get(key(store, c));
                if (f != null) {
                    out.printf("| %s | %s | %d | %s | %s | %s | %d | %s | %s | %s |%n", store.title,
                            c.big() ? (store == Store.MISS ? big.size() + " × " : "1 × ") + bigName : smallName,
                            c.connections(), f.rps.show("%.0f"), f.p50.show("%.1f"), f.p99.show("%.1f"), f.requests,
                            f.errors.isEmpty() ? "0" : f.errors.toString(), perResponse(f.blobGets, f.requests),
                            perResponse(f.otherCalls, f.requests));
                }
            }
        }
        out.printf("%n### One GET of a %s blob (curl -w), %d per store and round%n%n", bigName, knobs.ttfbGets());
        out.println("| store | time to first byte (s) | total (s) | MiB/s | bucket GETs of the blob per GET | right"
                + " status, size, digest |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (Store store : Store.values()) {
            Single s = singles.get(store);
            if (s != null) {
                out.printf("| %s | %s | %s | %s | %s | %d/%d |%n", store.title, s.ttfb.show("%.3f"),
                        s.total.show("%.3f"), s.mibs.show("%.0f"), s.blobGets.size() == 1 ? s.blobGets.first()
                                : s.blobGets.first() + "–" + s.blobGets.last(), s.right, s.gets);
            }
        }
        out.println();
    }

    /** {@code count}, and per response when there are enough responses for that to mean something. */
    private static String perResponse(long count, long responses) {
        return responses < 100 ? Long.toString(count)
                : String.format(java.util.Locale.ROOT, "%d (%.2f per response)", count, (double) count / responses);
    }

    private List<Blob> generate(String kind, int count, long size) throws IOException {
        Path dir = Files.createDirectories(work.resolve("blobs").resolve(kind));
        List<Blob> blobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path file = dir.resolve(Integer.toString(i));
            MessageDigest sha = Digests.newSha256();
            try (OutputStream stream = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                ImageGenerator.writeRandom(stream, size, sha);
            }
            blobs.add(new Blob(Digests.hex(sha), size, file));
        }
        return blobs;
    }

    /** Monolithic pushes ({@code POST ?digest=} with the blob), four at a time. */
    private static void push(EntrepotProxy proxy, List<Blob> blobs) {
        long began = System.nanoTime();
        PushClient client = PushClient.of(proxy);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<OciClient.Response>> pushes = new ArrayList<>();
            for (Blob blob : blobs) {
                pushes.add(pool.submit(() -> client.send("POST", "/v2/" + NAME + "/blobs/uploads/?digest="
                                + blob.digest(), Map.of("Content-Type", PushClient.OCTET_STREAM), file(blob.file()),
                        Duration.ofMinutes(10))));
            }
            for (int i = 0; i < blobs.size(); i++) {
                OciClient.Response response = pushes.get(i).get();
                if (response.status() != 201) {
                    throw new IllegalStateException("push of " + blobs.get(i).digest() + " to " + proxy.hostPort()
                            + " answered " + response);
                }
            }
            S3Bench.log(String.format("  pushed %d blobs, %d MiB, to %s in %.1f s", blobs.size(),
                    blobs.stream().mapToLong(Blob::size).sum() >> 20, proxy.hostPort(),
                    (System.nanoTime() - began) / 1e9));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("push to " + proxy.hostPort() + " failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static java.net.http.HttpRequest.BodyPublisher file(Path file) {
        try {
            return BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
