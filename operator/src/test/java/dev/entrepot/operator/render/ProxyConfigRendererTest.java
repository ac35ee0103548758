package dev.entrepot.operator.render;

import static dev.entrepot.operator.Fixtures.access;
import static dev.entrepot.operator.Fixtures.basicAuth;
import static dev.entrepot.operator.Fixtures.endpoint;
import static dev.entrepot.operator.Fixtures.opaque;
import static dev.entrepot.operator.Fixtures.remote;
import static dev.entrepot.operator.Fixtures.s3;
import static dev.entrepot.operator.Fixtures.s3Keys;
import static dev.entrepot.operator.Fixtures.secret;
import static dev.entrepot.operator.Fixtures.serviceAccount;
import static dev.entrepot.operator.Fixtures.standard;
import static dev.entrepot.operator.Fixtures.tlsSecret;
import static dev.entrepot.operator.Fixtures.upstream;
import static dev.entrepot.operator.Fixtures.virtual;
import static dev.entrepot.operator.Fixtures.withCleanup;
import static dev.entrepot.operator.Fixtures.withCredentials;
import static dev.entrepot.operator.Fixtures.withNotifications;
import static dev.entrepot.operator.Fixtures.withS3;
import static dev.entrepot.operator.Fixtures.withStorage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.entrepot.operator.Golden;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEvent;
import dev.entrepot.operator.crd.v1alpha1.common.Role;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.S3StorageSpec;
import dev.entrepot.operator.crd.v1alpha1.virtual.EqualPriority;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.ProxySettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyConfigRendererTest {

    static final String NS = "team-a";

    /** The DESIGN.md example: Docker Hub with credentials, a hosted repository, and a virtual over both. */
    static ProxyConfig designExample() {
        Repository hub = withCredentials(remote(NS, "dockerhub", "https://registry-1.docker.io", "docker.io"), "hub");
        hub.getSpec().getRemote().setTagTtl("5m");
        hub.getSpec().getRemote().setRetention("720h");
        VirtualRepository all = virtual(NS, "all", "team", upstream("team", 100), upstream("dockerhub", 80));
        all.getSpec().setResolutionTtl("10s");
        all.getSpec().setEqualPriority(EqualPriority.ORDERED);
        return NamespacePlanner.plan(
                List.of(withCleanup(standard(NS, "team", true), true, 10, "168h"), hub),
                List.of(all),
                name -> Optional.of(secret(NS, "hub", "bob", "pw")),
                ProxySettings.defaults()).config();
    }

    /**
     * Access control and TLS: a private hosted repository with a writer, a reader and a ServiceAccount, a public
     * Docker Hub cache, a virtual repository over both with its own reader; HTTPS from the namespace's TLS Secret.
     */
    static NamespacePlan accessExample() {
        Repository hub = remote(NS, "dockerhub", "https://registry-1.docker.io", "docker.io");
        hub.getSpec().setAccess(access(true, List.of(), List.of()));
        Repository team = standard(NS, "team", true);
        team.getSpec().setAccess(access(false, List.of("dev-login"), List.of("ci-login"),
                serviceAccount(null, "builder", Role.WRITER), serviceAccount("ci", null, Role.READER)));
        VirtualRepository all = virtual(NS, "all", "team", upstream("team", 100), upstream("dockerhub", 80));
        all.getSpec().setAccess(access(false, List.of("dev-login"), List.of()));
        Map<String, Secret> secrets = Map.of("ci-login", basicAuth(NS, "ci-login", "ci", "s3cret"),
                "dev-login", basicAuth(NS, "dev-login", "dev", "pw"),
                "entrepot-tls", tlsSecret(NS, "entrepot-tls", "CERT", "KEY"));
        NamespacePlan plan = NamespacePlanner.plan(List.of(hub, team), List.of(all),
                name -> Optional.ofNullable(secrets.get(name)),
                ProxySettings.defaults().withTlsSecret("entrepot-tls").withTokenAudiences(List.of("entrepot")));
        assertThat(plan.problems()).isEmpty();
        return plan;
    }

    /**
     * Notifications: a hosted repository and a Docker Hub cache share a CI hook with a headers Secret (the cache also
     * sends what it first caches, so the two are declared alike), a virtual repository adds an audit endpoint that
     * gets the events of its members.
     */
    static NamespacePlan notificationsExample() {
        NotificationEvent[] events = {NotificationEvent.INSERT, NotificationEvent.DELETE, NotificationEvent.CACHED};
        Repository hub = withNotifications(remote(NS, "dockerhub", "https://registry-1.docker.io", "docker.io"),
                endpoint("ci-hook", "https://ci.example/hooks/registry", "ci-hook-headers", events));
        Repository team = withNotifications(standard(NS, "team", true),
                endpoint("ci-hook", "https://ci.example/hooks/registry", "ci-hook-headers", events));
        VirtualRepository all = withNotifications(
                virtual(NS, "all", "team", upstream("team", 100), upstream("dockerhub", 80)),
                endpoint("audit", "http://audit.tools.svc:8080/events?source=entrepot", null, NotificationEvent.DELETE));
        Secret headers = opaque(NS, "ci-hook-headers", Map.of("headers", "Authorization: Bearer s3cret\n"));
        NamespacePlan plan = NamespacePlanner.plan(List.of(hub, team), List.of(all),
                name -> Optional.of(headers).filter(s -> s.getMetadata().getName().equals(name)),
                ProxySettings.defaults());
        assertThat(plan.problems()).isEmpty();
        return plan;
    }

    @Test
    void rendersNotificationsExactly() {
        NamespacePlan plan = notificationsExample();

        Golden.assertMatches("entrepot-notifications.yaml", ProxyConfigRenderer.render(plan.config()));
        assertThat(plan.credentialFiles()).as("the headers, copied into the credentials Secret")
                .containsOnlyKeys("ci-hook-headers_headers");
    }

    /**
     * Hosted content in a MinIO bucket: the hosted repository sets spec.storage.s3 with its key pair and a size hint,
     * the Docker Hub cache follows; the volume is shared by cached content and the local copies of hosted blobs.
     */
    static NamespacePlan s3Example() {
        S3StorageSpec bucket = s3("entrepot", "https://minio.storage.svc:9000", "minio-keys");
        bucket.setRegion("eu-central-1");
        bucket.setPrefix("cluster-a/");
        bucket.setRedirect(true);
        bucket.setRedirectTtl("30m");
        Repository team = withS3(withStorage(standard(NS, "team", true), "50Gi"), bucket);
        Repository hub = remote(NS, "dockerhub", "https://registry-1.docker.io", "docker.io");
        Secret keys = s3Keys(NS, "minio-keys", "AKIAEXAMPLE", "wJalrXUtnFEMI");
        NamespacePlan plan = NamespacePlanner.plan(List.of(hub, team), List.of(),
                name -> Optional.of(keys).filter(s -> s.getMetadata().getName().equals(name)),
                ProxySettings.defaults().withReplicas(3));
        assertThat(plan.problems()).isEmpty();
        return plan;
    }

    @Test
    void rendersTheS3StoreExactly() throws Exception {
        NamespacePlan plan = s3Example();
        String rendered = ProxyConfigRenderer.render(plan.config());

        Golden.assertMatches("entrepot-s3.yaml", rendered);
        JsonNode storage = new ObjectMapper(new YAMLFactory()).readTree(rendered).get("storage");
        assertThat(fieldNames(storage)).containsExactly("path", "maxSize", "type", "s3");
        assertThat(fieldNames(storage.get("s3"))).containsExactly("bucket", "endpoint", "region", "prefix", "pathStyle",
                "accessKeyIdFile", "secretAccessKeyFile", "localCacheSize", "redirect", "redirectTtl");
        assertThat(plan.credentialFiles()).as("the key pair, copied into the credentials Secret")
                .containsOnlyKeys("minio-keys_accessKeyId", "minio-keys_secretAccessKey");
    }

    @Test
    void rendersAccessAndTlsExactly() {
        Golden.assertMatches("entrepot-access.yaml", ProxyConfigRenderer.render(accessExample().config()));
    }

    /** The credentials Secret holds a copy of each user's password, nothing else of theirs (names are in the config). */
    @Test
    void credentialsSecretOfTheAccessExampleMatchesGoldenFile() {
        Golden.assertMatches("credentials-secret.yaml", new KubernetesSerialization().asYaml(
                ProxyWorkloadRenderer.credentials(NS, accessExample().credentialFiles())));
    }

    @Test
    void rendersTheDesignExampleExactly() {
        Golden.assertMatches("entrepot.yaml", ProxyConfigRenderer.render(designExample()));
    }

    @Test
    void emitsOnlyContractFields() throws Exception {
        JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(ProxyConfigRenderer.render(designExample()));

        assertThat(fieldNames(tree)).containsExactly("storage", "repositories", "auth");
        assertThat(fieldNames(tree.get("storage"))).containsExactly("path", "maxSize");
        assertThat(fieldNames(tree.get("auth"))).containsExactly("anonymousPull");
        for (JsonNode repository : tree.get("repositories")) {
            assertThat(fieldNames(repository)).isSubsetOf("name", "mode", "mirrorOf", "remote", "standard", "virtual");
            if (repository.has("remote")) {
                assertThat(fieldNames(repository.get("remote"))).isSubsetOf("url", "credentials", "tagTtl", "retention");
                assertThat(fieldNames(repository.get("remote").get("credentials")))
                        .containsExactly("usernameFile", "passwordFile");
            }
            if (repository.has("standard")) {
                assertThat(fieldNames(repository.get("standard"))).isSubsetOf("immutableTags", "cleanup");
                assertThat(fieldNames(repository.get("standard").get("cleanup")))
                        .containsExactly("dryRun", "keepRecent", "deleteUntaggedOlderThan");
            }
            if (repository.has("virtual")) {
                assertThat(fieldNames(repository.get("virtual")))
                        .isSubsetOf("upstreams", "pushTo", "resolutionTtl", "equalPriority");
                repository.get("virtual").get("upstreams")
                        .forEach(u -> assertThat(fieldNames(u)).containsExactly("repository", "priority"));
            }
        }
    }

    @Test
    void numericLookingNamesStayStrings() throws Exception {
        ProxyConfig config = new ProxyConfig(new ProxyConfig.Storage("/data", "1024Mi"),
                List.of(new ProxyConfig.RepositoryEntry("123", "standard", List.of(), null,
                        new ProxyConfig.Standard(false, null), null)),
                new ProxyConfig.Auth(true));

        JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(ProxyConfigRenderer.render(config));

        assertThat(tree.get("repositories").get(0).get("name").isTextual()).isTrue();
        assertThat(tree.get("repositories").get(0).has("mirrorOf")).isFalse();
    }

    /** What sha256sum says of the same bytes, as the proxy hashes the file the kubelet wrote. */
    @Test
    void sha256IsOfTheUtf8Bytes() {
        assertThat(ProxyConfigRenderer.sha256("")).isEqualTo(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(ProxyConfigRenderer.sha256("\u00e9")).as("U+00E9 is two bytes in UTF-8").isEqualTo(
                "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

}
