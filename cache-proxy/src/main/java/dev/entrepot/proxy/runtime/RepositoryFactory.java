package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.cache.FreshnessPolicy;
import dev.entrepot.proxy.cache.InflightFetches;
import dev.entrepot.proxy.cache.ManifestCache;
import dev.entrepot.proxy.cache.PullThroughRepository;
import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.repository.Repositories;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.MetadataStore;
import dev.entrepot.proxy.upstream.BearerChallengeAuthenticator;
import dev.entrepot.proxy.upstream.HttpUpstreamClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one config generation into a routing table of repositories over the shared store, download table and
 * manifest cache. Reads credential files, so call it off the event loop.
 */
final class RepositoryFactory {
    private final Vertx vertx;
    private final HttpClient http;
    private final HttpUpstreamClient.Settings upstreamSettings;
    private final BlobStore blobs;
    private final MetadataStore metadata;
    private final InflightFetches fetches;
    private final ManifestCache manifests;
    private final ProxyMetrics metrics;
    private final Clock clock;

    RepositoryFactory(Vertx vertx, HttpClient http, HttpUpstreamClient.Settings upstreamSettings, BlobStore blobs,
                      MetadataStore metadata, InflightFetches fetches, ManifestCache manifests, ProxyMetrics metrics,
                      Clock clock) {
        this.vertx = vertx;
        this.http = http;
        this.upstreamSettings = upstreamSettings;
        this.blobs = blobs;
        this.metadata = metadata;
        this.fetches = fetches;
        this.manifests = manifests;
        this.metrics = metrics;
        this.clock = clock;
    }

    Repositories build(EntrepotConfig config) {
        Map<String, Repository> byName = new LinkedHashMap<>();
        Map<String, Repository> byHost = new LinkedHashMap<>();
        for (EntrepotConfig.Repository spec : config.repositories()) {
            Repository repository = switch (spec.mode()) {
                case REMOTE -> remote(spec);
                case STANDARD -> new UnservedRepository(spec.name(), "standard");
                case VIRTUAL -> new UnservedRepository(spec.name(), "virtual");
            };
            byName.put(spec.name(), repository);
            for (String host : spec.mirrorOf()) {
                byHost.putIfAbsent(Repositories.normalizeHost(host), repository);
            }
        }
        return new Repositories(byName, byHost);
    }

    private Repository remote(EntrepotConfig.Repository spec) {
        EntrepotConfig.Remote remote = spec.remote();
        String username = null;
        String password = null;
        if (remote.credentials() != null) {
            username = readSecret(spec.name(), "usernameFile", remote.credentials().usernameFile());
            password = readSecret(spec.name(), "passwordFile", remote.credentials().passwordFile());
        }
        ProxyMetrics.RepositoryMetrics repoMetrics = metrics.repository(spec.name());
        BearerChallengeAuthenticator auth = new BearerChallengeAuthenticator(http, username, password,
                upstreamSettings.idleTimeout());
        HttpUpstreamClient upstream = new HttpUpstreamClient(vertx, http, remote.url(), auth, repoMetrics,
                upstreamSettings);
        boolean dockerHub = spec.mirrorOf().stream().map(Repositories::normalizeHost).anyMatch("docker.io"::equals)
                || Repositories.normalizeHost(remote.url().getHost()).equals("docker.io");
        return new PullThroughRepository(spec.name(), dockerHub, upstream, blobs, metadata, fetches, manifests,
                new FreshnessPolicy(remote.tagTtl()), repoMetrics, vertx, clock);
    }

    private static String readSecret(String repository, String field, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException("repository " + repository, List.of("remote.credentials." + field
                    + ": cannot read " + file + ": " + e));
        }
    }
}
