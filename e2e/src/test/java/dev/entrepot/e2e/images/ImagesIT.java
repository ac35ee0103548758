package dev.entrepot.e2e.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.e2e.support.Containerd;
import dev.entrepot.e2e.support.DockerRegistry;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.Ports;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import dev.entrepot.operator.crd.v1alpha1.repository.RemoteSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositoryMode;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositorySpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StandardSpec;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.ProxySettings;
import dev.entrepot.operator.render.ProxyConfigRenderer;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container images, built and run with real parts and no internet. A JRE base image made from Debian
 * packages ({@link JreBaseImage}) goes to a local {@code docker-registry}; Maven builds both images on it
 * with Jib and pushes them there ({@link JibBuild}, the README's command with a registry, group, tag and
 * base image given as properties); containerd pulls them over plain HTTP and runc runs them as Kubernetes
 * would ({@link ContainerRun}): the proxy with the container, volumes and entrepot.yaml the operator renders
 * for a namespace, the operator with the container of {@code deploy/20-operator.yaml}. The only liberty
 * taken is the proxy's port (host networking, so a free one instead of 5000).
 * Runs with {@code -Pimages}; needs root, mmdebstrap, a Debian mirror, docker-registry, skopeo, containerd
 * and runc.
 */
class ImagesIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GROUP = "e2e";
    private static final String TAG = "images-it";
    /** The image's user, and the group the proxy Deployment's fsGroup gives the store volume. */
    private static final int UID = 185;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static Path work;
    private static DockerRegistry registry;
    private static Containerd containerd;
    private static String baseImage;
    private static String proxyImage;
    private static String operatorImage;

    @BeforeAll
    static void buildAndPullImages() {
        assertThat(System.getProperty("user.name")).as("containerd and mmdebstrap need root").isEqualTo("root");
        for (String tool : List.of("mmdebstrap", "skopeo", "containerd", "ctr", "runc", "docker-registry")) {
            assertThat(Exec.run(Duration.ofSeconds(10), "sh", "-c", "command -v " + tool).ok())
                    .as("%s is installed (apt-get install mmdebstrap docker-registry skopeo containerd runc)", tool)
                    .isTrue();
        }
        work = WorkDirs.forClass(ImagesIT.class);
        registry = TEARDOWN.add(DockerRegistry.start(work.resolve("registry")));

        long start = System.nanoTime();
        baseImage = JreBaseImage.buildAndPush(work.resolve("base"), work.getParent().resolve("images-cache"),
                registry, "base/jre:17");
        long based = System.nanoTime();
        JibBuild.Result build = JibBuild.run(work.resolve("build"), Map.of(
                "quarkus.container-image.push", "true",
                "quarkus.container-image.registry", registry.hostPort(),
                "quarkus.container-image.insecure", "true",
                "quarkus.container-image.group", GROUP,
                "quarkus.container-image.tag", TAG,
                "quarkus.jib.base-jvm-image", baseImage));
        proxyImage = registry.hostPort() + "/" + GROUP + "/cache-proxy:" + TAG;
        operatorImage = registry.hostPort() + "/" + GROUP + "/operator:" + TAG;
        assertThat(build.images()).as("images Jib pushed").containsOnlyKeys(proxyImage, operatorImage);

        containerd = TEARDOWN.add(Containerd.start(work.resolve("containerd")));
        for (String image : List.of(proxyImage, operatorImage)) {
            containerd.ctr("images", "pull", "--plain-http", "--snapshotter", ContainerRun.SNAPSHOTTER, image).requireOk();
        }
        System.out.printf("ImagesIT: JRE base image %d s, Maven + Jib build and push of both images %d s, pulls %d s%n",
                Duration.ofNanos(based - start).toSeconds(), build.took().toSeconds(),
                Duration.ofNanos(System.nanoTime() - based).toSeconds() - build.took().toSeconds());
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void imagesRunJavaAsANonRootUserOnTheGivenBase() throws IOException {
        JsonNode base = JSON.readTree(Skopeo.raw("docker://" + baseImage));
        for (String image : List.of(proxyImage, operatorImage)) {
            JsonNode config = inspectConfig(image).get("config");
            assertThat(config.get("User").asText()).as("%s user", image).isEqualTo(UID + ":" + UID);
            assertThat(config.get("Entrypoint")).extracting(JsonNode::asText).as("%s entrypoint", image)
                    .containsExactly("java", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar",
                            "quarkus-run.jar");
            assertThat(config.get("Env")).extracting(JsonNode::asText).contains("LANG=C.UTF-8");
            JsonNode manifest = JSON.readTree(Skopeo.raw("docker://" + image));
            assertThat(manifest.get("layers").get(0).get("digest").asText()).as("%s is built on the base image", image)
                    .isEqualTo(base.get("layers").get(0).get("digest").asText());
        }
        assertThat(inspectConfig(proxyImage).get("config").get("ExposedPorts").has(ProxyWorkloadRenderer.PORT + "/tcp"))
                .isTrue();
        assertThat(inspectConfig(operatorImage).get("config").get("ExposedPorts").has("8080/tcp")).isTrue();

        // What the kubelet checks: runAsNonRoot accepts a numeric non-zero image user.
        PodSpec proxyPod = proxyDeployment().getSpec().getTemplate().getSpec();
        assertThat(proxyPod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(proxyPod.getSecurityContext().getFsGroup()).isEqualTo((long) UID);
        assertThat(operatorDeployment().getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void proxyImageServesPullsAndPushesAsTheOperatorDeploysIt() throws IOException {
        Path dir = work.resolve("proxy");
        ImageGenerator images = ImageGenerator.create(dir.resolve("layout"));
        ImageGenerator.Image app = images.image("app", "amd64", 300_000, 1_500_000);
        images.tag("v1", app.manifest());
        registry.push(images, "v1", "e2e/app:v1");

        Repository upstream = repository("upstream", RepositoryMode.REMOTE);
        upstream.getSpec().setRemote(new RemoteSpec());
        upstream.getSpec().getRemote().setUrl(registry.url().toString());
        Repository team = repository("team", RepositoryMode.STANDARD);
        team.getSpec().setStandard(new StandardSpec());
        NamespacePlan plan = NamespacePlanner.plan(List.of(upstream, team), List.of(), name -> Optional.empty(),
                ProxySettings.defaults());
        assertThat(plan.problems()).isEmpty();
        String entrepotYaml = ProxyConfigRenderer.render(plan.config());

        Deployment deployment = proxyDeployment();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Map<String, Path> volumes = new HashMap<>();
        Path store = null;
        for (Volume volume : pod.getVolumes()) {
            Path host = Files.createDirectories(dir.resolve("volumes").resolve(volume.getName()));
            if (volume.getConfigMap() != null) {
                Files.writeString(host.resolve(ProxyWorkloadRenderer.CONFIG_KEY), entrepotYaml);
            } else if (volume.getPersistentVolumeClaim() != null) {
                store = host;
                // what fsGroup does to a fresh volume: the pod's group owns it
                chown(host, "root:" + pod.getSecurityContext().getFsGroup(), "2775");
            } else if (volume.getEmptyDir() != null) {
                chown(host, "root:root", "1777");
            }
            volumes.put(volume.getName(), host);
        }
        assertThat(store).as("the Deployment mounts a store volume").isNotNull();
        Path storeDir = store;
        int port = Ports.free();
        Container container = pod.getContainers().get(0);
        try (ContainerRun proxy = ContainerRun.start(containerd, work.resolve("containerd"), proxyImage, "entrepot-proxy",
                container, volumes, Map.of("QUARKUS_HTTP_PORT", String.valueOf(port)), dir.resolve("container.log"))) {
            OciClient client = new OciClient(URI.create("http://127.0.0.1:" + port));
            awaitReady(proxy, client);
            JsonNode readiness = JSON.readTree(client.get("/q/health/ready", "application/json").text());
            JsonNode data = readiness.get("checks").get(0).get("data");
            assertThat(data.get("config").asText()).as("the mounted config, at the path the Deployment gives")
                    .isEqualTo(ProxyWorkloadRenderer.CONFIG_DIR + "/" + ProxyWorkloadRenderer.CONFIG_KEY);
            assertThat(data.get("served").asText()).isEqualTo("team,upstream");

            String proxied = "docker://127.0.0.1:" + port + "/upstream/e2e/app:v1";
            assertThat(Skopeo.digest(proxied)).isEqualTo(app.manifest().digest());
            Path pulled = dir.resolve("pulled");
            Skopeo.copyOk(proxied, "dir:" + pulled);
            for (ImageGenerator.Layer layer : app.layers()) {
                assertThat(pulled.resolve(layer.descriptor().hex())).as("layer pulled through the proxy")
                        .hasSize(layer.descriptor().size());
            }

            Skopeo.copyOk(images.ociRef("v1"), "docker://127.0.0.1:" + port + "/team/app:v1");
            assertThat(Skopeo.digest("docker://127.0.0.1:" + port + "/team/app:v1")).isEqualTo(app.manifest().digest());

            assertThat(proxy.output()).contains("Listening on: http://0.0.0.0:" + port)
                    .doesNotContain("ERROR").doesNotContain("\tat ");
            assertThat(proxy.isRunning()).isTrue();
        }
        // The store is the mounted volume, written by the image's user, and it holds both the cache and the push.
        assertThat(storeDir.resolve("hosted")).isDirectory();
        for (ImageGenerator.Layer layer : app.layers()) {
            String hex = layer.descriptor().hex();
            assertThat(storeDir.resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)).exists();
        }
        try (Stream<Path> files = Files.walk(storeDir)) {
            assertThat(files.filter(p -> !p.equals(storeDir)).toList()).isNotEmpty()
                    .allSatisfy(p -> assertThat(Files.getAttribute(p, "unix:uid")).as("%s owner", p).isEqualTo(UID));
        }
    }

    @Test
    void operatorImageStopsWithOneLineWithoutAKubernetesApi() throws IOException {
        Container container = operatorDeployment().getSpec().getTemplate().getSpec().getContainers().get(0);
        Path tmp = Files.createDirectories(work.resolve("operator/tmp"));
        chown(tmp, "root:root", "1777");

        // No cluster at all: docker run on a laptop.
        String alone = runToExit(container, "entrepot-operator-alone", Map.of("tmp", tmp), Map.of());
        assertThat(alone).startsWith("cannot reach the Kubernetes API at https://kubernetes.default.svc/: unknown host"
                + " (kubernetes.default.svc").endsWith(") (no in-cluster service and no kubeconfig found: run the"
                + " operator in a pod of the cluster, or point KUBECONFIG at one)");

        // In a pod whose API server is down: the kubelet's service env points at a port nobody listens on.
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String inPod = runToExit(container, "entrepot-operator-pod", Map.of("tmp", tmp),
                Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", String.valueOf(closed)));
        assertThat(inPod).isEqualTo("cannot reach the Kubernetes API at https://127.0.0.1:" + closed + "/: connection"
                + " refused (the in-cluster address; is the API server up, and do NetworkPolicies let this pod reach it?)");
    }

    /** Runs the operator container until it exits by itself; returns its output, which must be one line, exit 1. */
    private static String runToExit(Container container, String id, Map<String, Path> volumes, Map<String, String> env) {
        try (ContainerRun operator = ContainerRun.start(containerd, work.resolve("containerd"), operatorImage, id,
                container, volumes, env, work.resolve("operator").resolve(id + ".log"))) {
            int exit = operator.awaitExit(START_TIMEOUT);
            String output = operator.output().strip();
            assertThat(exit).as("exit code of %s:\n%s", id, output).isEqualTo(1);
            assertThat(output.lines()).as("output of %s", id).hasSize(1);
            return output;
        }
    }

    private static void awaitReady(ContainerRun proxy, OciClient client) {
        Poll.until(START_TIMEOUT, () -> {
            if (!proxy.isRunning()) {
                throw new AssertionError("the proxy container exited:\n" + proxy.output());
            }
            try {
                return client.get("/q/health/ready", "application/json").status() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        }, () -> "proxy container ready\n" + proxy.output());
    }

    private static JsonNode inspectConfig(String image) throws IOException {
        return JSON.readTree(Exec.run(Duration.ofMinutes(1), "skopeo", "inspect", "--tls-verify=false", "--config",
                "docker://" + image).requireOk().stdout());
    }

    private static Deployment proxyDeployment() {
        return ProxyWorkloadRenderer.deployment("e2e", ProxySettings.defaults());
    }

    private static Deployment operatorDeployment() {
        Path sources = Path.of(System.getProperty("entrepot.e2e.sourceRoot", "..")).toAbsolutePath().normalize();
        try {
            return new KubernetesSerialization().unmarshal(Files.readString(sources.resolve("deploy/20-operator.yaml")),
                    Deployment.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Repository repository(String name, RepositoryMode mode) {
        Repository repository = new Repository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace("e2e").withName(name).build());
        repository.setSpec(new RepositorySpec());
        repository.getSpec().setMode(mode);
        return repository;
    }

    private static void chown(Path dir, String owner, String mode) {
        Exec.run(Duration.ofSeconds(10), "chown", owner, dir.toString()).requireOk();
        Exec.run(Duration.ofSeconds(10), "chmod", mode, dir.toString()).requireOk();
    }
}
