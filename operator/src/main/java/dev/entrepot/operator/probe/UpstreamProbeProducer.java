package dev.entrepot.operator.probe;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import dev.entrepot.operator.config.OperatorConfig;
import io.quarkus.arc.DefaultBean;

/** Wires the probe used for UpstreamReachable: HTTP, cached; or a no-op when disabled. */
@ApplicationScoped
public class UpstreamProbeProducer {

    @Produces
    @DefaultBean
    @ApplicationScoped
    UpstreamProbe upstreamProbe(OperatorConfig config) {
        OperatorConfig.UpstreamProbe settings = config.upstreamProbe();
        if (!settings.enabled()) {
            return url -> UpstreamProbe.Result.unknown("probing disabled by entrepot.operator.upstream-probe.enabled");
        }
        return new CachingUpstreamProbe(new HttpUpstreamProbe(settings.timeout()), settings.cacheFor(),
                Clock.systemUTC());
    }
}
