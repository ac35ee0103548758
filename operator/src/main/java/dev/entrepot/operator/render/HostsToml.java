package dev.entrepot.operator.render;

import java.time.Duration;

import dev.entrepot.operator.plan.NodeMirrorSettings.ContainerdVersion;

/**
 * One containerd hosts.toml: pulls of {@code registryHost} go to {@code mirrorUrl} first and to
 * {@code server}, the registry itself, when the mirror fails.
 *
 * @param ca a CA file for an https mirror, null for none
 * @param dialTimeout rendered only for containerd 2.1 and later, which know the field
 */
public record HostsToml(String namespace, String registryHost, String server, String mirrorUrl,
        ContainerdVersion containerd, Duration dialTimeout, String ca, boolean skipVerify) {

    /** The registry's own endpoint, as containerd would use it without a hosts.toml. */
    public static String serverFor(String registryHost) {
        return registryHost.equals("docker.io") ? "https://registry-1.docker.io" : "https://" + registryHost;
    }
}
