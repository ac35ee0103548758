package dev.entrepot.operator.probe;

import dev.entrepot.operator.config.OperatorConfig;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** Wires the probes behind UpstreamReachable and Ready, and the counts in status: HTTP, cached; or a no-op when disabled. */
@ApplicationScoped
public class ProbeProducer {

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

    @Produces
    @DefaultBean
    @ApplicationScoped
    ProxyProbe proxyProbe(OperatorConfig config) {
        OperatorConfig.Proxy.Probe settings = config.proxy().probe();
        if (!settings.enabled()) {
            return endpoint -> ProxyProbe.Report.notProbed("asking the proxy is disabled by"
                    + " entrepot.operator.proxy.probe.enabled; its Deployment has an available replica, whether it"
                    + " serves the latest configuration is not known");
        }
        return new CachingProxyProbe(new HttpProxyProbe(settings.timeout(), HttpProxyProbe::serviceEndpoint),
                settings.cacheFor(), Clock.systemUTC());
    }

    @Produces
    @DefaultBean
    @ApplicationScoped
    ProxyListing proxyListing(OperatorConfig config) {
        OperatorConfig.Proxy.Counts settings = config.proxy().counts();
        if (!settings.enabled()) {
            return endpoint -> ProxyListing.Listing.failed("counts are disabled by entrepot.operator.proxy.counts.enabled");
        }
        return new CachingProxyListing(new HttpProxyListing(config.proxy().probe().timeout(),
                HttpProxyListing::serviceEndpoint), settings.refresh(), Clock.systemUTC());
    }
}
