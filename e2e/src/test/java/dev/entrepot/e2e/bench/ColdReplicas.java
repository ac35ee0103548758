package dev.entrepot.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.e2e.support.CountingFront;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.S3Server;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cold pulls through replicas: {@code Knobs.replicas} proxies with the S3 store on one bucket (pull-through blobs
 * shared through its {@code cache/}), each with a remote repository in front of the same docker-registry behind a
 * {@link CountingFront}; M clients at once, spread round-robin over the replicas, pull one fresh image (manifest by
 * tag, then config and layers, a few at a time, each checked against its digest). Optionally the same through
 * replicas with their own filesystem stores, which share nothing.
 */
final class ColdReplicas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    enum Mode {
        SHARED("S3 store, one bucket"), OWN("filesystem store each (no sharing)");

        final String title;

        Mode(String title) {
            this.title = title;
        }
    }

    /** What one client saw. */
    record Outcome(boolean right, double seconds, String error) {
    }

    /** One cold run. */
    record Run(Mode mode, int clients, double wallSeconds, Spread clientSeconds, int right, List<String> errors,
               List<Integer> blobGets, int manifestRequests, int upstreamRequests, long bucketBlobGets,
               long bucketBlobPolls, long bucketBlobPuts) {
    }

    /**
     * An image in the upstream as {@code library/<name>:1}: the digest of its manifest and of its blobs (config first)
     * as the registry has them (skopeo may have changed the layers on the way).
     */
    record Pushed(String name, String digest, List<String> blobs) {
    }

    private final Knobs knobs;
    private final Path work;
    private final Map<Mode, List<EntrepotProxy>> replicas = new LinkedHashMap<>();
    private final List<Run> runs = new ArrayList<>();
    private Upstream upstream;
    private S3Server s3;
    private BucketCounter bucket;
    private int images;

    ColdReplicas(Knobs knobs, Path work) {
        this.knobs = knobs;
        this.work = work;
    }

    void run(PrintStream out) throws Exception {
        try (Teardown teardown = new Teardown()) {
            AtomicReference<BucketCounter> counter = new AtomicReference<>();
            s3 = teardown.add(S3Server.start(work.resolve("s3"), "entrepot", backend -> {
                counter.set(new BucketCounter(backend));
                return counter.get();
            }));
            bucket = counter.get();
            upstream = teardown.add(Upstream.start(work.resolve("upstream")));
            if (knobs.upstreamMibps() > 0) {
                upstream.front().throttle("/blobs/", (long) knobs.upstreamMibps() << 20);
            }
            List<Mode> modes = knobs.coldBaseline() ? List.of(Mode.SHARED, Mode.OWN) : List.of(Mode.SHARED);
            S3Bench.log("cold: starting " + knobs.replicas() + " replicas of each of " + modes);
            startReplicas(modes, teardown);
            for (Mode mode : modes) {
                pull(mode, image(1L << 20), knobs.replicas()); // the JIT warmed, not reported
            }
            for (int round = 0; round < knobs.coldRounds(); round++) {
                for (int clients : knobs.clients()) {
                    for (Mode mode : modes) {
                        S3Bench.log("cold: round " + (round + 1) + ", " + clients + " clients over " + mode.title);
                        runs.add(pull(mode, image(0), clients));
                    }
                }
            }
        }
        print(out);
    }

    private void startReplicas(List<Mode> modes, Teardown teardown) throws Exception {
        Map<Mode, List<CompletableFuture<EntrepotProxy>>> starting = new LinkedHashMap<>();
        for (Mode mode : modes) {
            List<CompletableFuture<EntrepotProxy>> proxies = new ArrayList<>();
            for (int i = 0; i < knobs.replicas(); i++) {
                ProxyConfig config = ProxyConfig.hub(upstream.url().toString(), "1h");
                if (mode == Mode.SHARED) {
                    s3.configure(config).s3Setting("partSize", "16Mi"); // the README's default
                }
                Path dir = work.resolve(mode.name().toLowerCase() + "-" + i);
                proxies.add(CompletableFuture.supplyAsync(() -> EntrepotProxy.start(dir, config, knobs.proxyJvm())));
            }
            starting.put(mode, proxies);
        }
        for (Map.Entry<Mode, List<CompletableFuture<EntrepotProxy>>> mode : starting.entrySet()) {
            List<EntrepotProxy> started = new ArrayList<>();
            for (CompletableFuture<EntrepotProxy> proxy : mode.getValue()) {
                started.add(teardown.add(proxy.get(180, TimeUnit.SECONDS)));
            }
            replicas.put(mode.getKey(), started);
        }
    }

    /** A fresh image in the upstream: every layer of {@code Knobs.layerMib}, or all of {@code layerBytes} if > 0. */
    private Pushed image(long layerBytes) {
        String name = "cold" + images++;
        long[] sizes = knobs.layerMib().stream().mapToLong(m -> layerBytes > 0 ? layerBytes : (long) m << 20).toArray();
        Image image = upstream.images().image(name, "amd64", sizes);
        upstream.push(image.manifest(), "library/" + name + ":1");
        try {
            JsonNode manifest = JSON.readTree(upstream.raw("library/" + name + ":1"));
            List<String> blobs = new ArrayList<>();
            blobs.add(manifest.get("config").get("digest").asText());
            manifest.get("layers").forEach(l -> blobs.add(l.get("digest").asText()));
            return new Pushed(name, upstream.digest("library/" + name + ":1"), blobs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Run pull(Mode mode, Pushed pushed, int clients) throws Exception {
        String name = pushed.name();
        List<String> blobs = pushed.blobs();
        List<EntrepotProxy> proxies = replicas.get(mode);
        Map<String, Long> before = bucket.snapshot();
        ExecutorService pool = Executors.newCachedThreadPool();
        CountDownLatch start = new CountDownLatch(1);
        long began;
        List<Outcome> outcomes = new ArrayList<>();
        try {
            List<Future<Outcome>> pulls = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                EntrepotProxy proxy = proxies.get(i % proxies.size());
                pulls.add(pool.submit(() -> {
                    start.await();
                    return client(proxy.client(), pushed, pool);
                }));
            }
            began = System.nanoTime();
            start.countDown();
            for (Future<Outcome> pull : pulls) {
                outcomes.add(pull.get(TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        double wall = (System.nanoTime() - began) / 1e9;
        outcomes.stream().filter(o -> o.error() != null).limit(3).forEach(o -> S3Bench.log("  client: " + o.error()));
        if (mode == Mode.SHARED && outcomes.stream().allMatch(Outcome::right)) {
            // the uploads to the bucket run after the clients' last byte: counted with this run, not the next
            Poll.until(Duration.ofSeconds(60), () -> blobs.stream().allMatch(s3::hasCachedBlob),
                    () -> "every blob of " + name + " in the bucket's cache/");
        }
        Map<String, Long> after = bucket.snapshot();
        CountingFront front = upstream.front();
        Spread clientSeconds = new Spread();
        outcomes.forEach(o -> clientSeconds.add(o.seconds()));
        List<String> errors = outcomes.stream().filter(o -> o.error() != null).map(Outcome::error).toList();
        long blobGets = BucketCounter.delta(before, after, "GET cache-blob");
        long blobPuts = BucketCounter.delta(before, after, "PUT cache-blob")
                + BucketCounter.delta(before, after, "PUT-part cache-blob");
        Run run = new Run(mode, clients, wall, clientSeconds, (int) outcomes.stream().filter(Outcome::right).count(),
                errors, blobs.stream().map(d -> front.gets("/blobs/" + d)).toList(),
                front.any("/library/" + name + "/manifests/"), front.any("/library/" + name + "/"),
                blobGets, BucketCounter.delta(before, after, "GET-absent cache-blob"), blobPuts);
        S3Bench.log(String.format("  %.2f s wall, %d/%d right, upstream GETs per blob %s, %d manifest requests",
                wall, run.right(), clients, run.blobGets(), run.manifestRequests()));
        return run;
    }

    /** One client: the manifest by tag, then its blobs, {@code Knobs.clientParallel} at a time. */
    private Outcome client(OciClient client, Pushed image, ExecutorService pool) {
        long began = System.nanoTime();
        String repository = "hub/library/" + image.name();
        try {
            OciClient.Response manifest = client.manifest(repository, "1");
            if (manifest.status() != 200) {
                return failed(began, "manifest: " + manifest.status() + " " + manifest.text());
            }
            if (!image.digest().equals(Digests.sha256(manifest.body()))) {
                return failed(began, "manifest: wrong digest");
            }
            JsonNode json = JSON.readTree(manifest.body());
            List<JsonNode> descriptors = new ArrayList<>();
            descriptors.add(json.get("config"));
            json.get("layers").forEach(descriptors::add);
            int lanes = Math.max(1, knobs.clientParallel());
            List<Future<String>> running = new ArrayList<>();
            for (int lane = 0; lane < lanes; lane++) {
                int first = lane;
                running.add(pool.submit(() -> {
                    for (int i = first; i < descriptors.size(); i += lanes) {
                        String digest = descriptors.get(i).get("digest").asText();
                        long size = descriptors.get(i).get("size").asLong();
                        OciClient.Download got = client.blob(repository, digest, TIMEOUT);
                        if (!got.complete(digest) || got.bytes() != size) {
                            return "blob " + digest + ": " + got;
                        }
                    }
                    return null;
                }));
            }
            for (Future<String> lane : running) {
                String error = lane.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                if (error != null) {
                    return failed(began, error);
                }
            }
            return new Outcome(true, (System.nanoTime() - began) / 1e9, null);
        } catch (IOException | RuntimeException | java.util.concurrent.ExecutionException
                 | java.util.concurrent.TimeoutException e) {
            return failed(began, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(began, "interrupted");
        }
    }

    private static Outcome failed(long began, String error) {
        return new Outcome(false, (System.nanoTime() - began) / 1e9, error);
    }

    private void print(PrintStream out) {
        out.printf("### Cold pull through %d replicas%n%n", knobs.replicas());
        out.printf("One fresh image per run: config + %d gzip'd layers of %s MiB of random bytes (skopeo-pushed to a"
                        + " docker-registry behind a request counter%s). M clients released at once, client i on"
                        + " replica i mod %d; each GETs the manifest by tag, then config and layers %d at a time, and"
                        + " checks every digest and size. Wall time: release to the last client's last byte (clients"
                        + " hash in the benchmark JVM, on the same cores).%n%n", knobs.layerMib().size(),
                String.join(" + ", knobs.layerMib().stream().map(String::valueOf).toList()),
                knobs.upstreamMibps() > 0 ? ", " + knobs.upstreamMibps() + " MiB/s per blob GET" : ", unthrottled",
                knobs.replicas(), knobs.clientParallel());
        out.println("| replicas' store | clients | wall time (s) | client time, median (fastest–slowest) (s) | clients"
                + " with every digest right | errors | upstream GETs per blob (config, layers) | upstream manifest"
                + " requests | all upstream requests of the image | bucket, shared blobs: GETs that found one /"
                + " found none / PUTs (parts included) |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
        for (Run run : runs) {
            out.printf("| %s | %d | %.2f | %s | %d/%d | %d | %s | %d | %d | %s |%n", run.mode().title, run.clients(),
                    run.wallSeconds(), run.clientSeconds().show("%.2f"), run.right(), run.clients(),
                    run.errors().size(), String.join(", ", run.blobGets().stream().map(String::valueOf).toList()),
                    run.manifestRequests(), run.upstreamRequests(),
                    run.mode() == Mode.SHARED ? run.bucketBlobGets() + " / " + run.bucketBlobPolls() + " / "
                            + run.bucketBlobPuts() : "–");
        }
        List<String> errors = runs.stream().flatMap(r -> r.errors().stream()).distinct().limit(5).toList();
        if (!errors.isEmpty()) {
            out.printf("%nFirst errors:%n%n");
            errors.forEach(e -> out.println("- `" + e.replace('`', '\'') + "`"));
        }
        out.println();
    }
}
