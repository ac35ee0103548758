package dev.entrepot.proxy.agent;

import java.time.Instant;
import java.util.List;
import java.util.SortedSet;

/**
 * What one node's agent reports at {@code /status}; {@link #ready()} is its readiness, so the
 * DaemonSet's ready count (which the operator shows) counts the nodes where the mirror works.
 *
 * @param syncError why the last sync failed, null when it did not
 * @param ignored ConfigMap keys that are no host's hosts.toml
 */
public record NodeStatus(String node, String hostsDir, ContainerdConfigCheck.Result containerd,
        SortedSet<String> managed, SortedSet<String> backedUp, List<String> ignored, Instant lastSync,
        String syncError, boolean proxyDown) {

    /** The node pulls through the mirror: the files are in place and containerd reads them. */
    public boolean ready() {
        return lastSync != null && syncError == null && containerd != null && containerd.ok();
    }

    String json() {
        return "{\"node\":" + q(node) + ",\"ready\":" + ready() + ",\"hostsDir\":" + q(hostsDir)
                + ",\"containerd\":{\"configPath\":" + q(containerd == null ? null : containerd.configPath())
                + ",\"verdict\":" + q(containerd == null ? null : containerd.verdict().name())
                + ",\"detail\":" + q(containerd == null ? null : containerd.detail()) + "}"
                + ",\"managed\":" + list(managed) + ",\"backedUp\":" + list(backedUp) + ",\"ignored\":" + list(ignored)
                + ",\"lastSync\":" + q(lastSync == null ? null : lastSync.toString()) + ",\"syncError\":" + q(syncError)
                + ",\"proxyDown\":" + proxyDown + "}";
    }

    private static String list(java.util.Collection<String> values) {
        return "[" + String.join(",", values.stream().map(NodeStatus::q).toList()) + "]";
    }

    private static String q(String value) {
        return value == null ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
