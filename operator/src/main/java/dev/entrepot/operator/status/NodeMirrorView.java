package dev.entrepot.operator.status;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;

/**
 * What the operator knows of the namespace's node agents when it decides NodeMirror: an agent is
 * Ready once its node pulls through the mirror (files written, containerd's config_path right),
 * so the DaemonSet's ready count is the number of such nodes.
 *
 * @param enabled whether the node mirror runs in this namespace
 * @param daemonSet null until it exists
 */
public record NodeMirrorView(boolean enabled, DaemonSet daemonSet, String hostsDir, String mirrorUrl) {

    public static NodeMirrorView disabled() {
        return new NodeMirrorView(false, null, null, null);
    }

    int desired() {
        return daemonSet == null || daemonSet.getStatus() == null || daemonSet.getStatus().getDesiredNumberScheduled() == null
                ? 0 : daemonSet.getStatus().getDesiredNumberScheduled();
    }

    int ready() {
        return daemonSet == null || daemonSet.getStatus() == null || daemonSet.getStatus().getNumberReady() == null
                ? 0 : daemonSet.getStatus().getNumberReady();
    }
}
