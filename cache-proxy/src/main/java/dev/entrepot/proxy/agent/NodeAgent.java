package dev.entrepot.proxy.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;

/**
 * The node agent: a plain {@code main} in the proxy's image (no Quarkus runtime, none of the
 * proxy's beans, so no store, no config watcher and a few tens of MiB), started by the DaemonSet
 * the operator renders with {@code java -cp <the image's app and lib jars> dev.entrepot.proxy.agent.NodeAgent}.
 * It writes containerd's hosts.toml files from the mounted ConfigMap, serves the mirror address
 * they name, and on SIGTERM gives every host back (restoring what was there) before it exits.
 */
public final class NodeAgent {

    /** Not static: the log manager must be chosen before the first logger exists. */
    private static Logger log;

    private NodeAgent() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.manager", AgentLogManager.class.getName());
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        log = Logger.getLogger(NodeAgent.class.getName());
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        AgentSettings settings;
        try {
            settings = AgentSettings.from(System.getenv());
        } catch (IllegalArgumentException e) {
            log.severe(e.getMessage());
            System.exit(2);
            return;
        }
        HostsDirectory hosts = new HostsDirectory(settings.hostsDir());
        Files.createDirectories(hosts.lockFile().getParent());
        FileChannel lockChannel = FileChannel.open(hosts.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            log.severe("another node agent manages " + settings.hostsDir() + " (it holds " + hosts.lockFile() + ")");
            System.exit(2);
            return;
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false)));
        AgentMetrics metrics = new AgentMetrics();
        ProxyForwarder forwarder = new ProxyForwarder(vertx, settings, metrics);
        MirrorSync sync = new MirrorSync(settings, hosts, metrics, forwarder::proxyDown, Clock.systemUTC());
        forwarder.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        new StatusServer(vertx, settings.statusListen(), sync::status, metrics).start()
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "entrepot-node-agent-sync");
            t.setDaemon(true);
            return t;
        });
        loop.scheduleWithFixedDelay(sync::run, 0, settings.syncInterval().toMillis(), TimeUnit.MILLISECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(settings, loop, sync, forwarder, vertx, lock),
                "entrepot-node-agent-stop"));
        log.info("node agent on " + settings.nodeName() + ": mirror on " + settings.listen() + " forwarding to "
                + settings.proxy() + ", hosts.toml files from " + settings.sourceDir() + " into " + settings.hostsDir()
                + ", status on " + settings.statusListen());
    }

    /** Files first, so containerd stops sending pulls here; then the pulls in flight get a moment to end. */
    private static void stop(AgentSettings settings, ScheduledExecutorService loop, MirrorSync sync,
            ProxyForwarder forwarder, Vertx vertx, FileLock lock) {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
            sync.releaseAll();
            log.info("stopping: every managed hosts.toml was given back");
        } catch (IOException | RuntimeException e) {
            log.log(Level.SEVERE, "stopping: could not give every hosts.toml back (the next agent finishes it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        while (forwarder.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            lock.release();
        } catch (Exception e) {
            log.log(Level.FINE, "closing", e);
        }
    }
}
