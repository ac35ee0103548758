package dev.entrepot.proxy.agent;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One pass of the agent's loop: read the mounted ConfigMap, make the hosts directory match it,
 * check containerd's config_path, publish the result. Runs every sync interval, so a ConfigMap
 * change (the kubelet refreshes the mount within about a minute) and a hand-edited or deleted
 * managed file are both put right within seconds. Logs only what changed.
 */
final class MirrorSync {

    private static final Logger LOG = Logger.getLogger(MirrorSync.class.getName());

    private final AgentSettings settings;
    private final MirrorSource source;
    private final HostsDirectory hosts;
    private final AgentMetrics metrics;
    private final BooleanSupplier proxyDown;
    private final Clock clock;
    private volatile NodeStatus status;
    private ContainerdConfigCheck.Result lastCheck;
    private List<String> lastIgnored = List.of();
    private boolean released;

    MirrorSync(AgentSettings settings, HostsDirectory hosts, AgentMetrics metrics, BooleanSupplier proxyDown, Clock clock) {
        this.settings = settings;
        this.source = new MirrorSource(settings.sourceDir());
        this.hosts = hosts;
        this.metrics = metrics;
        this.proxyDown = proxyDown;
        this.clock = clock;
        this.status = new NodeStatus(settings.nodeName(), settings.hostsDir().toString(), null, new TreeSet<>(),
                new TreeSet<>(), List.of(), null, "not synced yet", false);
    }

    NodeStatus status() {
        NodeStatus s = status;
        return new NodeStatus(s.node(), s.hostsDir(), s.containerd(), s.managed(), s.backedUp(), s.ignored(),
                s.lastSync(), s.syncError(), proxyDown.getAsBoolean());
    }

    synchronized void run() {
        if (released) {
            return;
        }
        ContainerdConfigCheck.Result check = ContainerdConfigCheck.check(settings.containerdConfig(),
                settings.hostsDir(), settings.containerdVersion());
        if (lastCheck == null || !Objects.equals(lastCheck.detail(), check.detail())) {
            LOG.log(check.ok() ? Level.INFO : Level.WARNING, "containerd config_path: " + check.detail());
            lastCheck = check;
        }
        metrics.configPathOk(check.ok());
        try {
            MirrorSource.Contents contents = source.read();
            if (!contents.ignored().equals(lastIgnored)) {
                contents.ignored().forEach(i -> LOG.warning("ConfigMap key ignored: " + i));
                lastIgnored = contents.ignored();
            }
            HostsDirectory.Outcome outcome = hosts.apply(contents.files());
            outcome.changes().forEach(LOG::info);
            metrics.managedHosts(outcome.managed().size());
            metrics.sync(true);
            status = new NodeStatus(settings.nodeName(), settings.hostsDir().toString(), check, outcome.managed(),
                    outcome.backedUp(), contents.ignored(), clock.instant(), null, false);
        } catch (IOException | RuntimeException e) {
            metrics.sync(false);
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!error.equals(status.syncError())) {
                LOG.log(Level.WARNING, "sync of " + settings.hostsDir() + " failed: " + error, e);
            }
            NodeStatus before = status;
            status = new NodeStatus(settings.nodeName(), settings.hostsDir().toString(), check, before.managed(),
                    before.backedUp(), before.ignored(), clock.instant(), error, false);
        }
    }

    /** Gives every managed host back; the agent is stopping. */
    synchronized void releaseAll() throws IOException {
        released = true;
        hosts.releaseAll().changes().forEach(LOG::info);
        metrics.managedHosts(0);
    }
}
