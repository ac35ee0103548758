package dev.entrepot.e2e.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that behaves like Docker Hub in front of the plain registry: {@code /v2/} requests
 * need a Bearer token (401 with a {@code WWW-Authenticate: Bearer realm=...,scope=...} challenge),
 * the token endpoint wants Basic credentials (or none, when anonymous), and blob GETs are
 * redirected to a "CDN" on another origin (its own port) that records whether an
 * {@code Authorization} header reached it.
 */
public final class AuthFront implements AutoCloseable {
    private final HttpServer api;
    private final HttpServer cdn;
    private final ExecutorService executor;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(2)).build();
    private final URI registry;
    private final String basic; // null: anonymous tokens
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger rejectedTokenRequests = new AtomicInteger();
    private final AtomicInteger challenges = new AtomicInteger();
    private final AtomicInteger cdnRequests = new AtomicInteger();
    private final AtomicInteger cdnRequestsWithAuthorization = new AtomicInteger();

    private AuthFront(URI registry, String username, String password) throws IOException {
        this.registry = registry;
        this.basic = username == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "auth-front");
            t.setDaemon(true);
            return t;
        });
        this.api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        api.createContext("/token", this::token);
        api.createContext("/v2/", this::v2);
        cdn.createContext("/", this::cdn);
        api.setExecutor(executor);
        cdn.setExecutor(executor);
        api.start();
        cdn.start();
    }

    /** @param username null for anonymous tokens */
    public static AuthFront start(URI registry, String username, String password) {
        try {
            return new AuthFront(registry, username, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + api.getAddress().getPort();
    }

    public int tokenRequests() {
        return tokenRequests.get();
    }

    public int rejectedTokenRequests() {
        return rejectedTokenRequests.get();
    }

    public int challenges() {
        return challenges.get();
    }

    public int cdnRequests() {
        return cdnRequests.get();
    }

    public int cdnRequestsWithAuthorization() {
        return cdnRequestsWithAuthorization.get();
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            tokenRequests.incrementAndGet();
            if (basic != null && !basic.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                rejectedTokenRequests.incrementAndGet();
                send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                return;
            }
            String token = "tok-" + tokenRequests.get() + "-" + System.nanoTime();
            issued.add(token);
            send(exchange, 200, "{\"token\":\"" + token + "\",\"expires_in\":300}");
        }
    }

    private void v2(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")
                    || !issued.contains(authorization.substring("Bearer ".length()))) {
                challenges.incrementAndGet();
                String name = imageName(path);
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"" + url() + "/token\",service=\"e2e\""
                        + (name == null ? "" : ",scope=\"repository:" + name + ":pull\""));
                send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"token required\"}]}");
                return;
            }
            if (exchange.getRequestMethod().equals("GET") && path.contains("/blobs/sha256:")) {
                exchange.getResponseHeaders().set("Location",
                        "http://127.0.0.1:" + cdn.getAddress().getPort() + path + "?signature=e2e");
                exchange.sendResponseHeaders(307, -1);
                return;
            }
            relay(exchange, path);
        }
    }

    private void cdn(HttpExchange exchange) throws IOException {
        try (exchange) {
            cdnRequests.incrementAndGet();
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                cdnRequestsWithAuthorization.incrementAndGet();
            }
            relay(exchange, exchange.getRequestURI().getRawPath());
        }
    }

    /** Forwards to the registry (no auth there), streaming the body back. */
    private void relay(HttpExchange exchange, String path) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        HttpRequest.Builder request = HttpRequest.newBuilder(registry.resolve(path + (query == null ? "" : "?" + query)))
                .timeout(Duration.ofMinutes(2)).method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        if (accept != null) {
            request.header("Accept", accept);
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        for (String header : List.of("Content-Type", "Docker-Content-Digest", "Link")) {
            response.headers().firstValue(header).ifPresent(v -> exchange.getResponseHeaders().set(header, v));
        }
        long length = response.headers().firstValueAsLong("content-length").orElse(-1);
        try (InputStream body = response.body()) {
            if (exchange.getRequestMethod().equals("HEAD")) {
                if (length >= 0) {
                    exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                }
                exchange.sendResponseHeaders(response.statusCode(), -1);
                return;
            }
            exchange.sendResponseHeaders(response.statusCode(), length == 0 ? -1 : length < 0 ? 0 : length);
            body.transferTo(exchange.getResponseBody());
        }
    }

    /** {@code library/x} from {@code /v2/library/x/manifests/1}, or null for {@code /v2/}. */
    private static String imageName(String path) {
        String rest = path.substring("/v2/".length());
        for (String marker : List.of("/manifests/", "/blobs/", "/tags/", "/referrers/")) {
            int at = rest.lastIndexOf(marker);
            if (at > 0) {
                return rest.substring(0, at);
            }
        }
        return null;
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        api.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }
}
