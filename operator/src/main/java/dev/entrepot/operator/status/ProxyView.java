package dev.entrepot.operator.status;

import dev.entrepot.operator.probe.ProxyProbe;

/**
 * What the operator knows of a namespace's proxy when it decides Ready.
 *
 * @param available whether the proxy Deployment has an available replica
 * @param renderedSha256 sha256 of the entrepot.yaml the operator rendered into the ConfigMap
 * @param report the proxy's own answer; null when it was not asked (no available replica)
 */
public record ProxyView(boolean available, String renderedSha256, ProxyProbe.Report report) {

    public ProxyView {
        if (available && report == null) {
            throw new IllegalArgumentException("an available proxy is asked before Ready is decided");
        }
    }

    /** Whether the proxy answered but still runs an older configuration than the one rendered. */
    public boolean lagging() {
        return available && report != null && report.outcome() == ProxyProbe.Outcome.ANSWERED && report.up()
                && report.rejected() == null && !renderedSha256.equals(report.configSha256());
    }
}
