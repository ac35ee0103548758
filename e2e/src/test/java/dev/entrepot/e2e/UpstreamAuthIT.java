package dev.entrepot.e2e;

import dev.entrepot.e2e.support.AuthFront;
import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.DockerRegistry;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.ImageGenerator.Layer;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Skopeo;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docker Hub style upstreams: Bearer token challenges answered with credentials read from files
 * (or anonymously), tokens cached per scope, and blob redirects to another origin followed without
 * forwarding {@code Authorization}.
 */
class UpstreamAuthIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Path work;
    private static AuthFront withCredentials;
    private static AuthFront anonymous;
    private static EntrepotProxy proxy;
    private static Image first;
    private static Image second;

    @BeforeAll
    static void setUp() throws IOException {
        work = WorkDirs.forClass(UpstreamAuthIT.class);
        DockerRegistry registry = TEARDOWN.add(DockerRegistry.start(work.resolve("registry")));
        ImageGenerator images = ImageGenerator.create(work.resolve("layout"));
        first = images.image("secret", "amd64", 300_000, 600_000);
        second = images.image("secret-2", "amd64", 200_000);
        images.tag("1", first.manifest());
        images.tag("2", second.manifest());
        registry.push(images, "1", "library/secret:1");
        registry.push(images, "2", "library/secret:2");
        withCredentials = TEARDOWN.add(AuthFront.start(registry.url(), "ci", "s3cret"));
        anonymous = TEARDOWN.add(AuthFront.start(registry.url(), null, null));

        Path secrets = Files.createDirectories(work.resolve("secrets"));
        Path user = Files.writeString(secrets.resolve("username"), "ci\n");
        Path password = Files.writeString(secrets.resolve("password"), "s3cret\n");
        Path wrong = Files.writeString(secrets.resolve("wrong-password"), "guess");
        ProxyConfig config = new ProxyConfig()
                .remote("private", withCredentials.url(), "1h", null).credentials(user, password)
                .remote("anon", anonymous.url(), "1h", null)
                .remote("wrong", withCredentials.url(), "1h", null).credentials(user, wrong);
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), config));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void pullsThroughATokenChallengeWithCredentialsAndRedirectsWithoutAuthorization() throws IOException {
        Path out = work.resolve("pull-private");
        int rejected = withCredentials.rejectedTokenRequests(); // the "wrong" repository shares this upstream
        Skopeo.copyOk(proxy.ref("private/library/secret:1"), "dir:" + out);
        assertThat(Digests.sha256(out.resolve("manifest.json"))).isEqualTo(first.manifest().digest());
        for (Layer layer : first.layers()) {
            assertThat(Digests.sha256(out.resolve(layer.descriptor().hex()))).isEqualTo(layer.descriptor().digest());
        }
        assertThat(withCredentials.challenges()).as("the proxy met the challenge").isPositive();
        assertThat(withCredentials.tokenRequests()).isPositive();
        assertThat(withCredentials.rejectedTokenRequests()).as("credentials from the files were accepted").isEqualTo(rejected);
        assertThat(withCredentials.cdnRequests()).as("blobs came through the redirect").isGreaterThanOrEqualTo(first.layers().size());
        assertThat(withCredentials.cdnRequestsWithAuthorization()).as("Authorization leaked to another origin").isZero();
    }

    @Test
    void tokensAreCachedPerScope() {
        OciClient client = proxy.client();
        assertThat(client.manifest("private/library/secret", "2").status()).isEqualTo(200);
        int tokens = withCredentials.tokenRequests();
        String layer = second.layers().get(0).descriptor().digest();
        assertThat(client.blob("private/library/secret", layer, Duration.ofSeconds(30)).complete(layer)).isTrue();
        assertThat(client.blob("private/library/secret", second.config().digest(), Duration.ofSeconds(30))
                .complete(second.config().digest())).isTrue();
        assertThat(client.manifest("private/library/secret", second.manifest().digest()).status()).isEqualTo(200);
        assertThat(withCredentials.tokenRequests()).as("same scope, token reused").isEqualTo(tokens);
    }

    @Test
    void anonymousTokensWork() {
        OciClient.Response manifest = proxy.client().manifest("anon/library/secret", "1");
        assertThat(manifest.status()).as("%s", manifest).isEqualTo(200);
        assertThat(manifest.header("Docker-Content-Digest")).isEqualTo(first.manifest().digest());
        assertThat(anonymous.tokenRequests()).isPositive();
        String layer = first.layers().get(1).descriptor().digest();
        assertThat(proxy.client().blob("anon/library/secret", layer, Duration.ofSeconds(30)).complete(layer)).isTrue();
    }

    @Test
    void rejectedCredentialsAreAnErrorNotAHang() {
        long start = System.nanoTime();
        OciClient.Response response = proxy.client().manifest("wrong/library/secret", "1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        // Docker Hub answers 401 for names that do not exist too, so "not found" is a fair answer
        assertThat(response.status()).as("%s", response).isIn(401, 403, 404, 502, 503);
        assertThat(OciErrors.codes(response).get(0)).isIn("UNAUTHORIZED", "DENIED", "UNAVAILABLE", "MANIFEST_UNKNOWN",
                "NAME_UNKNOWN");
        assertThat(withCredentials.rejectedTokenRequests()).isPositive();
    }
}
