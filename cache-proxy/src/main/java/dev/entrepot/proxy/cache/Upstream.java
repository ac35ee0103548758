package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.metrics.ProxyMetrics.RepositoryMetrics;
import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.upstream.UpstreamClient;

/**
 * One remote repository's side of the cache: its name, the registry it caches, how long tags stay fresh, its
 * meters. Docker Hub keeps official images under {@code library/}: for it, single-segment names are rewritten.
 */
public record Upstream(String repository, boolean dockerHub, UpstreamClient client, FreshnessPolicy freshness,
                       RepositoryMetrics metrics) {

    /** The name as the upstream knows it. */
    public ImageName nameOf(ImageName requested) {
        return dockerHub ? requested.withDockerHubLibrary() : requested;
    }
}
