package dev.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.DockerDaemon;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.ImageCopy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Index;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hosted (standard) repositories with the clients people push with: skopeo (OCI, Docker v2 schema 2, a multi-arch
 * index; by tag and by digest, byte-exact both ways; copies between hosted images that mount instead of re-sending
 * layers; cheap re-pushes; immutable tags) and the Docker CLI against a private dockerd (pull, tag, push, rmi, pull;
 * login as a writer and as a reader, with and without anonymous pull). Byte counts come from
 * {@code entrepot_pushed_bytes_total}, mounts from the proxy's access log, blob files from its store.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostedClientsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Teardown TEARDOWN = new Teardown();
    private static final Pattern PUSHED = Pattern.compile("digest: (sha256:[0-9a-f]{64}) size: \\d+");
    private static final Pattern PULLED = Pattern.compile("Digest: (sha256:[0-9a-f]{64})");

    private static Path work;
    private static ImageGenerator images;
    private static Image app;
    private static Image other;
    private static Index multi;
    private static Image dock;
    /** team, ci (mutable tags), locked (immutable tags); no users, so anyone may push. */
    private static EntrepotProxy proxy;
    /** team with users ci (writer) and dev (reader); anonymous pull on, as DESIGN.md's default. */
    private static EntrepotProxy guarded;
    /** the same users, anonymous pull off. */
    private static EntrepotProxy closed;
    private static DockerDaemon docker;
    private static Throwable dockerFailure;

    @BeforeAll
    static void setUp() throws IOException {
        work = WorkDirs.forClass(HostedClientsIT.class);
        Files.createDirectories(work.resolve("pull"));
        images = ImageGenerator.create(work.resolve("layout"));
        app = images.image("app", "amd64", 300_000, 1_200_000, 2_500_000);
        images.tag("app", app.manifest());
        other = images.image("other", "amd64", 400_000, 800_000);
        images.tag("other", other.manifest());
        multi = images.index(images.image("multi", "amd64", 300_000, 600_000), images.image("multi", "arm64", 700_000));
        images.tag("multi", multi.descriptor());
        dock = images.image("dock", "amd64", 500_000, 1_000_000);
        images.tag("dock", dock.manifest());

        List<String> accessLog = List.of("-Dquarkus.http.access-log.enabled=true");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), new ProxyConfig()
                .standard("team", false, null).standard("ci", false, null).standard("locked", true, null), accessLog));
        Path ciPassword = Files.writeString(work.resolve("ci.password"), "ci-s3cret\n");
        Path devPassword = Files.writeString(work.resolve("dev.password"), "dev-s3cret\n");
        String[] users = {"{name: ci, passwordFile: " + ciPassword + ", role: writer}",
                "{name: dev, passwordFile: " + devPassword + ", role: reader}"};
        // Anonymous pulls and writers' pushes need the token flow: see dockerLoginAsAWriterPushesWhenAnonymousPullIsOn.
        guarded = TEARDOWN.add(EntrepotProxy.start(work.resolve("guarded"),
                new ProxyConfig().standard("team", false, null).authBlock("auth:\n  anonymousPull: true\n  token: {}\n"
                        + "  users:\n" + String.join("", Arrays.stream(users).map(u -> "    - " + u + "\n").toList())),
                accessLog));
        closed = TEARDOWN.add(EntrepotProxy.start(work.resolve("closed"),
                new ProxyConfig().standard("team", false, null).auth(false, users), accessLog));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    // ------------------------------------------------------------------------------------------------ skopeo

    @Test
    @Order(1)
    void skopeoPushesAnOciImageAndPullsItBackByteExact() {
        double before = pushedBytes("team");
        String digest = push(images.ociRef("app"), proxy.ref("team/app:oci"));
        assertThat(digest).isEqualTo(app.manifest().digest());
        assertThat(pushedBytes("team") - before).as("every blob byte sent once").isEqualTo(blobBytes(app));

        byte[] manifest = layoutBlob(app.manifest().digest());
        assertThat(Skopeo.raw(proxy.ref("team/app:oci"))).isEqualTo(text(manifest));
        assertThat(Skopeo.raw(proxy.ref("team/app@" + digest))).isEqualTo(text(manifest));
        for (String ref : List.of("team/app:oci", "team/app@" + digest)) {
            ImageCopy byDir = ImageCopy.dir(work.resolve("pull/oci-dir-" + ref.replaceAll("\\W", "_")));
            Skopeo.copyOk(proxy.ref(ref), byDir.dirRef());
            assertThat(byDir.manifest()).as(ref).isEqualTo(manifest);
            assertThat(byDir.digests()).as(ref).isEqualTo(digests(app));
            ImageCopy byLayout = ImageCopy.ociLayout(work.resolve("pull/oci-layout-" + ref.replaceAll("\\W", "_")));
            Skopeo.copyOk(proxy.ref(ref), byLayout.ociRef("pulled"));
            assertThat(byLayout.manifest()).as(ref).isEqualTo(manifest);
            assertThat(byLayout.digests()).as(ref).isEqualTo(digests(app));
        }
        for (String blob : digests(app)) {
            assertThat(storedFiles(blob)).as("hosted files of %s", blob).hasSize(1);
        }
    }

    @Test
    @Order(2)
    void skopeoConvertsToDockerV2s2AndPullsItBackByteExact() {
        ImageCopy local = ImageCopy.dir(work.resolve("v2s2-local"));
        Skopeo.copyOk(images.ociRef("app"), local.dirRef(), "--format", "v2s2");
        double before = pushedBytes("team");
        String digest = push(images.ociRef("app"), proxy.ref("team/app:v2s2"), "--format", "v2s2");

        assertThat(digest).isEqualTo(Digests.sha256(local.manifest()));
        JsonNode served = json(Skopeo.raw(proxy.ref("team/app:v2s2")));
        assertThat(served.path("mediaType").asText()).isEqualTo(ImageGenerator.DOCKER_MANIFEST);
        assertThat(served.path("config").path("digest").asText()).isEqualTo(app.config().digest());
        assertThat(Skopeo.raw(proxy.ref("team/app:v2s2"))).isEqualTo(text(local.manifest()));
        assertThat(Skopeo.raw(proxy.ref("team/app@" + digest))).isEqualTo(text(local.manifest()));
        for (String ref : List.of("team/app:v2s2", "team/app@" + digest)) {
            ImageCopy pulled = ImageCopy.dir(work.resolve("pull/v2s2-" + ref.replaceAll("\\W", "_")));
            Skopeo.copyOk(proxy.ref(ref), pulled.dirRef());
            assertThat(pulled.manifest()).as(ref).isEqualTo(local.manifest());
            assertThat(pulled.digests()).as(ref).isEqualTo(local.digests());
        }
        assertThat(pushedBytes("team") - before).as("config and layers were in team/app already").isZero();
    }

    @Test
    @Order(3)
    void skopeoPushesAMultiArchIndexAndPullsEveryPlatformBack() {
        String digest = push(images.ociRef("multi"), proxy.ref("team/multi:v1"), "--all");
        assertThat(digest).isEqualTo(multi.descriptor().digest());
        byte[] index = layoutBlob(digest);
        assertThat(Skopeo.raw(proxy.ref("team/multi:v1"))).isEqualTo(text(index));
        Set<String> expected = new TreeSet<>(Set.of(digest));
        for (Image image : multi.images()) {
            assertThat(Skopeo.raw(proxy.ref("team/multi@" + image.manifest().digest())))
                    .as(image.architecture()).isEqualTo(text(layoutBlob(image.manifest().digest())));
            expected.addAll(digests(image));
        }
        ImageCopy byTag = ImageCopy.dir(work.resolve("pull/multi-tag"));
        Skopeo.copyOk(proxy.ref("team/multi:v1"), byTag.dirRef(), "--all");
        ImageCopy byDigest = ImageCopy.ociLayout(work.resolve("pull/multi-digest"));
        Skopeo.copyOk(proxy.ref("team/multi@" + digest), byDigest.ociRef("pulled"), "--all");
        for (ImageCopy copy : List.of(byTag, byDigest)) {
            assertThat(copy.manifest()).isEqualTo(index);
            for (Image image : multi.images()) {
                assertThat(copy.manifest(image.manifest().digest())).isEqualTo(layoutBlob(image.manifest().digest()));
            }
            assertThat(copy.digests()).isEqualTo(expected);
        }
    }

    @Test
    @Order(4)
    void aRepushSendsNoBlobBytes() {
        double bytes = pushedBytes("team");
        double blobs = proxy.metrics().sum("entrepot_pushes_total", "repository", "team", "kind", "blob");
        push(images.ociRef("app"), proxy.ref("team/app:oci"));
        push(images.ociRef("app"), proxy.ref("team/app:again"));
        push(images.ociRef("multi"), proxy.ref("team/multi:v1"), "--all");
        assertThat(pushedBytes("team")).as("pushed bytes").isEqualTo(bytes);
        assertThat(proxy.metrics().sum("entrepot_pushes_total", "repository", "team", "kind", "blob"))
                .as("blob uploads").isEqualTo(blobs);
        assertThat(Skopeo.digest(proxy.ref("team/app:again"))).isEqualTo(app.manifest().digest());
    }

    @Test
    @Order(5)
    void copiesBetweenHostedImagesMountTheLayers() {
        for (String[] copy : List.of(new String[] {"team", "team/app:oci", "team/b:v1"},
                new String[] {"ci", "team/app:oci", "ci/app:v1"})) {
            String repository = copy[0];
            String destination = copy[2];
            double before = pushedBytes(repository);
            Skopeo.copyOk(proxy.ref(copy[1]), proxy.ref(destination));

            // skopeo mounts the layers; the config it only HEADs, then uploads again (containers/image does so)
            assertThat(pushedBytes(repository) - before).as("bytes pushed into %s", destination)
                    .isLessThanOrEqualTo(app.config().size());
            String image = destination.substring(0, destination.indexOf(':'));
            for (Layer layer : app.layers()) {
                assertThat(blobLink(image, layer.descriptor().digest())).isRegularFile();
                awaitAccessLog(proxy, "\"POST /v2/" + image + "/blobs/uploads/\\?[^\"]*mount=sha256%3A"
                        + layer.descriptor().hex() + "[^\"]*\" 201");
            }
            ImageCopy pulled = ImageCopy.dir(work.resolve("pull/copy-" + destination.replaceAll("\\W", "_")));
            Skopeo.copyOk(proxy.ref(destination), pulled.dirRef());
            assertThat(pulled.manifest()).isEqualTo(layoutBlob(app.manifest().digest()));
            assertThat(pulled.digests()).isEqualTo(digests(app));
        }
        for (String blob : digests(app)) {
            assertThat(storedFiles(blob)).as("files of %s in the store after copies to 3 images", blob).hasSize(1);
        }
    }

    @Test
    @Order(6)
    void anImmutableTagRefusesAnotherImageAndKeepsTheFirst() {
        push(images.ociRef("app"), proxy.ref("locked/app:v1"));
        Exec.Result second = Skopeo.copy(images.ociRef("other"), proxy.ref("locked/app:v1"));
        assertThat(second.ok()).as("%s", second).isFalse();
        assertThat(second.stderr()).contains("immutable");
        assertThat(Skopeo.raw(proxy.ref("locked/app:v1"))).isEqualTo(text(layoutBlob(app.manifest().digest())));

        push(images.ociRef("app"), proxy.ref("locked/app:v1")); // the same image again is no change
        assertThat(Skopeo.digest(proxy.ref("locked/app:v1"))).isEqualTo(app.manifest().digest());
    }

    @Test
    @Order(7)
    void skopeoPushesWithAWritersCredentialsWhenAnonymousPullIsOff() {
        pushWithCredentials(closed);
    }

    /** containers/image, like docker, sends credentials only after a challenge to its {@code GET /v2/}. */
    @Test
    @Order(8)
    void skopeoPushesWithAWritersCredentialsWhenAnonymousPullIsOn() {
        pushWithCredentials(guarded);
    }

    private static void pushWithCredentials(EntrepotProxy registry) {
        String digest = push(images.ociRef("other"), registry.ref("team/skopeo:v1"), "--dest-creds", "ci:ci-s3cret");
        assertThat(digest).isEqualTo(other.manifest().digest());
        Exec.Result reader = Skopeo.copy(images.ociRef("app"), registry.ref("team/skopeo:reader"),
                "--dest-creds", "dev:dev-s3cret");
        assertThat(reader.ok()).as("a reader's push: %s", reader).isFalse();
        assertThat(reader.stderr()).contains("denied");
    }

    // ------------------------------------------------------------------------------------------------ docker

    @Test
    @Order(10)
    void dockerPullsTagsPushesRemovesAndPullsBack() {
        DockerDaemon docker = docker();
        String source = proxy.hostPort() + "/team/dock:v1";
        String pushedBySkopeo = push(images.ociRef("dock"), "docker://" + source, "--format", "v2s2");
        assertThat(match(PULLED, docker.dockerOk("pull", source))).isEqualTo(pushedBySkopeo);
        assertThat(docker.dockerOk("image", "inspect", "--format", "{{.Id}}", source).stdout().trim())
                .as("image ID = config digest").isEqualTo(dock.config().digest());

        String target = proxy.hostPort() + "/team/other:v1";
        docker.dockerOk("tag", source, target);
        double before = pushedBytes("team");
        Exec.Result push = docker.dockerOk("push", target);
        String pushed = match(PUSHED, push);
        assertThat(push.stdout()).as("layers mounted, not re-sent").contains("Mounted from team/dock");
        assertThat(pushedBytes("team") - before).isLessThan(dock.layers().get(0).descriptor().size());
        assertThat(Skopeo.digest(proxy.ref("team/other:v1"))).isEqualTo(pushed);
        JsonNode manifest = json(Skopeo.raw(proxy.ref("team/other:v1")));
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(dock.config().digest());
        assertThat(manifest.path("layers").findValuesAsText("digest"))
                .isEqualTo(dock.layers().stream().map(l -> l.descriptor().digest()).toList());

        removeDockImage();
        assertThat(docker.docker("image", "inspect", target).ok()).as("removed").isFalse();
        assertThat(match(PULLED, docker.dockerOk("pull", target))).isEqualTo(pushed);
        assertThat(docker.dockerOk("image", "inspect", "--format", "{{.Id}} {{.RepoDigests}}", target).stdout())
                .contains(dock.config().digest(), proxy.hostPort() + "/team/other@" + pushed);
        assertUnpackedFiles(target, dock);
    }

    /**
     * DESIGN.md's default: anonymous pull, pushes for writers. docker (like containers/image) sends credentials only
     * when its first {@code GET /v2/} was answered 401 with a challenge; a Basic challenge there for anonymous clients
     * makes docker refuse anonymous pulls ("no basic auth credentials"), so only the token flow (anonymous tokens for
     * pulls, a writer's credentials at the token endpoint for pushes) serves both: this proxy has {@code auth.token}.
     */
    @Test
    @Order(11)
    void dockerLoginAsAWriterPushesWhenAnonymousPullIsOn() {
        loginPushAndPullBack(guarded);
        String target = guarded.hostPort() + "/team/pushed:v1";
        removeDockImage();
        docker().docker("rmi", "-f", target);
        assertThat(docker().docker("pull", target).ok()).as("logged out: an anonymous pull (an anonymous token)")
                .isTrue();
    }

    @Test
    @Order(12)
    void dockerLoginChecksThePasswordWhenAnonymousPullIsOn() {
        Exec.Result wrong = docker().login(guarded.hostPort(), "ci", "not-the-password");
        assertThat(wrong.ok()).as("docker login with a wrong password must fail: %s", wrong).isFalse();
    }

    @Test
    @Order(13)
    void aReaderCannotPushWhenAnonymousPullIsOn() {
        readerIsRefused(guarded, false); // refused either way; without a challenge docker sends no credentials to deny
    }

    @Test
    @Order(14)
    void dockerLoginAsAWriterPushesWhenAnonymousPullIsOff() {
        DockerDaemon docker = docker();
        Exec.Result wrong = docker.login(closed.hostPort(), "ci", "not-the-password");
        assertThat(wrong.ok()).as("%s", wrong).isFalse();
        assertThat(wrong.stderr()).contains("401");
        loginPushAndPullBack(closed);
        readerIsRefused(closed, true);
    }

    private void loginPushAndPullBack(EntrepotProxy registry) {
        DockerDaemon docker = docker();
        String local = localDockImage();
        String target = registry.hostPort() + "/team/pushed:v1";
        docker.dockerOk("tag", local, target);
        docker.login(registry.hostPort(), "ci", "ci-s3cret").requireOk();
        try {
            // another registry host: docker cannot mount, it compresses the layers again and sends them
            String pushed = match(PUSHED, docker.dockerOk("push", target));
            assertThat(Exec.run(Duration.ofMinutes(1), "skopeo", "inspect", "--tls-verify=false", "--creds", "ci:ci-s3cret",
                    "--format", "{{.Digest}}", registry.ref("team/pushed:v1")).requireOk().stdout().trim()).isEqualTo(pushed);
            removeDockImage();
            assertThat(match(PULLED, docker.dockerOk("pull", target))).isEqualTo(pushed);
            assertThat(docker.dockerOk("image", "inspect", "--format", "{{.Id}}", target).stdout().trim())
                    .isEqualTo(dock.config().digest());
            assertUnpackedFiles(target, dock);
        } finally {
            docker.docker("logout", registry.hostPort());
        }
    }

    /** @param deniedAsReader the refusal must name the reader (403 DENIED), not only ask for credentials (401) */
    private void readerIsRefused(EntrepotProxy registry, boolean deniedAsReader) {
        DockerDaemon docker = docker();
        String target = registry.hostPort() + "/team/by-reader:v1";
        docker.dockerOk("tag", localDockImage(), target);
        docker.login(registry.hostPort(), "dev", "dev-s3cret").requireOk();
        try {
            Exec.Result push = docker.docker("push", target);
            assertThat(push.ok()).as("%s", push).isFalse();
            if (deniedAsReader) {
                assertThat(push.stdout() + push.stderr()).as("%s", push).contains("denied").contains("dev");
            }
            Exec.Result pull = Skopeo.copy(registry.ref("team/by-reader:v1"), "dir:" + work.resolve("pull/by-reader"),
                    "--src-creds", "ci:ci-s3cret");
            assertThat(pull.ok()).as("nothing was stored: %s", pull).isFalse();
        } finally {
            docker.docker("logout", registry.hostPort());
        }
    }

    /** The dock image in the daemon, pulled from the open proxy if a previous test did not leave it there. */
    private static String localDockImage() {
        String source = proxy.hostPort() + "/team/dock:v1";
        if (!docker().docker("image", "inspect", source).ok()) {
            push(images.ociRef("dock"), "docker://" + source, "--format", "v2s2");
            docker().dockerOk("pull", source);
        }
        return source;
    }

    /** Every tag of the dock image and its layers, so the next pull downloads it all again. */
    private static void removeDockImage() {
        docker().dockerOk("rmi", "--force", dock.config().digest());
    }

    /** The file of every layer, as dockerd unpacked it, hashes as generated. */
    private static void assertUnpackedFiles(String reference, Image image) {
        List<Path> copies = docker().copyFromImage(reference,
                image.layers().stream().map(l -> "/e2e/" + l.fileName()).toList(),
                work.resolve("docker-cp/" + reference.replaceAll("\\W", "_")));
        for (int i = 0; i < copies.size(); i++) {
            assertThat(Digests.sha256(copies.get(i))).as("%s", copies.get(i)).isEqualTo(image.layers().get(i).fileSha256());
        }
    }

    /** One daemon for the class, started by the first Docker test; it knows every proxy as a plain-http registry. */
    private static synchronized DockerDaemon docker() {
        if (dockerFailure != null) {
            throw new AssertionError("dockerd did not start (see the first Docker test)", dockerFailure);
        }
        if (docker == null) {
            try {
                docker = TEARDOWN.add(DockerDaemon.start(work.resolve("docker"),
                        List.of(proxy.hostPort(), guarded.hostPort(), closed.hostPort())));
            } catch (RuntimeException | AssertionError e) {
                dockerFailure = e;
                throw e;
            }
        }
        return docker;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** skopeo copy that must succeed; answers the digest of the manifest written ({@code --digestfile}). */
    private static String push(String source, String destination, String... extra) {
        Path digestFile = work.resolve("digests/" + Integer.toHexString(destination.hashCode()) + "-" + System.nanoTime());
        try {
            Files.createDirectories(digestFile.getParent());
            List<String> args = new ArrayList<>(List.of(extra));
            args.addAll(List.of("--digestfile", digestFile.toString()));
            Skopeo.copyOk(source, destination, args.toArray(String[]::new));
            return Files.readString(digestFile).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double pushedBytes(String repository) {
        return proxy.metrics().sum("entrepot_pushed_bytes_total", "repository", repository);
    }

    private static long blobBytes(Image image) {
        return image.config().size() + image.layers().stream().mapToLong(l -> l.descriptor().size()).sum();
    }

    /** Manifest, config and layer digests of a generated image. */
    private static Set<String> digests(Image image) {
        Set<String> digests = new TreeSet<>(Set.of(image.manifest().digest(), image.config().digest()));
        image.layers().forEach(l -> digests.add(l.descriptor().digest()));
        return digests;
    }

    private static byte[] layoutBlob(String digest) {
        try {
            return Files.readAllBytes(images.blobPath(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Files in the proxy's store named after {@code digest} that hold content: all but the per-image metadata under
     * {@code hosted/repositories/} (links named by digest, holding a time). Hosted blobs: {@code hosted/blobs/}.
     */
    private static List<Path> storedFiles(String digest) {
        String hex = digest.substring("sha256:".length());
        Path metadata = proxy.storage().resolve("hosted/repositories");
        try (Stream<Path> files = Files.walk(proxy.storage())) {
            List<Path> found = files.filter(Files::isRegularFile).filter(p -> !p.startsWith(metadata))
                    .filter(p -> p.getFileName().toString().startsWith(hex)).toList();
            assertThat(found).as("hosted blob of %s", digest)
                    .contains(proxy.storage().resolve("hosted/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex));
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The link that makes {@code digest} part of {@code image} ({@code repository/name}) in the hosted metadata. */
    private static Path blobLink(String image, String digest) {
        return proxy.storage().resolve("hosted/repositories").resolve(image).resolve("_layers/sha256")
                .resolve(digest.substring("sha256:".length()));
    }

    private static void awaitAccessLog(EntrepotProxy registry, String regex) {
        Pattern pattern = Pattern.compile(regex);
        Path log = registry.storage().getParent().resolve("proxy-1.log");
        Poll.until(Duration.ofSeconds(10), () -> {
            try {
                return pattern.matcher(Files.readString(log)).find();
            } catch (IOException e) {
                return false;
            }
        }, () -> "access log line /" + regex + "/ in " + log);
    }

    private static String match(Pattern pattern, Exec.Result result) {
        Matcher m = pattern.matcher(result.stdout());
        assertThat(m.find()).as("/%s/ in the output of %s:\n%s", pattern, result.command(), result.stdout()).isTrue();
        return m.group(1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
