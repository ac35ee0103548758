package dev.entrepot.proxy.agent;

import java.util.function.Supplier;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The agent's own endpoints on the node: {@code /ready} (200 once the node pulls through the
 * mirror, else 503: the kubelet's readiness probe), {@code /live}, {@code /status} (JSON) and
 * {@code /metrics} (Prometheus text). Never the mirror itself, which stays on loopback.
 */
final class StatusServer {

    private final Vertx vertx;
    private final AgentSettings.HostPort listen;
    private final Supplier<NodeStatus> status;
    private final AgentMetrics metrics;

    StatusServer(Vertx vertx, AgentSettings.HostPort listen, Supplier<NodeStatus> status, AgentMetrics metrics) {
        this.vertx = vertx;
        this.listen = listen;
        this.status = status;
        this.metrics = metrics;
    }

    Future<HttpServer> start() {
        return vertx.createHttpServer(new HttpServerOptions().setHost(listen.host()).setPort(listen.port()))
                .requestHandler(this::handle).listen();
    }

    private void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/ready" -> {
                NodeStatus now = status.get();
                request.response().setStatusCode(now.ready() ? 200 : 503)
                        .putHeader("Content-Type", "application/json").end(now.json());
            }
            case "/status" -> request.response().putHeader("Content-Type", "application/json").end(status.get().json());
            case "/live" -> request.response().end("ok");
            case "/metrics" -> request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape());
            default -> request.response().setStatusCode(404).end();
        }
    }
}
