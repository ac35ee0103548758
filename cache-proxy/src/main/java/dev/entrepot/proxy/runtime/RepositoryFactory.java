package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.cache.CacheStores;
import dev.entrepot.proxy.cache.FreshnessPolicy;
import dev.entrepot.proxy.cache.PullThroughRepository;
import dev.entrepot.proxy.cache.Upstream;
import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.hosted.HostedRepository;
import dev.entrepot.proxy.hosted.HostedStores;
import dev.entrepot.proxy.metrics.ProxyMetrics;
import dev.entrepot.proxy.repository.Repositories;
import dev.entrepot.proxy.repository.Repository;
import dev.entrepot.proxy.repository.TagChanges;
import dev.entrepot.proxy.upstream.BearerChallengeAuthenticator;
import dev.entrepot.proxy.upstream.HttpUpstreamClient;
import dev.entrepot.proxy.upstream.UpstreamHealth;
import dev.entrepot.proxy.virtual.VirtualRepository;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one config generation into a routing table. Two passes: remote and standard repositories first, then the
 * virtual ones over them (a virtual repository never lists another virtual one). Reads credential files, so call
 * it off the event loop.
 */
final class RepositoryFactory {
    private final Vertx vertx;
    private final HttpClient http;
    private final HttpUpstreamClient.Settings upstreamSettings;
    private final CacheStores cache;
    private final HostedStores hosted;
    private final TagChanges tagChanges;
    private final ProxyMetrics metrics;
    private final UpstreamStatuses statuses;

    RepositoryFactory(Vertx vertx, HttpClient http, HttpUpstreamClient.Settings upstreamSettings, CacheStores cache,
                      HostedStores hosted, TagChanges tagChanges, ProxyMetrics metrics, UpstreamStatuses statuses) {
        this.vertx = vertx;
        this.http = http;
        this.upstreamSettings = upstreamSettings;
        this.cache = cache;
        this.hosted = hosted;
        this.tagChanges = tagChanges;
        this.metrics = metrics;
        this.statuses = statuses;
    }

    Repositories build(EntrepotConfig config) {
        Map<String, Repository> byName = new LinkedHashMap<>();
        for (EntrepotConfig.Repository spec : config.repositories()) {
            switch (spec.mode()) {
                case REMOTE -> byName.put(spec.name(), remote(spec));
                case STANDARD -> byName.put(spec.name(), new HostedRepository(spec.name(),
                        spec.standard().immutableTags(), hosted, metrics.repository(spec.name())));
                case VIRTUAL -> { }
            }
        }
        for (EntrepotConfig.Repository spec : config.repositories()) {
            if (spec.mode() == EntrepotConfig.Mode.VIRTUAL) {
                byName.put(spec.name(), virtual(spec, byName));
            }
        }
        Map<String, Repository> byHost = new LinkedHashMap<>();
        for (EntrepotConfig.Repository spec : config.repositories()) {
            for (String host : spec.mirrorOf()) {
                byHost.putIfAbsent(Repositories.normalizeHost(host), byName.get(spec.name()));
            }
        }
        return new Repositories(byName, byHost);
    }

    /** Over repositories built in the first pass (the loader made sure they exist and none is virtual). */
    private Repository virtual(EntrepotConfig.Repository spec, Map<String, Repository> built) {
        EntrepotConfig.Virtual v = spec.virtual();
        List<VirtualRepository.Member> members = v.upstreams().stream()
                .map(u -> new VirtualRepository.Member(built.get(u.repository()), u.priority())).toList();
        return VirtualRepository.over(spec.name(), members, v.pushTo() == null ? null : built.get(v.pushTo()),
                v.resolutionTtl(), v.equalPriority(), tagChanges, metrics.virtual(spec.name()));
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
        UpstreamHealth health = statuses.health(spec.name(), remote.url());
        HttpUpstreamClient client = new HttpUpstreamClient(vertx, http, remote.url(), auth, repoMetrics, health,
                upstreamSettings);
        statuses.register(spec.name(), health, client);
        boolean dockerHub = spec.mirrorOf().stream().map(Repositories::normalizeHost).anyMatch("docker.io"::equals)
                || Repositories.normalizeHost(remote.url().getHost()).equals("docker.io");
        return new PullThroughRepository(new Upstream(spec.name(), dockerHub, client,
                new FreshnessPolicy(remote.tagTtl(), remote.notFoundTtl()), repoMetrics), cache);
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
