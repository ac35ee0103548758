package dev.entrepot.proxy.agent;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Whether the proxy answers at all, asked only when it matters: a forwarded request that waits
 * for response headers longer than the answer timeout makes the agent send {@code GET /v2/} on a
 * new connection. Any HTTP answer within the ping timeout means alive (the proxy is busy with the
 * request, e.g. a cold fetch from a slow upstream); none means it accepts connections but does
 * not answer (stopped, wedged, overloaded), and the proxy is down: waiting requests and new ones
 * get 503 at once, and a ping every second finds out when it is back. An idle agent sends nothing.
 */
final class ProxyLiveness {

    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final HttpClient pings;
    private final RequestOptions ping;
    private final Duration timeout;
    private final Consumer<Boolean> onChange;
    private final AtomicReference<Future<Boolean>> inFlight = new AtomicReference<>();
    private volatile boolean down;
    private volatile String reason = "";

    /** @param pings a client without keep-alive, so a ping never waits behind a stuck connection */
    ProxyLiveness(Vertx vertx, HttpClient pings, RequestOptions target, Duration timeout, Consumer<Boolean> onChange) {
        this.vertx = vertx;
        this.pings = pings;
        this.ping = new RequestOptions(target).setMethod(HttpMethod.GET).setURI("/v2/")
                .setConnectTimeout(timeout.toMillis()).setIdleTimeout(timeout.toMillis())
                .putHeader("User-Agent", "entrepot-node-agent");
        this.timeout = timeout;
        this.onChange = onChange;
    }

    boolean down() {
        return down;
    }

    String reason() {
        return reason;
    }

    /** Alive or not, by a ping (one at a time; concurrent askers share it). Never fails. */
    Future<Boolean> check() {
        if (down) {
            return Future.succeededFuture(false);
        }
        Promise<Boolean> promise = Promise.promise();
        if (!inFlight.compareAndSet(null, promise.future())) {
            Future<Boolean> shared = inFlight.get();
            return shared == null ? check() : shared;
        }
        long deadline = vertx.setTimer(timeout.toMillis(), id -> promise.tryComplete(false));
        pings.request(ping).compose(request -> request.send()).onComplete(answer -> {
            vertx.cancelTimer(deadline);
            if (answer.succeeded()) {
                answer.result().body(); // drain, the connection closes
            }
            promise.tryComplete(answer.succeeded());
        });
        return promise.future().onComplete(result -> {
            inFlight.set(null);
            if (result.result()) {
                alive();
            } else {
                markDown("it accepted no request or did not answer GET /v2/ within " + timeout.toMillis() + "ms");
            }
        });
    }

    /** The proxy answered something: it is alive. */
    void alive() {
        if (down) {
            down = false;
            reason = "";
            onChange.accept(true);
        }
    }

    /** Requests fail fast from now on; a ping every second brings the proxy back. */
    void markDown(String why) {
        reason = why;
        if (!down) {
            down = true;
            onChange.accept(false);
            vertx.setTimer(RECHECK.toMillis(), id -> recheck());
        }
    }

    private void recheck() {
        if (!down) {
            return;
        }
        long deadline = vertx.setTimer(timeout.toMillis(), id -> vertx.setTimer(RECHECK.toMillis(), again -> recheck()));
        pings.request(ping).compose(request -> request.send()).onComplete(answer -> {
            if (vertx.cancelTimer(deadline)) {
                if (answer.succeeded()) {
                    answer.result().body();
                    alive();
                } else {
                    vertx.setTimer(RECHECK.toMillis(), again -> recheck());
                }
            }
        });
    }
}
