package dev.entrepot.e2e.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A streaming pass-through HTTP proxy in front of the upstream registry that counts requests per
 * method and path, and can misbehave on demand: flip a byte in a body (same length), throttle a
 * body, or answer 503. Used as the cache proxy's upstream to observe what it asks for.
 */
public final class CountingFront implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
            "expect", "date");

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private volatile URI upstream;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> throttle = new ConcurrentHashMap<>();
    private volatile int failStatus;
    private volatile String retryAfter;

    private CountingFront(HttpServer server, ExecutorService executor, URI upstream) {
        this.server = server;
        this.executor = executor;
        this.upstream = upstream;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    public static CountingFront start(URI upstream) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "counting-front");
                thread.setDaemon(true);
                return thread;
            });
            CountingFront front = new CountingFront(server, executor, upstream);
            server.createContext("/", front::handle);
            server.setExecutor(executor);
            server.start();
            return front;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Requests seen with this method whose path (without query) contains {@code pathPart}. */
    public int count(String method, String pathPart) {
        return counts.entrySet().stream()
                .filter(e -> e.getKey().startsWith(method + " ") && e.getKey().contains(pathPart))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    public int gets(String pathPart) {
        return count("GET", pathPart);
    }

    /** Every request whose path contains {@code pathPart}, any method. */
    public int any(String pathPart) {
        return counts.entrySet().stream()
                .filter(e -> e.getKey().contains(pathPart))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    public Map<String, Integer> snapshot() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** Flip one byte in the middle of every GET body whose path contains {@code pathPart}. */
    public void corrupt(String pathPart) {
        corrupt.add(pathPart);
    }

    /** Send GET bodies whose path contains {@code pathPart} at about this many bytes per second. */
    public void throttle(String pathPart, long bytesPerSecond) {
        throttle.put(pathPart, bytesPerSecond);
    }

    /** Answer every request with 503 without contacting the upstream. */
    public void unavailable(boolean value) {
        failStatus = value ? 503 : 0;
        retryAfter = null;
    }

    /** Answer every request with {@code status} (e.g. 429, 500) and an optional Retry-After, without contacting the upstream. */
    public void failWith(int status, String retryAfterSeconds) {
        retryAfter = retryAfterSeconds;
        failStatus = status;
    }

    public void clearFaults() {
        corrupt.clear();
        throttle.clear();
        failStatus = 0;
        retryAfter = null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        counts.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
        try (exchange) {
            int fail = failStatus;
            if (fail != 0) {
                String wait = retryAfter;
                if (wait != null) {
                    exchange.getResponseHeaders().set("Retry-After", wait);
                }
                sendError(exchange, fail, "front set to fail with " + fail);
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            URI target = upstream.resolve(path + (query == null ? "" : "?" + query));
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(10));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            boolean hasBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
            InputStream requestBody = exchange.getRequestBody();
            request.method(method, hasBody ? HttpRequest.BodyPublishers.ofInputStream(() -> requestBody)
                    : HttpRequest.BodyPublishers.noBody());
            HttpResponse<InputStream> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                sendError(exchange, 502, "front cannot reach upstream: " + e);
                return;
            }
            relay(exchange, method, path, response);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // client went away mid-body (e.g. the proxy was killed); nothing to report
        }
    }

    private void relay(HttpExchange exchange, String method, String path, HttpResponse<InputStream> response)
            throws IOException {
        int status = response.statusCode();
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        long length = response.headers().firstValueAsLong("content-length").orElse(-1);
        try (InputStream body = response.body()) {
            if (method.equals("HEAD") || status == 204 || status == 304) {
                if (length >= 0) {
                    exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                }
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, length == 0 ? -1 : length < 0 ? 0 : length);
            boolean flip = status == 200 && corrupt.stream().anyMatch(path::contains);
            long rate = throttle.entrySet().stream().filter(e -> path.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue).min().orElse(0);
            copy(body, exchange.getResponseBody(), flip ? Math.max(0, length / 2) : -1, rate);
        }
    }

    private static void copy(InputStream in, OutputStream out, long flipAt, long bytesPerSecond) throws IOException {
        byte[] buffer = new byte[bytesPerSecond > 0 ? 16 * 1024 : 64 * 1024];
        long position = 0;
        long start = System.nanoTime();
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (flipAt >= position && flipAt < position + n) {
                buffer[(int) (flipAt - position)] ^= 0x5a;
            }
            out.write(buffer, 0, n);
            position += n;
            if (bytesPerSecond > 0) {
                out.flush();
                long dueNanos = position * 1_000_000_000L / bytesPerSecond;
                long aheadMillis = (dueNanos - (System.nanoTime() - start)) / 1_000_000;
                if (aheadMillis > 0) {
                    Poll.sleep(Duration.ofMillis(aheadMillis));
                }
            }
        }
        out.flush();
    }

    private static void sendError(HttpExchange exchange, int status, String message) throws IOException {
        String code = status == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE";
        byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message.replace('"', '\'') + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put("Content-Type", List.of("application/json"));
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
