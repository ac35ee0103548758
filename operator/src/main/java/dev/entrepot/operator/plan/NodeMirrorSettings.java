package dev.entrepot.operator.plan;

import java.time.Duration;
import java.util.Optional;

import dev.entrepot.operator.config.OperatorConfig;

/** The operator's node mirror settings, as plain data for pure renderers (see {@link OperatorConfig.NodeMirror}). */
public record NodeMirrorSettings(
        Optional<String> namespace,
        ContainerdVersion containerdVersion,
        String hostsDir,
        String containerdConfig,
        int port,
        int statusPort,
        Duration dialTimeout) {

    /** A containerd release line, compared by major and minor. */
    public record ContainerdVersion(int major, int minor) {

        public static ContainerdVersion parse(String text) {
            String[] parts = text.trim().replaceFirst("^v", "").split("\\.");
            try {
                return new ContainerdVersion(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("containerd version must look like 1.7 or 2.1, got '" + text + "'");
            }
        }

        public boolean atLeast(int major, int minor) {
            return this.major > major || this.major == major && this.minor >= minor;
        }

        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    public static NodeMirrorSettings from(OperatorConfig config) {
        OperatorConfig.NodeMirror m = config.nodeMirror();
        return new NodeMirrorSettings(m.namespace().filter(ns -> !ns.isBlank()),
                ContainerdVersion.parse(m.containerdVersion()), m.hostsDir(), m.containerdConfig(), m.port(),
                m.statusPort(), m.dialTimeout());
    }

    /** Defaults matching OperatorConfig's, with the node mirror in {@code namespace}. */
    public static NodeMirrorSettings defaults(String namespace) {
        return new NodeMirrorSettings(Optional.ofNullable(namespace), new ContainerdVersion(1, 7),
                "/etc/containerd/certs.d", "/etc/containerd/config.toml", 5050, 5051, Duration.ofSeconds(1));
    }

    public boolean enabledFor(String namespace) {
        return this.namespace.filter(namespace::equals).isPresent();
    }

    /** The address hosts.toml names: the agent on the node's loopback interface. */
    public String mirrorUrl() {
        return "http://127.0.0.1:" + port;
    }
}
