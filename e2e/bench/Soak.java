import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The soak benchmark's load generator and fault-injecting upstream (e2e/bench/soak.sh runs it, JDK only:
 * {@code java e2e/bench/Soak.java <command> ...}).
 *
 * <pre>
 *   seed UPSTREAM PLAN WARM COLD FLAKY   pushes images to a registry, writes the plan (one line per image)
 *   faults PORT TARGET MODE              forwards to TARGET; MODE slow (200 ms + 8 MiB/s) or flaky (every second
 *                                        blob GET is cut after half its body)
 *   warm PROXY PLAN                      pulls every warm image once through the hub and slow repositories
 *   load PROXY PLAN SECONDS CLIENTS      the mixed load; prints the per-kind table and a last "TOTAL" line
 *   check PROXY PLAN                     every flaky layer once more: each must now arrive whole and right
 * </pre>
 */
public final class Soak {
    private static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String ACCEPT = MANIFEST_TYPE + ", application/vnd.oci.image.manifest.v1+json";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "seed" -> seed(URI.create(args[1]), Path.of(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            case "faults" -> faults(Integer.parseInt(args[1]), URI.create(args[2]), args[3]);
            case "load" -> load(URI.create(args[1]), Plan.read(Path.of(args[2])), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            case "warm" -> warm(URI.create(args[1]), Plan.read(Path.of(args[2])));
            case "check" -> System.exit(check(URI.create(args[1]), Plan.read(Path.of(args[2]))));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // seed

    /** One image of the plan: its group (warm, cold, flaky), name, tag, manifest digest and layer digests. */
    record Image(String group, String name, String tag, String manifest, List<String> layers) {
        String line() {
            return String.join(" ", group, name, tag, manifest, String.join(",", layers));
        }

        static Image parse(String line) {
            String[] f = line.split(" ");
            return new Image(f[0], f[1], f[2], f[3], List.of(f[4].split(",")));
        }
    }

    record Plan(List<Image> warm, List<Image> cold, List<Image> flaky) {
        static Plan read(Path file) throws IOException {
            List<Image> all = Files.readAllLines(file).stream().map(Image::parse).toList();
            return new Plan(all.stream().filter(i -> i.group().equals("warm")).toList(),
                    all.stream().filter(i -> i.group().equals("cold")).toList(),
                    all.stream().filter(i -> i.group().equals("flaky")).toList());
        }
    }

    private static void seed(URI upstream, Path plan, int warm, int cold, int flaky) throws Exception {
        Random random = new Random(20261202L);
        List<String> lines = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Image>> images = new ArrayList<>();
        for (int i = 0; i < warm; i++) {
            images.add(pool.submit(push(upstream, "warm", "library/warm" + i, bytes(random, 4096), bytes(random, 1 << 20))));
        }
        for (int i = 0; i < cold; i++) {
            images.add(pool.submit(push(upstream, "cold", "library/cold" + i, bytes(random, 128 << 10))));
        }
        for (int i = 0; i < flaky; i++) {
            images.add(pool.submit(push(upstream, "flaky", "library/flaky" + i, bytes(random, 2 << 20))));
        }
        for (var image : images) {
            lines.add(image.get().line());
        }
        pool.shutdown();
        Files.write(plan, lines);
        System.err.printf("seeded %d images%n", lines.size());
        System.exit(0); // the HTTP client's threads would keep the JVM up
    }

    private static byte[] bytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static Callable<Image> push(URI upstream, String group, String name, byte[]... layers) {
        return () -> {
            String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                    + "\"history\":[{\"created_by\":\"entrepot soak " + name + "\"}]}";
            byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
            String configDigest = pushBlob(upstream, name, configBytes);
            StringBuilder manifest = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE
                    + "\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\""
                    + configDigest + "\",\"size\":" + configBytes.length + "},\"layers\":[");
            List<String> digests = new ArrayList<>();
            for (byte[] layer : layers) {
                String digest = pushBlob(upstream, name, layer);
                digests.add(digest);
                manifest.append(digests.size() > 1 ? "," : "").append("{\"mediaType\":")
                        .append("\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"").append(digest)
                        .append("\",\"size\":").append(layer.length).append('}');
            }
            byte[] body = manifest.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(upstream.resolve("/v2/" + name + "/manifests/v1"))
                    .header("Content-Type", MANIFEST_TYPE).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() != 201) {
                throw new IOException("manifest PUT of " + name + ": " + put.statusCode() + " " + put.body());
            }
            return new Image(group, name, "v1", sha256(body), digests);
        };
    }

    private static String pushBlob(URI upstream, String name, byte[] content) throws Exception {
        String digest = sha256(content);
        HttpResponse<Void> post = HTTP.send(HttpRequest.newBuilder(upstream.resolve("/v2/" + name + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        String location = post.headers().firstValue("Location").orElseThrow(() -> new IOException("no Location"));
        URI target = upstream.resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(target).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 201) {
            throw new IOException("blob PUT " + digest + ": " + put.statusCode() + " " + put.body());
        }
        return digest;
    }

    private static String sha256(byte[] content) throws NoSuchAlgorithmException {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    // ---------------------------------------------------------------------------------------------------
    // faults

    /**
     * A forwarding upstream on plain sockets, one request per connection ({@code Connection: close}), so that a cut is
     * a real reset in the middle of a body rather than whatever an HTTP server library makes of a short answer.
     */
    private static void faults(int port, URI target, String mode) throws IOException {
        boolean slow = mode.equals("slow");
        Map<String, AtomicInteger> blobGets = new ConcurrentHashMap<>();
        ExecutorService workers = Executors.newCachedThreadPool();
        try (ServerSocket server = new ServerSocket(port, 256, InetAddress.getLoopbackAddress())) {
            System.err.printf("faults (%s) on %d -> %s%n", mode, port, target);
            while (true) {
                Socket socket = server.accept();
                workers.execute(() -> {
                    try (socket) {
                        forward(socket, target, slow, blobGets);
                    } catch (Exception e) {
                        // a cut answer or a client that went away: nothing more to say
                    }
                });
            }
        }
    }

    private static void forward(Socket socket, URI target, boolean slow, Map<String, AtomicInteger> blobGets)
            throws Exception {
        InputStream in = socket.getInputStream();
        String[] requestLine = readLine(in).split(" ");
        String method = requestLine[0];
        String path = requestLine[1];
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("Accept")) {
                request.header("Accept", line.substring(colon + 1).trim());
            }
        }
        // flaky: every second GET of one blob is cut in the middle
        boolean cut = !slow && method.equals("GET") && path.contains("/blobs/sha256:")
                && blobGets.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet() % 2 == 1;
        if (slow) {
            Thread.sleep(200);
        }
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        StringBuilder head = new StringBuilder("HTTP/1.1 " + response.statusCode() + " X\r\n");
        response.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("connection") && !name.equalsIgnoreCase("transfer-encoding")
                    && !name.startsWith(":")) {
                values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n"));
            }
        });
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        OutputStream out = socket.getOutputStream();
        out.write(head.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[16384];
            long sent = 0;
            for (int n; !method.equals("HEAD") && (n = body.read(buffer)) > 0; ) {
                if (cut && sent + n > length / 2) {
                    out.flush();
                    socket.setSoLinger(true, 0); // close now: a reset, not an orderly end
                    return;
                }
                out.write(buffer, 0, n);
                sent += n;
                if (slow) {
                    Thread.sleep(2); // 16 KiB per 2 ms: about 8 MiB/s
                }
            }
        }
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed in the request head");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    // ---------------------------------------------------------------------------------------------------
    // load

    enum Kind {
        MANIFEST_TAG(35), MANIFEST_DIGEST(10), BLOB_WARM(20), COLD_IMAGE(10), NOT_FOUND(15), SLOW(5), FLAKY(5);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    enum Outcome { OK, UPSTREAM_FAILURE, UNEXPECTED, WRONG_DIGEST }

    /** One client thread's figures: latencies per kind (nanoseconds) and outcome counts. */
    static final class Tally {
        final long[][] latencies = new long[Kind.values().length][];
        final int[] sizes = new int[Kind.values().length];
        final long[][] outcomes = new long[Kind.values().length][Outcome.values().length];
        final List<String> problems = new ArrayList<>();

        Tally() {
            Arrays.setAll(latencies, k -> new long[1024]);
        }

        void add(Kind kind, long nanos, Outcome outcome, String detail) {
            int k = kind.ordinal();
            if (sizes[k] == latencies[k].length) {
                latencies[k] = Arrays.copyOf(latencies[k], sizes[k] * 2);
            }
            latencies[k][sizes[k]++] = nanos;
            outcomes[k][outcome.ordinal()]++;
            if ((outcome == Outcome.UNEXPECTED || outcome == Outcome.WRONG_DIGEST) && problems.size() < 5) {
                problems.add(kind + ": " + detail);
            }
        }
    }

    private static void load(URI proxy, Plan plan, int seconds, int clients) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicInteger coldDraws = new AtomicInteger();
        AtomicInteger flakyDraws = new AtomicInteger();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newFixedThreadPool(4)).build();
        List<Tally> tallies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        int totalWeight = Arrays.stream(Kind.values()).mapToInt(k -> k.weight).sum();
        for (int c = 0; c < clients; c++) {
            Tally tally = new Tally();
            tallies.add(tally);
            Thread t = new Thread(() -> {
                Requests requests = new Requests(client, proxy);
                while (System.nanoTime() < deadline) {
                    Kind kind = pick(ThreadLocalRandom.current().nextInt(totalWeight));
                    long start = System.nanoTime();
                    Outcome outcome;
                    String detail = "";
                    try {
                        outcome = switch (kind) {
                            case MANIFEST_TAG -> requests.manifest("hub", any(plan.warm()), true);
                            case MANIFEST_DIGEST -> requests.manifest("hub", any(plan.warm()), false);
                            case BLOB_WARM -> requests.layer("hub", any(plan.warm()));
                            case COLD_IMAGE -> requests.image("hub", draw(plan.cold(), coldDraws, 3, plan.warm()));
                            case NOT_FOUND -> requests.notFound();
                            case SLOW -> requests.image("slow", any(plan.warm()));
                            case FLAKY -> requests.flaky(draw(plan.flaky(), flakyDraws, 2, plan.flaky()));
                        };
                    } catch (Failure f) {
                        outcome = f.outcome;
                        detail = f.getMessage();
                    } catch (IOException e) {
                        outcome = kind == Kind.FLAKY ? Outcome.UPSTREAM_FAILURE : Outcome.UNEXPECTED;
                        detail = e.toString();
                    } catch (InterruptedException e) {
                        return;
                    }
                    tally.add(kind, System.nanoTime() - start, outcome, detail);
                }
            }, "client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        report(tallies, seconds, coldDraws.get(), plan);
        System.exit(0);
    }

    private static Kind pick(int r) {
        for (Kind k : Kind.values()) {
            if ((r -= k.weight) < 0) {
                return k;
            }
        }
        throw new IllegalStateException();
    }

    private static <T> T any(List<T> items) {
        return items.get(ThreadLocalRandom.current().nextInt(items.size()));
    }

    /** The next image of a pool, each drawn by {@code share} clients; a warm one once the pool is used up. */
    private static Image draw(List<Image> pool, AtomicInteger draws, int share, List<Image> after) {
        int n = draws.getAndIncrement() / share;
        return n < pool.size() ? pool.get(n) : any(after);
    }

    static final class Failure extends IOException {
        final Outcome outcome;

        Failure(Outcome outcome, String message) {
            super(message);
            this.outcome = outcome;
        }
    }

    /** The requests of one client, all checked: status, error code, digest of every body. */
    record Requests(HttpClient client, URI proxy) {
        Outcome manifest(String repository, Image image, boolean byTag) throws IOException, InterruptedException {
            String ref = byTag ? image.tag() : image.manifest();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(url(repository, image.name(), "manifests/" + ref))
                    .header("Accept", ACCEPT).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new Failure(Outcome.UNEXPECTED, image.name() + ":" + ref + " answered " + r.statusCode());
            }
            check(image.manifest(), digestOf(r.body()), image.name() + ":" + ref);
            return Outcome.OK;
        }

        Outcome blob(String repository, String name, String digest) throws IOException, InterruptedException {
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(url(repository, name, "blobs/" + digest))
                    .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw new Failure(repository.equals("flaky") && r.statusCode() >= 500 ? Outcome.UPSTREAM_FAILURE
                            : Outcome.UNEXPECTED, name + "@" + digest + " answered " + r.statusCode());
                }
                MessageDigest sha = sha();
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
                check(digest, "sha256:" + HexFormat.of().formatHex(sha.digest()), name + "@" + digest);
            }
            return Outcome.OK;
        }

        Outcome layer(String repository, Image image) throws IOException, InterruptedException {
            return blob(repository, image.name(), any(image.layers()));
        }

        Outcome image(String repository, Image image) throws IOException, InterruptedException {
            manifest(repository, image, true);
            for (String layer : image.layers()) {
                blob(repository, image.name(), layer);
            }
            return Outcome.OK;
        }

        Outcome flaky(Image image) throws IOException, InterruptedException {
            return blob("flaky", image.name(), image.layers().get(0));
        }

        Outcome notFound() throws IOException, InterruptedException {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(url("hub", "library/typo", "manifests/latest"))
                    .header("Accept", ACCEPT).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 404 || !r.body().contains("MANIFEST_UNKNOWN")) {
                throw new Failure(Outcome.UNEXPECTED, "typo answered " + r.statusCode() + " " + r.body());
            }
            return Outcome.OK;
        }

        private URI url(String repository, String name, String rest) {
            return proxy.resolve("/v2/" + repository + "/" + name + "/" + rest);
        }

        private static void check(String expected, String got, String what) throws Failure {
            if (!expected.equals(got)) {
                throw new Failure(Outcome.WRONG_DIGEST, what + " arrived as " + got);
            }
        }
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String digestOf(byte[] body) {
        return "sha256:" + HexFormat.of().formatHex(sha().digest(body));
    }

    private static void report(List<Tally> tallies, int seconds, int coldDraws, Plan plan) {
        System.out.println("| kind | requests | per second | p50 (ms) | p99 (ms) | max (ms) | upstream failures | unexpected | wrong digest |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        long[] total = new long[Outcome.values().length];
        long count = 0;
        for (Kind kind : Kind.values()) {
            int k = kind.ordinal();
            long[] all = tallies.stream().flatMapToLong(t -> Arrays.stream(t.latencies[k], 0, t.sizes[k])).sorted().toArray();
            long[] outcomes = new long[Outcome.values().length];
            tallies.forEach(t -> Arrays.setAll(outcomes, o -> outcomes[o] + t.outcomes[k][o]));
            Arrays.setAll(total, o -> total[o] + outcomes[o]);
            count += all.length;
            System.out.printf("| %s | %d | %.0f | %s | %s | %s | %d | %d | %d |%n", kind.name().toLowerCase().replace('_', ' '),
                    all.length, all.length / (double) seconds, ms(all, 0.50), ms(all, 0.99), ms(all, 1.0),
                    outcomes[Outcome.UPSTREAM_FAILURE.ordinal()], outcomes[Outcome.UNEXPECTED.ordinal()],
                    outcomes[Outcome.WRONG_DIGEST.ordinal()]);
        }
        System.out.printf("%nCold images pulled: %d of %d (each by up to 3 clients at once).%n",
                Math.min(plan.cold().size(), (coldDraws + 2) / 3), plan.cold().size());
        tallies.stream().flatMap(t -> t.problems.stream()).limit(10).forEach(p -> System.out.println("- problem: " + p));
        System.out.printf("TOTAL %d %.0f %d %d %d%n", count, count / (double) seconds, total[Outcome.UPSTREAM_FAILURE.ordinal()],
                total[Outcome.UNEXPECTED.ordinal()], total[Outcome.WRONG_DIGEST.ordinal()]);
    }

    private static String ms(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return "-";
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return String.format("%.1f", sorted[Math.max(0, i)] / 1e6);
    }

    // ---------------------------------------------------------------------------------------------------
    // warm and check

    private static void warm(URI proxy, Plan plan) throws IOException, InterruptedException {
        Requests requests = new Requests(HTTP, proxy);
        for (Image image : plan.warm()) {
            requests.image("hub", image);
            requests.image("slow", image);
        }
        System.exit(0);
    }

    private static int check(URI proxy, Plan plan) throws InterruptedException {
        Requests requests = new Requests(HTTP, proxy);
        int bad = 0;
        for (Image image : plan.flaky()) {
            try {
                requests.flaky(image);
            } catch (IOException first) {
                try { // a cut upstream answer may fail one more request; the next one must succeed
                    requests.flaky(image);
                } catch (IOException e) {
                    bad++;
                    System.err.println("flaky " + image.name() + ": " + e.getMessage());
                }
            }
        }
        System.out.printf("CHECK %d %d%n", plan.flaky().size() - bad, plan.flaky().size());
        return bad == 0 ? 0 : 1;
    }
}
