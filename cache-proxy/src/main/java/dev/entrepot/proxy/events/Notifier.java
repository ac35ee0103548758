package dev.entrepot.proxy.events;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.EntrepotConfig.EventKind;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.repository.ImageEvent;
import dev.entrepot.proxy.repository.ImageEvents;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Image change notifications: each event a configured endpoint wants is written to that endpoint's outbox (durably,
 * before the change is acknowledged) and delivered in the background by its {@link Delivery}. A slow or dead
 * endpoint only makes its outbox grow. Endpoints come from the config generation in force; outboxes outlive
 * reloads and restarts (under {@code <store>/events/<endpoint>/}).
 */
public final class Notifier implements ImageEvents {
    private static final Logger LOG = Logger.getLogger(Notifier.class);

    private final Path root;
    private final Vertx vertx;
    private final HttpClient http;
    private final ProxyMetrics metrics;
    private final Clock clock;
    private volatile EntrepotConfig.Notifications config = new EntrepotConfig.Notifications(null, null, List.of());
    private volatile Map<String, Delivery> deliveries = Map.of();

    public Notifier(Path storeRoot, Vertx vertx, HttpClient http, ProxyMetrics metrics, Clock clock) {
        this.root = storeRoot.resolve("events");
        this.vertx = vertx;
        this.http = http;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Applies a config generation (blocking: reads header files); undelivered events of every endpoint stay. */
    public synchronized void configure(EntrepotConfig.Notifications next) {
        Map<String, Delivery> built = new LinkedHashMap<>();
        for (EntrepotConfig.Endpoint endpoint : next.endpoints()) {
            try {
                Outbox outbox = new Outbox(root.resolve(endpoint.name()), root.resolve(".tmp"));
                ProxyMetrics.EndpointMetrics meters = metrics.endpoint(endpoint.name(), () -> pending(outbox));
                built.put(endpoint.name(), new Delivery(endpoint, headers(endpoint), outbox, next.maxAge(), vertx,
                        http, clock, meters));
            } catch (IOException e) {
                throw new ConfigException("notifications", List.of("notifications.endpoints[" + endpoint.name()
                        + "]: cannot prepare its outbox: " + e.getMessage()));
            }
        }
        deliveries.values().forEach(Delivery::stop);
        config = next;
        deliveries = Map.copyOf(built);
        built.values().forEach(Delivery::kick); // what earlier runs left undelivered
    }

    /** Starts deliveries that have work and are idle (a periodic nudge after failures or a restart). */
    public void kick() {
        deliveries.values().forEach(Delivery::kick);
    }

    @Override
    public void emit(ImageEvent event) {
        EventKind kind = EventKind.valueOf(event.kind().name());
        byte[] body = null;
        for (Delivery delivery : deliveries.values()) {
            EntrepotConfig.Endpoint endpoint = delivery.endpoint();
            if (!endpoint.events().contains(kind)
                    || !endpoint.repositories().isEmpty() && !endpoint.repositories().contains(event.repository())) {
                continue;
            }
            if (body == null) {
                body = CloudEvents.of(event, host(event));
            }
            try {
                delivery.outbox().append(clock.millis(), body);
                delivery.kick();
            } catch (IOException e) {
                // The change itself is done and durable; losing its notice is logged and counted, not a failed push.
                LOG.errorf("cannot record an event for endpoint %s: %s", endpoint.name(), e.getMessage());
                metrics.endpoint(endpoint.name(), () -> 0).dropped();
            }
        }
    }

    private String host(ImageEvent event) {
        if (config.host() != null) {
            return config.host();
        }
        return event.host() != null ? event.host() : "localhost";
    }

    private static double pending(Outbox outbox) {
        try {
            return outbox.size();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    private static Map<String, String> headers(EntrepotConfig.Endpoint endpoint) throws IOException {
        Map<String, String> headers = new HashMap<>();
        if (endpoint.headersFile() == null) {
            return headers;
        }
        for (String line : Files.readString(endpoint.headersFile(), StandardCharsets.UTF_8).split("\n")) {
            int colon = line.indexOf(':');
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (colon <= 0) {
                throw new IOException(endpoint.headersFile() + ": lines must be 'Name: value'");
            }
            headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        return headers;
    }
}
