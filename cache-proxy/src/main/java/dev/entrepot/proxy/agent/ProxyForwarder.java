package dev.entrepot.proxy.agent;

import dev.entrepot.proxy.api.OciErrors;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The node-reachable mirror containerd's hosts.toml names: it forwards pulls to the proxy and, when
 * the proxy cannot answer, answers 503 itself within about a second, so that containerd (which
 * tries the next host on any 4xx/5xx or connection error) falls back to the registry at once
 * instead of waiting out its own timeouts (30 s and more in containerd 1.x). Refused or timed-out
 * connections (pod gone) fail at once or after the connect timeout; a proxy that accepts but does
 * not answer (SIGSTOP, overload) is detected by {@link ProxyLiveness}. Only GET and HEAD are
 * forwarded: hosts.toml gives this host the pull and resolve capabilities only.
 */
public final class ProxyForwarder {

    private static final Logger LOG = Logger.getLogger(ProxyForwarder.class.getName());
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    private final Vertx vertx;
    private final AgentSettings settings;
    private final AgentMetrics metrics;
    private final HttpClient client;
    private final RequestOptions target;
    private final ProxyLiveness liveness;
    private final AtomicInteger inFlight = new AtomicInteger();
    private HttpServer server;

    public ProxyForwarder(Vertx vertx, AgentSettings settings, AgentMetrics metrics) {
        this.vertx = vertx;
        this.settings = settings;
        this.metrics = metrics;
        URI proxy = settings.proxy();
        boolean tls = proxy.getScheme().equals("https");
        int port = proxy.getPort() > 0 ? proxy.getPort() : tls ? 443 : 80;
        this.target = new RequestOptions().setHost(proxy.getHost()).setPort(port).setSsl(tls);
        HttpClientOptions options = new HttpClientOptions().setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setKeepAlive(true).setIdleTimeout((int) settings.maxWait().toSeconds()).setSsl(tls);
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(settings.maxInFlight()));
        HttpClient pings = vertx.createHttpClient(new HttpClientOptions(options).setKeepAlive(false),
                new PoolOptions().setHttp1MaxSize(2));
        this.liveness = new ProxyLiveness(vertx, pings, target, settings.pingTimeout(), up -> {
            metrics.proxyUp(up);
            LOG.info(up ? "the proxy at " + proxy + " answers again: forwarding"
                    : "the proxy at " + proxy + " is down (" + liveness().reason() + "): answering 503 at once,"
                            + " containerd pulls from the registry");
        });
        metrics.proxyUp(true);
    }

    private ProxyLiveness liveness() {
        return liveness;
    }

    public Future<HttpServer> start() {
        return vertx.createHttpServer(new HttpServerOptions().setHost(settings.listen().host())
                .setPort(settings.listen().port()).setIdleTimeout(300))
                .requestHandler(this::handle).listen().onSuccess(s -> server = s);
    }

    /** Requests still being forwarded (the agent waits for them when it stops). */
    public int inFlight() {
        return inFlight.get();
    }

    public boolean proxyDown() {
        return liveness.down();
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            OciErrors.send(request, new OciException(OciErrorCode.UNSUPPORTED, 405, "this mirror only pulls",
                    Map.of(HttpHeaders.ALLOW.toString(), "GET, HEAD")));
            return;
        }
        if (liveness.down()) {
            unavailable(request, "proxy_down", "the proxy at " + settings.proxy() + " is down: " + liveness.reason());
            return;
        }
        if (inFlight.incrementAndGet() > settings.maxInFlight()) {
            inFlight.decrementAndGet();
            unavailable(request, "overloaded", settings.maxInFlight() + " requests are being forwarded already");
            return;
        }
        AtomicBoolean done = new AtomicBoolean();
        Runnable finish = () -> {
            if (done.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        };
        request.response().endHandler(v -> finish.run());
        RequestOptions options = new RequestOptions(target).setMethod(request.method()).setURI(request.uri())
                .setConnectTimeout(settings.connectTimeout().toMillis());
        request.headers().forEach(h -> {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                options.addHeader(h.getKey(), h.getValue());
            }
        });
        request.response().closeHandler(v -> finish.run());
        client.request(options).onComplete(connected -> {
            if (connected.failed()) {
                liveness.markDown("cannot connect: " + connected.cause().getMessage());
                unavailable(request, "connect_failed", "cannot connect to the proxy at " + settings.proxy() + ": "
                        + connected.cause().getMessage());
                return;
            }
            new Exchange(request, connected.result()).start(finish);
        });
    }

    /** One forwarded request: waits for the proxy's answer as long as the proxy is alive, then relays it. */
    private final class Exchange {
        private final HttpServerRequest request;
        private final HttpClientRequest outgoing;
        private final long started = System.nanoTime();
        private final AtomicBoolean answered = new AtomicBoolean();
        private long timer = -1;

        Exchange(HttpServerRequest request, HttpClientRequest outgoing) {
            this.request = request;
            this.outgoing = outgoing;
        }

        /** @param finish counts the request as done; also when containerd goes away first */
        void start(Runnable finish) {
            request.response().closeHandler(v -> {
                finish.run();
                outgoing.reset();
            });
            arm();
            outgoing.send().onComplete(response -> {
                if (!answered.compareAndSet(false, true)) {
                    return;
                }
                vertx.cancelTimer(timer);
                if (response.failed()) {
                    unavailable(request, "not_answering", "the proxy at " + settings.proxy() + " failed the request: "
                            + response.cause().getMessage());
                } else {
                    liveness.alive();
                    relay(response.result());
                }
            });
        }

        private void arm() {
            timer = vertx.setTimer(settings.answerTimeout().toMillis(), id -> {
                if (answered.get()) {
                    return;
                }
                if (System.nanoTime() - started >= settings.maxWait().toNanos()) {
                    giveUp("the proxy at " + settings.proxy() + " sent no answer within " + settings.maxWait().toSeconds()
                            + "s");
                    return;
                }
                liveness.check().onComplete(alive -> {
                    if (answered.get()) {
                        return;
                    }
                    if (alive.result()) {
                        arm();
                    } else {
                        giveUp("the proxy at " + settings.proxy() + " is not answering: " + liveness.reason());
                    }
                });
            });
        }

        private void giveUp(String why) {
            if (answered.compareAndSet(false, true)) {
                outgoing.reset();
                unavailable(request, "not_answering", why);
            }
        }

        private void relay(HttpClientResponse in) {
            HttpServerResponse out = request.response();
            out.setStatusCode(in.statusCode()).setStatusMessage(in.statusMessage());
            in.headers().forEach(h -> {
                if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    out.headers().add(h.getKey(), h.getValue());
                }
            });
            String length = in.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null) {
                out.putHeader(HttpHeaders.CONTENT_LENGTH, length);
            } else if (request.method() != HttpMethod.HEAD && in.statusCode() != 204 && in.statusCode() != 304) {
                out.setChunked(true);
            }
            metrics.request("proxied");
            in.pipeTo(out).onFailure(e -> out.reset());
        }
    }

    private void unavailable(HttpServerRequest request, String result, String why) {
        metrics.request(result);
        LOG.fine(() -> request.method() + " " + request.uri() + ": 503, " + why);
        // (a response whose headers are out already is reset: a broken transfer is the only signal left)
        OciErrors.send(request.response(), request.method(), new OciException(OciErrorCode.UNAVAILABLE,
                "entrepot node agent: " + why + "; pull from the next host"));
    }
}
