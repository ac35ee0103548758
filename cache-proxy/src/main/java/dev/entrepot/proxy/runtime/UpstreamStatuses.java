package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.upstream.HttpUpstreamClient;
import dev.entrepot.proxy.upstream.UpstreamHealth;
import io.vertx.core.Future;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every remote repository's upstream status, kept across config reloads while the repository keeps its URL (a new
 * URL starts from unknown; a few entries of URLs no longer configured may linger). The repository factory registers each upstream client it builds; readers get the
 * repositories of the config in force, in its order.
 */
public final class UpstreamStatuses {
    /** One remote repository's upstream: its status, and the client a probe goes through. */
    public record Entry(String repository, UpstreamHealth health, HttpUpstreamClient client) {
        public Future<UpstreamHealth.Report> probe() {
            return client.probe();
        }
    }

    private final Clock clock;
    private final Map<String, Entry> byRepositoryAndUrl = new ConcurrentHashMap<>();

    UpstreamStatuses(Clock clock) {
        this.clock = clock;
    }

    /** The status of {@code repository}'s upstream at {@code url}: the one kept so far, or a new one. */
    UpstreamHealth health(String repository, URI url) {
        Entry entry = byRepositoryAndUrl.get(key(repository, url));
        return entry != null ? entry.health() : new UpstreamHealth(url, clock);
    }

    void register(String repository, UpstreamHealth health, HttpUpstreamClient client) {
        byRepositoryAndUrl.put(key(repository, health.url()), new Entry(repository, health, client));
    }

    /** The remote repositories of {@code config} (the one in force), in its order. */
    public List<Entry> of(EntrepotConfig config) {
        return config.repositories().stream()
                .filter(r -> r.mode() == EntrepotConfig.Mode.REMOTE)
                .map(r -> byRepositoryAndUrl.get(key(r.name(), r.remote().url())))
                .filter(Objects::nonNull)
                .toList();
    }

    private static String key(String repository, URI url) {
        return repository + " " + url;
    }
}
