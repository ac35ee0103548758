package dev.entrepot.operator.probe;

import java.util.Set;

/** Asks a namespace's proxy which entrepot.yaml it applied and which repositories it serves. */
public interface ProxyProbe {

    Report probe(ProxyEndpoint endpoint);

    enum Outcome {
        /** The proxy answered with what it applied and serves. */
        ANSWERED,
        /** No answer (connection refused, unknown host, timeout, an HTTP error without a health report). */
        UNREACHABLE,
        /** An answer without configSha256: a proxy older than this operator. */
        OUTDATED,
        /** Probing is disabled. */
        NOT_PROBED
    }

    /**
     * @param up the proxy's own readiness verdict (false when, for example, its store is not writable)
     * @param configSha256 sha256 hex of the entrepot.yaml bytes the proxy applied
     * @param rejected the proxy's message about the last file it refused, null when it refused none since
     * @param detail human-readable: what was asked and what came back, or why nothing did
     */
    record Report(Outcome outcome, boolean up, String configSha256, Set<String> served, Set<String> unserved,
            String rejected, String detail) {

        public static Report answered(boolean up, String configSha256, Set<String> served, Set<String> unserved,
                String rejected, String detail) {
            return new Report(Outcome.ANSWERED, up, configSha256, Set.copyOf(served), Set.copyOf(unserved), rejected,
                    detail);
        }

        public static Report unreachable(String detail) {
            return new Report(Outcome.UNREACHABLE, false, null, Set.of(), Set.of(), null, detail);
        }

        public static Report outdated(String detail) {
            return new Report(Outcome.OUTDATED, false, null, Set.of(), Set.of(), null, detail);
        }

        public static Report notProbed(String detail) {
            return new Report(Outcome.NOT_PROBED, false, null, Set.of(), Set.of(), null, detail);
        }
    }
}
