package dev.entrepot.proxy.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The node pulls through the mirror: the files are in place and containerd reads them. */
    public boolean ready() {
        return lastSync != null && syncError == null && containerd != null && containerd.ok();
    }

    String json() {
        ObjectNode json = JSON.createObjectNode().put("node", node).put("ready", ready()).put("hostsDir", hostsDir);
        json.putObject("containerd")
                .put("configPath", containerd == null ? null : containerd.configPath())
                .put("verdict", containerd == null ? null : containerd.verdict().name())
                .put("detail", containerd == null ? null : containerd.detail());
        managed.forEach(json.putArray("managed")::add);
        backedUp.forEach(json.putArray("backedUp")::add);
        ignored.forEach(json.putArray("ignored")::add);
        json.put("lastSync", lastSync == null ? null : lastSync.toString()).put("syncError", syncError)
                .put("proxyDown", proxyDown);
        return json.toString();
    }
}
