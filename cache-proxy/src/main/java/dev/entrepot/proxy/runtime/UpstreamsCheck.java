package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.upstream.UpstreamHealth;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code /q/health/group/upstreams}: each remote repository's upstream in words, DOWN while one of them is
 * unreachable. A group of its own and never readiness or liveness, so that a dead Docker Hub never takes the proxy out
 * of its Service (it still serves what it has cached). Asks no upstream: it reports what the last fetches saw.
 */
@HealthGroup(UpstreamsCheck.GROUP)
@ApplicationScoped
public class UpstreamsCheck implements HealthCheck {
    public static final String GROUP = "upstreams";

    @Inject
    ProxyRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(GROUP);
        boolean allUp = true;
        for (UpstreamStatuses.Entry entry : runtime.upstreams()) {
            UpstreamHealth.Report report = entry.health().report();
            allUp &= report.state() != UpstreamHealth.State.UNREACHABLE;
            response.withData(entry.repository(), inWords(report));
        }
        return response.status(allUp).build();
    }

    /** e.g. {@code unreachable at 2026-12-02T08:00:00Z: cannot reach upstream 127.0.0.1:5001: connection refused}. */
    static String inWords(UpstreamHealth.Report report) {
        String host = report.url().getHost() + (report.url().getPort() > 0 ? ":" + report.url().getPort() : "");
        return switch (report.state()) {
            case UNKNOWN -> "unknown: " + host + " not asked since the proxy started";
            case REACHABLE -> "reachable: " + host + " answered at " + report.lastSuccess();
            case UNREACHABLE -> "unreachable at " + report.lastFailure() + ": " + report.lastFailureCause()
                    + (report.lastSuccess() == null ? "" : " (last answer at " + report.lastSuccess() + ")");
        };
    }
}
