package dev.entrepot.operator.render;

import java.time.Duration;

/**
 * Pure function: {@link HostsToml} to the text of containerd's {@code certs.d/<host>/hosts.toml}.
 * The mirror gets pull and resolve only (never push), and, being a different host than the
 * server, is asked with {@code ?ns=<registry host>}, which is how the proxy finds the repository
 * that mirrors it: no {@code override_path}. Fields a containerd version rejects are left out:
 * {@code dial_timeout} exists from containerd 2.1 on.
 */
public final class HostsTomlRenderer {

    private HostsTomlRenderer() {
    }

    public static String render(HostsToml hosts) {
        StringBuilder toml = new StringBuilder()
                .append("# Rendered by the Entrepot operator (namespace ").append(hosts.namespace())
                .append(") for containerd ").append(hosts.containerd()).append(".\n")
                .append("# Its node agent writes this file and puts back what was here when the mirror goes.\n")
                .append("server = ").append(quote(hosts.server())).append("\n\n")
                .append("[host.").append(quote(hosts.mirrorUrl())).append("]\n")
                .append("  capabilities = [\"pull\", \"resolve\"]\n");
        if (hosts.ca() != null) {
            toml.append("  ca = ").append(quote(hosts.ca())).append('\n');
        }
        if (hosts.skipVerify()) {
            toml.append("  skip_verify = true\n");
        }
        if (hosts.containerd().atLeast(2, 1) && hosts.dialTimeout() != null) {
            toml.append("  dial_timeout = ").append(quote(goDuration(hosts.dialTimeout()))).append('\n');
        }
        return toml.toString();
    }

    /** Go's time.ParseDuration spelling, as containerd reads it: 1s, 500ms. */
    static String goDuration(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** A TOML basic string. */
    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
