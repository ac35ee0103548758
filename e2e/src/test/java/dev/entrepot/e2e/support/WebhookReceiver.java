package dev.entrepot.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook endpoint in the test JVM on a port of its own that stays the same while it is {@link #down()} and
 * {@link #up()} again. It answers every POST as its {@link Mode} says — {@code 204}, {@code 503}, or never (the
 * exchange is held until the mode changes or the receiver goes down) — and records each request with the status it
 * got. Handlers run on their own threads, so a held request does not hold the others.
 */
public final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Mode { ACCEPT, REFUSE, HANG }

    /** One request as it arrived; {@code status} is what it was answered (0: never, the receiver went down). */
    public record Request(Instant at, String method, String path, Map<String, List<String>> headers, byte[] body,
                          int status) {
        /** A header by name, case-insensitive; null when absent. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new String(body), e);
            }
        }

        public boolean accepted() {
            return status / 100 == 2;
        }
    }

    private final int port;
    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger hanging = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "webhook-receiver");
        t.setDaemon(true);
        return t;
    });
    private HttpServer server;
    private Mode mode = Mode.ACCEPT;

    private WebhookReceiver(int port) {
        this.port = port;
    }

    /** Listening and accepting. */
    public static WebhookReceiver start() {
        WebhookReceiver receiver = new WebhookReceiver(Ports.free());
        receiver.up();
        return receiver;
    }

    /** A port nobody listens on yet: connections are refused until {@link #up()}. */
    public static WebhookReceiver notListening() {
        return new WebhookReceiver(Ports.free());
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/hook");
    }

    /** Listens again on the same port. */
    public synchronized void up() {
        if (server != null) {
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + port, e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Stops listening (connections refused); held requests are dropped unanswered. */
    public void down() {
        HttpServer stopping;
        synchronized (this) {
            stopping = server;
            server = null;
            notifyAll();
        }
        if (stopping != null) {
            stopping.stop(0);
        }
    }

    public synchronized void mode(Mode next) {
        mode = next;
        notifyAll(); // releases held requests, answered as the new mode says
    }

    /** Requests held unanswered right now. */
    public int hanging() {
        return hanging.get();
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Bodies of the requests answered 2xx, in the order they arrived. */
    public synchronized List<JsonNode> events() {
        return requests.stream().filter(Request::accepted).map(Request::json).toList();
    }

    /** The requests answered 2xx, in the order they arrived. */
    public synchronized List<Request> accepted() {
        return requests.stream().filter(Request::accepted).toList();
    }

    /** Waits until at least {@code count} requests were accepted; returns them all. */
    public List<Request> awaitRequests(int count, Duration timeout) {
        Poll.until(timeout, () -> accepted().size() >= count,
                () -> count + " requests at " + url() + ", got " + describe());
        return accepted();
    }

    /** Requests answered 503. */
    public synchronized long refused() {
        return requests.stream().filter(r -> r.status() == 503).count();
    }

    /** Waits until at least {@code count} events were accepted; returns them all. */
    public List<JsonNode> awaitEvents(int count, Duration timeout) {
        Poll.until(timeout, () -> events().size() >= count,
                () -> count + " events at " + url() + ", got " + describe());
        return events();
    }

    /** An event as {@code "<data.action> <subject>"}, e.g. {@code INSERT team/app:v1}. */
    public static String summary(JsonNode event) {
        return event.path("data").path("action").asText() + " " + event.path("subject").asText();
    }

    public static List<String> subjects(List<JsonNode> events) {
        return events.stream().map(e -> e.path("subject").asText()).toList();
    }

    /** Subjects and statuses of everything received, for assertion messages. */
    public synchronized String describe() {
        List<String> lines = new ArrayList<>();
        for (Request r : requests) {
            String subject;
            try {
                subject = summary(r.json());
            } catch (AssertionError e) {
                subject = r.body().length + " bytes";
            }
            lines.add(r.at() + " " + r.status() + " " + subject);
        }
        return lines.size() + " requests " + lines;
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant at = Instant.now();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        int status;
        HttpServer serving;
        synchronized (this) {
            serving = server;
            if (mode == Mode.HANG) {
                hanging.incrementAndGet();
                try {
                    while (mode == Mode.HANG && server == serving && server != null) {
                        wait(1000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    hanging.decrementAndGet();
                }
            }
            boolean gone = server != serving || server == null;
            status = gone ? 0 : mode == Mode.REFUSE ? 503 : 204;
            requests.add(new Request(at, exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                    body, status));
        }
        try {
            if (status == 0) {
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(status, -1);
        } catch (IOException e) {
            // the client gave up waiting (a held request): what matters is what was recorded
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        down();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
