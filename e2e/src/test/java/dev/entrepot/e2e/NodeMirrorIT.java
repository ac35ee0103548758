package dev.entrepot.e2e;

import static dev.entrepot.e2e.PullThroughIT.delta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import dev.entrepot.e2e.support.ConfigMapVolume;
import dev.entrepot.e2e.support.Containerd;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.NodeAgentProcess;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.PrometheusText;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import dev.entrepot.operator.plan.NodeMirrorSettings.ContainerdVersion;
import dev.entrepot.operator.render.HostsToml;
import dev.entrepot.operator.render.HostsTomlRenderer;
import dev.entrepot.operator.render.NodeAgentRenderer;

/**
 * The node mirror on a real containerd (Debian's 1.6, as root, private config, root, state and socket):
 * the operator's renderer makes docker.io's hosts.toml, the node agent (the packaged proxy's jars with
 * the agent's entry point) writes it into containerd's hosts directory from a kubelet-style ConfigMap
 * volume, and {@code ctr images pull --hosts-dir} goes through the agent to the proxy. The hosts.toml
 * {@code server} is a second real docker-registry holding the same image, standing in for Docker Hub,
 * so that a pull the proxy cannot serve still succeeds, and so that we see who served it. The tests
 * run in order: each leaves the agent, proxy and files as the next expects.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeMirrorIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final String IMAGE = "docker.io/library/nmimg:1";
    /** containerd 1.6 refuses a hosts.toml without any [host] table ("invalid `host` tree"), so these name the server twice. */
    private static final String DIRECT = "server = \"%1$s\"\n\n[host.\"%1$s\"]\n  capabilities = [\"pull\", \"resolve\"]\n";
    private static final Duration RESYNC = Duration.ofSeconds(10);

    private static Upstream upstream;
    private static Upstream standIn;
    private static EntrepotProxy proxy;
    private static Containerd containerd;
    private static ConfigMapVolume configMap;
    private static NodeAgentProcess agent;
    private static Image image;
    private static Path directHosts;
    private static String usersFile;
    private static String untouched;

    @BeforeAll
    static void setUp() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "containerd needs root");
        Path work = WorkDirs.forClass(NodeMirrorIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        standIn = TEARDOWN.add(Upstream.start(work.resolve("docker-hub-stand-in")));
        image = upstream.images().image("nodemirror", "amd64", 400_000, 1_500_000);
        upstream.images().tag("nm1", image.manifest());
        upstream.registry().push(upstream.images(), "nm1", "library/nmimg:1");
        standIn.registry().push(upstream.images(), "nm1", "library/nmimg:1");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), ProxyConfig.hub(upstream.url().toString(), "1h")));
        containerd = TEARDOWN.add(Containerd.start(work.resolve("containerd")));

        // What was on the node before: the user's own docker.io file, and a host Entrepot never mirrors.
        usersFile = "# the node's own docker.io setting, before Entrepot\n" + DIRECT.formatted(standIn.url());
        write(containerd.hostsDir().resolve("docker.io/hosts.toml"), usersFile);
        untouched = DIRECT.formatted("https://registry.corp.example");
        write(containerd.hostsDir().resolve("registry.corp.example/hosts.toml"), untouched);
        // The comparison: containerd straight at the stand-in, as without any mirror.
        directHosts = work.resolve("direct-certs.d");
        write(directHosts.resolve("docker.io/hosts.toml"), DIRECT.formatted(standIn.url()));

        configMap = ConfigMapVolume.create(work.resolve("configmap"), Map.of());
        agent = TEARDOWN.add(NodeAgentProcess.prepare(work.resolve("agent"), proxy.url(), configMap.dir(),
                containerd.hostsDir(), containerd.configFile(), "1.6"));
        configMap.write(Map.of(NodeAgentRenderer.key("docker.io"), hostsToml("docker.io", "1.6")));
        agent.start();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @BeforeEach
    void noImage() {
        for (String ref : containerd.ctr("images", "ls", "-q").requireOk().stdout().split("\\s+")) {
            if (!ref.isBlank()) {
                containerd.removeImage(ref);
            }
        }
        assertThat(containerd.contentList().requireOk().stdout()).as("content left").isBlank();
    }

    /** As the operator renders it, but with the stand-in as server: never the real Docker Hub. */
    private static String hostsToml(String host, String containerdVersion) {
        return HostsTomlRenderer.render(new HostsToml("e2e", host, standIn.url().toString(), agent.mirrorUrl(),
                ContainerdVersion.parse(containerdVersion), Duration.ofSeconds(1), null, false));
    }

    @Test
    @Order(1)
    void takesOverDockerIoKeepingTheNodesOwnFile() throws IOException {
        awaitFile("docker.io", hostsToml("docker.io", "1.6"));
        JsonNode status = agent.status();
        assertThat(status.path("managed")).extracting(JsonNode::asText).containsExactly("docker.io");
        assertThat(status.path("backedUp")).extracting(JsonNode::asText).containsExactly("docker.io");
        assertThat(status.path("containerd").path("verdict").asText()).as("config.toml's config_path: %s", status)
                .isEqualTo("OK");
        assertThat(agent.readyStatusCode()).isEqualTo(200);
        assertThat(Files.readString(containerd.hostsDir().resolve("registry.corp.example/hosts.toml"))).isEqualTo(untouched);
    }

    @Test
    @Order(2)
    void pullsGoThroughTheProxy() {
        PrometheusText before = proxy.metrics();
        PrometheusText agentBefore = agent.metrics();
        int standInBefore = standIn.front().any("/v2/library/nmimg/");

        double seconds = pull(containerd.hostsDir());

        PrometheusText after = proxy.metrics();
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "kind", "manifest"))
                .as("the proxy served the manifest: %s", after.entrepotLines()).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "entrepot_requests_total", "repository", "hub", "kind", "blob"))
                .as("config and layers").isGreaterThanOrEqualTo(image.layers().size() + 1);
        assertThat(delta(agentBefore, agent.metrics(), "entrepot_node_agent_requests_total", "result", "proxied"))
                .isGreaterThanOrEqualTo(image.layers().size() + 2);
        assertThat(standIn.front().any("/v2/library/nmimg/")).as("the stand-in was not asked").isEqualTo(standInBefore);
        System.out.printf("node mirror: pull through the agent and the proxy (cold cache) %.2f s%n", seconds);
    }

    @Test
    @Order(3)
    void aKilledProxyFallsBackToTheRegistryAtOnce() {
        double direct = pull(directHosts);
        noImage();
        proxy.kill9();
        try {
            int standInBefore = standIn.front().any("/v2/library/nmimg/");

            double seconds = pull(containerd.hostsDir());

            assertThat(standIn.front().any("/v2/library/nmimg/")).as("served by the stand-in")
                    .isGreaterThan(standInBefore);
            System.out.printf("node mirror fallback: proxy killed %.2f s, direct pull from the registry %.2f s%n",
                    seconds, direct);
            assertThat(seconds).as("containerd 1.6 alone waits about 30 s per request on a dead mirror")
                    .isLessThan(direct + 5);
        } finally {
            proxy.start();
        }
    }

    @Test
    @Order(4)
    void aStoppedProxyThatAcceptsButNeverAnswersFallsBackWithinAboutASecond() {
        pull(containerd.hostsDir()); // the agent keeps connections to the proxy open: they hang too
        noImage();
        double direct = pull(directHosts);
        noImage();
        signal("STOP", proxy.pid());
        try {
            int standInBefore = standIn.front().any("/v2/library/nmimg/");

            double seconds = pull(containerd.hostsDir());

            assertThat(standIn.front().any("/v2/library/nmimg/")).isGreaterThan(standInBefore);
            System.out.printf("node mirror fallback: proxy stopped (SIGSTOP) %.2f s, direct pull from the registry %.2f s%n",
                    seconds, direct);
            assertThat(seconds).isLessThan(direct + 5);
            assertThat(agent.status().path("proxyDown").asBoolean()).isTrue();
        } finally {
            signal("CONT", proxy.pid());
        }
        Poll.until(Duration.ofSeconds(10), () -> !agent.status().path("proxyDown").asBoolean(),
                () -> "agent sees the proxy again: " + agent.status());
        noImage();
        PrometheusText before = proxy.metrics();
        pull(containerd.hostsDir());
        assertThat(delta(before, proxy.metrics(), "entrepot_requests_total", "repository", "hub", "kind", "manifest"))
                .as("through the proxy again").isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(5)
    void aConfigMapChangeReachesTheHostsDirectory() throws IOException {
        Map<String, String> data = new TreeMap<>();
        data.put(NodeAgentRenderer.key("docker.io"), hostsToml("docker.io", "1.7"));
        data.put(NodeAgentRenderer.key("registry.example.com:5000"), hostsToml("registry.example.com:5000", "1.7"));
        configMap.write(data);

        awaitFile("docker.io", hostsToml("docker.io", "1.7"));
        awaitFile("registry.example.com:5000", hostsToml("registry.example.com:5000", "1.7"));

        configMap.write(Map.of(NodeAgentRenderer.key("docker.io"), hostsToml("docker.io", "1.7")));
        Poll.until(RESYNC, () -> !Files.exists(containerd.hostsDir().resolve("registry.example.com:5000")),
                () -> "a host the ConfigMap no longer lists is removed with the directory the agent made");
        assertThat(Files.readString(containerd.hostsDir().resolve("registry.corp.example/hosts.toml"))).isEqualTo(untouched);
    }

    @Test
    @Order(6)
    void removingTheMirrorRestoresTheNodesFileAndPullsGoWhereTheyWentBefore() throws IOException {
        configMap.write(Map.of());

        awaitFile("docker.io", usersFile);
        PrometheusText before = proxy.metrics();
        int standInBefore = standIn.front().any("/v2/library/nmimg/");
        pull(containerd.hostsDir()); // containerd reads hosts.toml on every pull: no restart
        assertThat(standIn.front().any("/v2/library/nmimg/")).isGreaterThan(standInBefore);
        assertThat(delta(before, proxy.metrics(), "entrepot_requests_total", "repository", "hub", "kind", "manifest"))
                .isZero();
        assertThat(agent.status().path("managed")).isEmpty();
    }

    @Test
    @Order(7)
    void sigtermGivesEveryHostBack() throws IOException {
        configMap.write(Map.of(NodeAgentRenderer.key("docker.io"), hostsToml("docker.io", "1.6"),
                NodeAgentRenderer.key("ghcr.io"), hostsToml("ghcr.io", "1.6")));
        awaitFile("docker.io", hostsToml("docker.io", "1.6"));
        awaitFile("ghcr.io", hostsToml("ghcr.io", "1.6"));

        agent.stop();

        assertThat(Files.readString(containerd.hostsDir().resolve("docker.io/hosts.toml"))).isEqualTo(usersFile);
        assertThat(containerd.hostsDir().resolve("ghcr.io")).doesNotExist();
        assertThat(Files.readString(containerd.hostsDir().resolve("registry.corp.example/hosts.toml"))).isEqualTo(untouched);
        assertThat(agent.logTail(5)).contains("every managed hosts.toml was given back");
    }

    /** {@code ctr images pull} of the test image; fails the test if the pull fails. Returns seconds. */
    private static double pull(Path hostsDir) {
        long start = System.nanoTime();
        Exec.Result result = containerd.pull(IMAGE, hostsDir);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!result.ok()) {
            throw new AssertionError("ctr pull " + IMAGE + " failed: " + result.stderr() + result.stdout()
                    + "\n--- agent log:\n" + agent.logTail(20) + "\n--- proxy log:\n" + proxy.logTail(20)
                    + "\n--- containerd log:\n" + containerd.logTail(20));
        }
        return seconds;
    }

    private static void awaitFile(String host, String content) {
        Path file = containerd.hostsDir().resolve(host).resolve("hosts.toml");
        Poll.until(RESYNC, () -> {
            try {
                return Files.isRegularFile(file) && Files.readString(file).equals(content);
            } catch (IOException e) {
                return false;
            }
        }, () -> file + " as expected; agent: " + agent.statusOrNull() + "\n" + agent.logTail(10));
    }

    private static void signal(String signal, long pid) {
        Exec.run(Duration.ofSeconds(10), "kill", "-" + signal, Long.toString(pid)).requireOk();
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
