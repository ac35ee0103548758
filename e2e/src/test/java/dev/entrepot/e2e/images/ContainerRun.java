package dev.entrepot.e2e.images;

import dev.entrepot.e2e.support.Containerd;
import dev.entrepot.e2e.support.ManagedProcess;
import dev.entrepot.e2e.support.Poll;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.VolumeMount;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One container of a pod spec run by containerd + runc ({@code ctr run}) the way a kubelet would run it:
 * the image's own entrypoint and user, the container's env, its volume mounts bound from host
 * directories (read-only where the spec says so), a read-only root file system when the spec asks for
 * one. Host networking: ports are the env's business ({@code QUARKUS_HTTP_PORT}), so tests override it
 * with a free port. The ctr client's output is the container's stdout and stderr.
 */
final class ContainerRun implements AutoCloseable {
    /**
     * Snapshotter for pulls and runs: overlayfs shares the base layer between images and containers (native copies
     * the whole rootfs for every layer and container: gigabytes here); native where overlayfs is not available.
     */
    static final String SNAPSHOTTER = System.getProperty("entrepot.e2e.snapshotter", "overlayfs");

    private final Containerd containerd;
    private final String id;
    private final ManagedProcess process;

    private ContainerRun(Containerd containerd, String id, ManagedProcess process) {
        this.containerd = containerd;
        this.id = id;
        this.process = process;
    }

    /**
     * @param containerdDir the directory {@link Containerd#start} was given (its socket is there)
     * @param volumes  host directory for each volume name the container mounts
     * @param envOverrides env replacing (or adding to) the container's
     */
    static ContainerRun start(Containerd containerd, Path containerdDir, String image, String id, Container container,
                              Map<String, Path> volumes, Map<String, String> envOverrides, Path log) {
        // What ctr cannot do as a kubelet would is refused rather than silently left out.
        if (!container.getCommand().isEmpty() || !container.getArgs().isEmpty()
                || (container.getSecurityContext() != null && container.getSecurityContext().getRunAsUser() != null)) {
            throw new IllegalArgumentException("ContainerRun runs the image's own entrypoint and user only: " + container);
        }
        List<String> command = new ArrayList<>(List.of("ctr", "--address", containerdDir.resolve("containerd.sock").toString(), "run",
                "--rm", "--snapshotter", SNAPSHOTTER, "--net-host"));
        if (container.getSecurityContext() != null
                && Boolean.TRUE.equals(container.getSecurityContext().getReadOnlyRootFilesystem())) {
            command.add("--read-only");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var.getValue());
        }
        env.putAll(envOverrides);
        env.forEach((name, value) -> command.addAll(List.of("--env", name + "=" + value)));
        for (VolumeMount mount : container.getVolumeMounts()) {
            Path source = volumes.get(mount.getName());
            if (source == null) {
                throw new IllegalArgumentException("no host directory for volume " + mount.getName());
            }
            String mode = Boolean.TRUE.equals(mount.getReadOnly()) ? "ro" : "rw";
            command.addAll(List.of("--mount", "type=bind,src=" + source + ",dst=" + mount.getMountPath()
                    + ",options=rbind:" + mode));
        }
        command.add(image);
        command.add(id);
        return new ContainerRun(containerd, id, ManagedProcess.start("ctr run " + id, command, log, Map.of()));
    }

    boolean isRunning() {
        return process.isAlive();
    }

    /** The container's exit code (ctr run passes it on), waiting at most {@code timeout}. */
    int awaitExit(Duration timeout) {
        Poll.until(timeout, () -> !process.isAlive(), () -> "container " + id + " to exit\n" + output());
        return process.exitCode();
    }

    String output() {
        return process.logTail(200);
    }

    /** SIGTERM to the task (what a kubelet sends), SIGKILL if it is still there after 10 seconds. */
    @Override
    public void close() {
        if (process.isAlive()) {
            containerd.ctr("tasks", "kill", "--signal", "SIGTERM", id);
            try {
                Poll.until(Duration.ofSeconds(10), () -> !process.isAlive(), () -> "container " + id + " to stop");
            } catch (AssertionError e) {
                containerd.ctr("tasks", "kill", "--signal", "SIGKILL", id);
            }
        }
        process.stop();
        // ctr run --rm removes the container after its task; these only matter when the client died first
        containerd.ctr("tasks", "delete", "--force", id);
        containerd.ctr("containers", "delete", id);
    }
}
