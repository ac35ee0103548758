package dev.entrepot.e2e;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import dev.entrepot.e2e.support.Containerd;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.TokenClient;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Who may pull and push, with real clients: skopeo with {@code --creds} through the Docker token flow and with plain
 * Basic challenges, containerd's {@code ctr images pull --user} through a hosts.toml mirror (token scopes without the
 * repository prefix), anonymous pull on one repository and not on another, tokens that grant exactly what their
 * holder may do and expire, password rotation through a config reload, a filtered catalog; and at the end, none of
 * the passwords or tokens used here in the proxies' logs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static final List<String> ACCESS_LOG = List.of("-Dquarkus.http.access-log.enabled=true");
    /** Every password and token these tests used: none may show up in a log. */
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private static Path work;
    private static Path secrets;
    private static ImageGenerator images;
    private static Upstream upstream;
    private static Image app;
    private static Image nodeImage;
    /** Token flow: hub (docker.io mirror, private), team (private), public (anonymous pull); users ci, viewer, node. */
    private static EntrepotProxy tokens;
    /** The same repositories and users with Basic challenges only (no auth.token). */
    private static EntrepotProxy basic;
    /** Tokens that live 2 seconds. */
    private static EntrepotProxy shortLived;

    @BeforeAll
    static void setUp() throws IOException {
        work = WorkDirs.forClass(AuthIT.class);
        secrets = Files.createDirectories(work.resolve("secrets"));
        images = ImageGenerator.create(work.resolve("layout"));
        app = images.image("auth-app", "amd64", 200_000, 500_000);
        images.tag("app", app.manifest());
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        nodeImage = upstream.images().image("auth-node", "amd64", 300_000);
        upstream.push(nodeImage.manifest(), "library/authimg:1");

        secret("ci", "ci-S3cret-plain");
        bcryptSecret("viewer", "viewer-S3cret-bcrypt");
        bcryptSecret("builder", "builder-S3cret-bcrypt");
        secret("node", "node-S3cret");
        secret("rotor", "rotor-S3cret-1");

        tokens = TEARDOWN.add(EntrepotProxy.start(work.resolve("tokens"), config("  token: {ttl: 15m}\n"), ACCESS_LOG));
        basic = TEARDOWN.add(EntrepotProxy.start(work.resolve("basic"), config(""), ACCESS_LOG));
        shortLived = TEARDOWN.add(EntrepotProxy.start(work.resolve("short"), config("  token: {ttl: 2s}\n"), ACCESS_LOG));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    private static ProxyConfig config(String token) {
        return new ProxyConfig()
                .remote("hub", upstream.url().toString(), "1h", "docker.io")
                .standard("team", false, null)
                .standard("public", false, null)
                .authBlock("""
                        auth:
                          anonymousPull: false
                        %s  users:
                            - {name: ci, passwordFile: %s/ci, role: writer, repositories: [team, public]}
                            - {name: viewer, passwordFile: %s/viewer, role: reader, repositories: [team]}
                            - {name: node, passwordFile: %s/node, role: reader, repositories: [hub]}
                            - {name: rotor, passwordFile: %s/rotor, role: writer, repositories: [team]}
                            - {name: builder, passwordFile: %s/builder, role: writer, repositories: [team]}
                        """.formatted(token, secrets, secrets, secrets, secrets, secrets))
                .anonymousPull("public", true);
    }

    // ------------------------------------------------------------------------------------------- skopeo --creds

    @Test
    @Order(1)
    void skopeoPullsAsReaderAndPushesAsWriterThroughTheTokenFlow() {
        skopeoRoles(tokens);
    }

    @Test
    @Order(2)
    void skopeoDoesTheSameWithBasicChallenges() {
        OciClient.Response challenge = basic.client().get("/v2/team/app/manifests/1", null);
        OciErrors.assertError(challenge, 401, "UNAUTHORIZED");
        assertThat(challenge.header("WWW-Authenticate")).isEqualTo("Basic realm=\"entrepot\"");
        skopeoRoles(basic);
    }

    private static void skopeoRoles(EntrepotProxy proxy) {
        copy(images.ociRef("app"), proxy.ref("team/app:1"), "--dest-creds", creds("ci", "ci-S3cret-plain")).requireOk();
        Path pulled = work.resolve("pulled-" + proxy.port());
        copy(proxy.ref("team/app:1"), "oci:" + pulled + ":1", "--src-creds", creds("viewer", "viewer-S3cret-bcrypt"))
                .requireOk();
        try {
            assertThat(Files.readString(pulled.resolve("index.json"))).contains(app.manifest().digest());
        } catch (IOException e) {
            throw new AssertionError(e);
        }

        Exec.Result reader = copy(images.ociRef("app"), proxy.ref("team/app:2"),
                "--dest-creds", creds("viewer", "viewer-S3cret-bcrypt"));
        assertThat(reader.ok()).as("a reader pushes: %s", reader).isFalse();
        assertThat(reader.stderr()).contains("denied");
        Exec.Result wrong = copy(images.ociRef("app"), proxy.ref("team/app:3"), "--dest-creds", creds("ci", "wrong-one"));
        assertThat(wrong.ok()).as("%s", wrong).isFalse();
        assertThat(wrong.stderr()).containsIgnoringCase("unauthorized");
        Exec.Result wrongPull = copy(proxy.ref("team/app:1"), "oci:" + pulled + ":wrong",
                "--src-creds", creds("viewer", "wrong-two"));
        assertThat(wrongPull.ok()).as("%s", wrongPull).isFalse();
        assertThat(proxy.client().get("/v2/team/app/manifests/2", null).status()).as("nothing was pushed by them")
                .isIn(401, 404);
    }

    // ------------------------------------------------------------------------------ containerd through a mirror

    @Test
    @Order(3)
    void ctrPullsWithUserThroughTheMirrorWithTheTokenFlow() {
        assumeTrue("root".equals(System.getProperty("user.name")), "containerd needs root");
        Containerd containerd = TEARDOWN.add(Containerd.start(work.resolve("containerd")));
        Path hosts = containerd.writeHosts("docker.io", tokens.hostPort());
        String image = "docker.io/library/authimg:1";

        Exec.Result anonymous = ctrPull(containerd, hosts, image);
        assertThat(anonymous.ok()).as("hub allows no anonymous pull: %s", anonymous).isFalse();
        Exec.Result wrong = ctrPull(containerd, hosts, image, "--user", "node:" + remember("not-node's"));
        assertThat(wrong.ok()).as("%s", wrong).isFalse();
        Exec.Result pulled = ctrPull(containerd, hosts, image, "--user", "node:node-S3cret");
        assertThat(pulled.ok()).as("%s\n%s", pulled, containerd.logTail(20)).isTrue();
        assertThat(containerd.ctr("images", "ls", "-q").requireOk().stdout()).contains(image);

        // what containerd asked for: a token for the name without the repository prefix, mapped through mirrorOf
        assertThat(log(tokens)).contains("/token?").contains("ns=docker.io");
        Exec.Result viewer = ctrPull(containerd, hosts, "docker.io/library/authimg:1", "--user",
                "viewer:viewer-S3cret-bcrypt");
        assertThat(viewer.ok()).as("viewer reads team only (content is cached now, the check is not): %s", viewer)
                .isFalse();
    }

    private static Exec.Result ctrPull(Containerd containerd, Path hosts, String image, String... extra) {
        containerd.ctr("images", "rm", "--sync", image);
        List<String> args = new ArrayList<>(List.of("images", "pull", "--snapshotter", "native", "--hosts-dir",
                hosts.toString()));
        args.addAll(List.of(extra));
        args.add(image);
        return containerd.ctr(args.toArray(String[]::new));
    }

    // ----------------------------------------------------------------------------------------- anonymous pull

    @Test
    @Order(4)
    void anonymousPullOnOneRepositoryAndNotOnAnother() {
        copy(images.ociRef("app"), tokens.ref("public/app:1"), "--dest-creds", creds("ci", "ci-S3cret-plain"))
                .requireOk();
        copy(images.ociRef("app"), tokens.ref("team/app:anon"), "--dest-creds", creds("ci", "ci-S3cret-plain"))
                .requireOk();
        Path anonymous = work.resolve("anonymous");
        copy(tokens.ref("public/app:1"), "oci:" + anonymous + ":public").requireOk();
        Exec.Result refused = copy(tokens.ref("team/app:anon"), "oci:" + anonymous + ":team");
        assertThat(refused.ok()).as("%s", refused).isFalse();
        assertThat(refused.stderr()).containsIgnoringCase("unauthorized");

        // without credentials, a pull token for public only
        JsonNode token = token(tokens, null, "repository:public/app:pull,push", "repository:team/app:pull");
        assertThat(TokenClient.access(token.get("token").asText())).isEqualTo("[{\"type\":\"repository\",\"name\":\"public/app\","
                + "\"actions\":[\"pull\"]}]");
    }

    // ------------------------------------------------------------------------------------------------- tokens

    @Test
    @Order(5)
    void aTokenGrantsOnlyWhatItsHolderMayAndAPullTokenCannotPush() {
        JsonNode reader = token(tokens, auth("viewer", "viewer-S3cret-bcrypt"), "repository:team/app:pull,push");
        assertThat(TokenClient.access(reader.get("token").asText())).contains("\"actions\":[\"pull\"]").doesNotContain("push");
        assertThat(reader.get("expires_in").asLong()).isEqualTo(900);
        assertThat(reader.get("access_token").asText()).isEqualTo(reader.get("token").asText());
        assertThat(reader.get("issued_at").asText()).isNotBlank();
        OciErrors.assertError(post(tokens, "team/app", bearer(reader)), 403, "DENIED");

        JsonNode pullOnly = token(tokens, auth("ci", "ci-S3cret-plain"), "repository:team/app:pull");
        OciClient.Response refused = post(tokens, "team/app", bearer(pullOnly));
        OciErrors.assertError(refused, 401, "UNAUTHORIZED");
        assertThat(refused.header("WWW-Authenticate")).contains("scope=\"repository:team/app:pull,push\"")
                .contains("error=\"insufficient_scope\"").contains("realm=\"" + tokens.url() + "/token\"");
        assertThat(tokens.client().send("GET", "/v2/team/app/manifests/1", Map.of("Authorization", bearer(pullOnly),
                "Accept", ImageGenerator.OCI_MANIFEST), null, Duration.ofSeconds(10)).status()).isEqualTo(200);

        JsonNode push = token(tokens, auth("ci", "ci-S3cret-plain"), "repository:team/app:pull,push");
        assertThat(post(tokens, "team/app", bearer(push)).status()).isEqualTo(202);
        OciErrors.assertError(post(tokens, "public/app", bearer(push)), 401, "UNAUTHORIZED"); // another scope
        OciErrors.assertError(post(basic, "team/app", bearer(push)), 401, "UNAUTHORIZED"); // not its tokens
    }

    @Test
    @Order(6)
    void theOAuth2FormAndRefreshTokensWorkAsContainerdAndDockerUseThem() {
        OciClient.Response form = TokenClient.postForm(tokens, "grant_type=password&username=ci&password=ci-S3cret-plain"
                + "&service=entrepot&client_id=e2e&access_type=offline&scope=" + URLEncoder.encode(
                "repository:team/app:pull repository:team/other:pull", StandardCharsets.UTF_8));
        assertThat(form.status()).as("%s", form).isEqualTo(200);
        JsonNode body = TokenClient.json(form);
        assertThat(body.get("scope").asText()).isEqualTo("repository:team/app:pull repository:team/other:pull");
        String refresh = remember(body.get("refresh_token").asText());
        remember(body.get("access_token").asText());
        OciClient.Response refreshed = TokenClient.postForm(tokens, "grant_type=refresh_token&refresh_token=" + refresh
                + "&service=entrepot&client_id=e2e&scope=repository%3Ateam%2Fapp%3Apull%2Cpush");
        assertThat(TokenClient.json(refreshed).get("scope").asText()).isEqualTo("repository:team/app:pull,push");
        remember(TokenClient.json(refreshed).get("access_token").asText());
        assertThat(TokenClient.postForm(tokens, "grant_type=password&username=ci&password=" + remember("nope-not-the-password")).status())
                .isEqualTo(401);
        OciClient.Response docker = TokenClient.send(tokens, "GET", "/token?service=entrepot&offline_token=true"
                + "&client_id=docker", auth("ci", "ci-S3cret-plain"));
        assertThat(remember(TokenClient.json(docker).get("refresh_token").asText())).isNotBlank();
    }

    @Test
    @Order(7)
    void anExpiredTokenIsRefused() {
        JsonNode token = token(shortLived, auth("ci", "ci-S3cret-plain"), "repository:team/app:pull,push");
        assertThat(token.get("expires_in").asLong()).isEqualTo(2);
        assertThat(post(shortLived, "team/app", bearer(token)).status()).isEqualTo(202);
        Poll.sleep(Duration.ofMillis(3_100));
        OciClient.Response expired = post(shortLived, "team/app", bearer(token));
        OciErrors.assertError(expired, 401, "UNAUTHORIZED");
        assertThat(expired.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        // skopeo simply gets a new one
        copy(images.ociRef("app"), shortLived.ref("team/app:1"), "--dest-creds", creds("ci", "ci-S3cret-plain"))
                .requireOk();
    }

    // -------------------------------------------------------------------------------------------------- reload

    @Test
    @Order(8)
    void aRotatedPasswordTakesEffectThroughAReloadAndEndsTheOldTokens() throws IOException {
        JsonNode old = token(tokens, auth("rotor", "rotor-S3cret-1"), "repository:team/app:pull,push");
        assertThat(post(tokens, "team/app", bearer(old)).status()).isEqualTo(202);
        secret("rotor", "rotor-S3cret-2");
        Poll.until(Duration.ofSeconds(20), () -> TokenClient.send(tokens, "GET", "/v2/", auth("rotor", "rotor-S3cret-2"))
                        .status() == 200,
                () -> "the new password accepted\n" + tokens.logTail(10));
        OciErrors.assertError(TokenClient.send(tokens, "GET", "/v2/", auth("rotor", "rotor-S3cret-1")), 401,
                "UNAUTHORIZED");
        OciErrors.assertError(post(tokens, "team/app", bearer(old)), 401, "UNAUTHORIZED");
        copy(images.ociRef("app"), tokens.ref("team/app:rotated"), "--dest-creds", creds("rotor", "rotor-S3cret-2"))
                .requireOk();
        Exec.Result stale = copy(images.ociRef("app"), tokens.ref("team/app:stale"), "--dest-creds",
                creds("rotor", "rotor-S3cret-1"));
        assertThat(stale.ok()).as("%s", stale).isFalse();
    }

    // ------------------------------------------------------------------------------------------------- catalog

    @Test
    @Order(9)
    void theCatalogListsOnlyWhatTheCallerMayPull() {
        copy(images.ociRef("app"), basic.ref("public/app:1"), "--dest-creds", creds("ci", "ci-S3cret-plain")).requireOk();
        assertThat(TokenClient.catalog(basic, auth("viewer", "viewer-S3cret-bcrypt"))).containsExactly("public/app", "team/app");
        assertThat(TokenClient.catalog(basic, auth("node", "node-S3cret"))).containsExactly("public/app");
        assertThat(TokenClient.catalog(basic, null)).containsExactly("public/app");

        JsonNode token = token(tokens, auth("viewer", "viewer-S3cret-bcrypt"), "registry:catalog:*");
        assertThat(TokenClient.catalog(tokens, bearer(token))).contains("team/app", "public/app").doesNotContain("hub/library/authimg");
        JsonNode noCatalog = token(tokens, auth("viewer", "viewer-S3cret-bcrypt"), "repository:team/app:pull");
        OciClient.Response refused = TokenClient.send(tokens, "GET", "/v2/_catalog", bearer(noCatalog));
        OciErrors.assertError(refused, 401, "UNAUTHORIZED");
        assertThat(refused.header("WWW-Authenticate")).contains("scope=\"registry:catalog:*\"");
    }

    // ------------------------------------------------------------------------------------- slow checks, bodies

    /**
     * A bcrypt password is checked off the event loop the first time a generation sees it, the request paused
     * meanwhile: the body of that first request (an upload, a manifest) must come through whole.
     */
    @Test
    @Order(10)
    void theBodyOfARequestWaitingForABcryptCheckComesThroughWhole() throws IOException {
        HostedImage image = HostedImage.random("bodies", 40_000, 30_000);
        PushClient builder = PushClient.basic(basic, "builder", remember("builder-S3cret-bcrypt"));
        for (HostedImage.Blob blob : image.blobs()) {
            newGeneration(basic, () -> bcryptSecret("builder", "builder-S3cret-bcrypt")); // new salt, same password
            OciClient.Response posted = builder.postBlob("team/bodies", blob.digest(), blob.bytes());
            assertThat(posted.status()).as("%s", posted).isEqualTo(201);
        }
        newGeneration(basic, () -> bcryptSecret("builder", "builder-S3cret-bcrypt"));
        image.pushManifest(builder, "team/bodies", "1");
        String auth = auth("builder", "builder-S3cret-bcrypt");
        for (HostedImage.Blob blob : image.blobs()) {
            assertThat(TokenClient.send(basic, "GET", "/v2/team/bodies/blobs/" + blob.digest(), auth).body())
                    .isEqualTo(blob.bytes());
        }
    }

    /** Runs {@code change} (to a file the config names) and waits until the proxy has reloaded. */
    private static void newGeneration(EntrepotProxy proxy, IoAction change) throws IOException {
        long before = log(proxy).lines().filter(l -> l.contains("reloaded")).count();
        change.run();
        Poll.until(Duration.ofSeconds(20), () -> log(proxy).lines().filter(l -> l.contains("reloaded")).count() > before,
                () -> "a reload\n" + proxy.logTail(10));
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    // ---------------------------------------------------------------------------------------------------- logs

    @Test
    @Order(100)
    void noPasswordOrTokenUsedHereIsInAnyLog() throws IOException {
        assertThat(SECRETS).hasSizeGreaterThan(10);
        List<Path> logs;
        try (Stream<Path> files = Files.walk(work)) {
            logs = files.filter(p -> p.getFileName().toString().endsWith(".log")).toList();
        }
        assertThat(logs).as("proxy logs").anyMatch(p -> p.toString().contains("tokens"));
        for (Path log : logs) {
            String text = Files.readString(log);
            for (String secret : SECRETS) {
                assertThat(text).as("%s holds a secret", log).doesNotContain(secret);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private static void secret(String user, String password) throws IOException {
        Path temp = Files.writeString(secrets.resolve(user + ".tmp"), remember(password) + "\n");
        Files.move(temp, secrets.resolve(user), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void bcryptSecret(String user, String password) throws IOException {
        Path temp = Files.writeString(secrets.resolve(user + ".tmp"),
                BCrypt.withDefaults().hashToString(10, remember(password).toCharArray()) + "\n");
        Files.move(temp, secrets.resolve(user), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String remember(String secret) {
        SECRETS.add(secret);
        return secret;
    }

    private static String creds(String user, String password) {
        return user + ":" + remember(password);
    }

    private static String auth(String user, String password) {
        return TokenClient.basic(user, remember(password));
    }

    /** GET /token, remembering the token it answers. */
    private static JsonNode token(EntrepotProxy proxy, String authorization, String... scopes) {
        JsonNode body = TokenClient.get(proxy, authorization, scopes);
        remember(body.get("token").asText());
        return body;
    }

    private static OciClient.Response post(EntrepotProxy proxy, String name, String authorization) {
        return TokenClient.startUpload(proxy, name, authorization);
    }

    private static String bearer(JsonNode token) {
        return "Bearer " + remember(token.get("token").asText());
    }

    private static Exec.Result copy(String source, String destination, String... extra) {
        return Skopeo.copy(source, destination, extra);
    }

    private static String log(EntrepotProxy proxy) {
        try (Stream<Path> files = Files.list(proxy.configFile().getParent())) {
            StringBuilder all = new StringBuilder();
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                all.append(Files.readString(p));
            }
            return all.toString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
