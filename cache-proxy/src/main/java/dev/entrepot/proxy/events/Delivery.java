package dev.entrepot.proxy.events;

import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.metrics.ProxyMetrics.EndpointMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Delivers one endpoint's outbox, oldest first, one event at a time (so they arrive in order), at least once: an
 * event leaves the outbox only after a 2xx. Failures back off exponentially from one second to at most 30; an
 * event older than {@code maxAge} is dropped with a log line and a metric. Pushes never wait for any of this.
 */
final class Delivery {
    private static final Logger LOG = Logger.getLogger(Delivery.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final EntrepotConfig.Endpoint endpoint;
    private final Map<String, String> headers;
    private final Outbox outbox;
    private final Vertx vertx;
    private final HttpClient http;
    private final Clock clock;
    private final EndpointMetrics metrics;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Duration maxAge;
    private volatile boolean stopped;
    private Duration backoff = FIRST_BACKOFF;

    Delivery(EntrepotConfig.Endpoint endpoint, Map<String, String> headers, Outbox outbox, Duration maxAge, Vertx vertx,
             HttpClient http, Clock clock, EndpointMetrics metrics) {
        this.endpoint = endpoint;
        this.headers = headers;
        this.outbox = outbox;
        this.maxAge = maxAge;
        this.vertx = vertx;
        this.http = http;
        this.clock = clock;
        this.metrics = metrics;
    }

    EntrepotConfig.Endpoint endpoint() {
        return endpoint;
    }

    Outbox outbox() {
        return outbox;
    }

    /** Starts delivering what is waiting, unless a delivery is already under way or backing off. */
    void kick() {
        if (!stopped && running.compareAndSet(false, true)) {
            next();
        }
    }

    void stop() {
        stopped = true;
    }

    private void next() {
        if (stopped) {
            running.set(false);
            return;
        }
        vertx.executeBlocking(outbox::oldest, false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.errorf("cannot read the outbox of endpoint %s: %s", endpoint.name(), ar.cause().getMessage());
                retryLater();
                return;
            }
            if (ar.result().isEmpty()) {
                running.set(false);
                return;
            }
            Outbox.Pending event = ar.result().get();
            if (clock.millis() - event.writtenMillis() > maxAge.toMillis()) {
                LOG.warnf("dropping an event to %s older than %s that it never accepted", endpoint.name(), maxAge);
                metrics.dropped();
                removeThenNext(event);
                return;
            }
            post(event.body()).onComplete(sent -> {
                if (sent.succeeded()) {
                    metrics.delivered();
                    backoff = FIRST_BACKOFF;
                    removeThenNext(event);
                } else {
                    metrics.failed();
                    LOG.debugf("delivery to %s failed, next try in %s: %s", endpoint.name(), backoff,
                            sent.cause().getMessage());
                    retryLater();
                }
            });
        });
    }

    private void removeThenNext(Outbox.Pending event) {
        vertx.executeBlocking(() -> {
            outbox.remove(event);
            return null;
        }, false).onComplete(ar -> next());
    }

    private void retryLater() {
        Duration wait = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        vertx.setTimer(wait.toMillis(), id -> next());
    }

    private Future<Void> post(byte[] body) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(endpoint.url().toString())
                .setTimeout(TIMEOUT.toMillis()).putHeader("Content-Type", CloudEvents.CONTENT_TYPE);
        headers.forEach(options::putHeader);
        return http.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().compose(ignored -> response.statusCode() / 100 == 2
                        ? Future.<Void>succeededFuture()
                        : Future.failedFuture("HTTP " + response.statusCode())));
    }
}
