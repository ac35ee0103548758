package dev.entrepot.e2e.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.entrepot.operator.crd.v1alpha1.common.AccessSpec;
import dev.entrepot.operator.crd.v1alpha1.common.HeadersSecretRef;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEndpoint;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationEvent;
import dev.entrepot.operator.crd.v1alpha1.common.NotificationsSpec;
import dev.entrepot.operator.crd.v1alpha1.common.Role;
import dev.entrepot.operator.crd.v1alpha1.common.ServiceAccountGrant;
import dev.entrepot.operator.crd.v1alpha1.common.UserSecretRef;
import dev.entrepot.operator.crd.v1alpha1.repository.CleanupPolicy;
import dev.entrepot.operator.crd.v1alpha1.repository.CredentialsSecretRef;
import dev.entrepot.operator.crd.v1alpha1.repository.RemoteSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.Repository;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositoryMode;
import dev.entrepot.operator.crd.v1alpha1.repository.RepositorySpec;
import dev.entrepot.operator.crd.v1alpha1.repository.S3CredentialsSecretRef;
import dev.entrepot.operator.crd.v1alpha1.repository.S3StorageSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StandardSpec;
import dev.entrepot.operator.crd.v1alpha1.repository.StorageHints;
import dev.entrepot.operator.crd.v1alpha1.virtual.EqualPriority;
import dev.entrepot.operator.crd.v1alpha1.virtual.UpstreamRef;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepository;
import dev.entrepot.operator.crd.v1alpha1.virtual.VirtualRepositorySpec;
import dev.entrepot.operator.dependent.AuthSecretDependentResource;
import dev.entrepot.operator.plan.NamespacePlan;
import dev.entrepot.operator.plan.NamespacePlanner;
import dev.entrepot.operator.plan.Problem;
import dev.entrepot.operator.plan.ProxySettings;
import dev.entrepot.operator.render.ProxyConfigRenderer;
import dev.entrepot.operator.render.ProxyWorkloadRenderer;
import dev.entrepot.proxy.auth.SigningKey;
import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.config.ReferencedFiles;
import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.s3.S3Settings;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The only contract between operator and proxy is entrepot.yaml: the operator's planner and pure
 * renderer produce it from custom resources, and the proxy's own loader must accept it and read
 * back exactly what the custom resources asked for. Any drift on either side fails here.
 */
class OperatorConfigContractTest {

    private static final String NS = "team-a";
    private static final String CREDENTIALS_DIR = "/etc/entrepot/credentials";

    @Test
    void remoteStandardAndVirtualRepositoriesRoundTripThroughTheProxyLoader() {
        Repository hub = remote("dockerhub", "https://registry-1.docker.io", "docker.io");
        hub.getSpec().getRemote().setCredentialsSecretRef(secretRef("hub-login", "user", "token"));
        hub.getSpec().getRemote().setTagTtl("30s");
        hub.getSpec().getRemote().setRetention("1h30m");
        Repository quay = remote("quay", "https://quay.io", "quay.io");
        Repository team = standard("team", true);
        Repository scratch = standard("scratch", false);
        VirtualRepository all = virtual("all", "team", List.of("ghcr.io"),
                upstream("dockerhub", 80), upstream("team", 100), upstream("quay", 80));
        all.getSpec().setResolutionTtl("1m30s");
        all.getSpec().setEqualPriority(EqualPriority.ORDERED);
        VirtualRepository plain = virtual("plain", null, List.of(), upstream("scratch", 0), upstream("quay", 1000));

        String yaml = render(List.of(hub, quay, team, scratch), List.of(all, plain),
                Map.of("hub-login", secret("hub-login", Map.of("user", "bob", "token", "s3cret"))),
                ProxySettings.defaults());
        EntrepotConfig config = ConfigLoader.parse(yaml);

        assertThat(config.storage().path()).isEqualTo(Path.of("/var/lib/entrepot"));
        assertThat(config.storage().maxSize().bytes()).as("90%% of the default 20Gi volume")
                .isEqualTo(18L * 1024 * 1024 * 1024);
        assertThat(config.auth().anonymousPull()).isTrue();
        assertThat(config.repositories()).extracting(EntrepotConfig.Repository::name)
                .containsExactly("dockerhub", "quay", "scratch", "team", "all", "plain");

        EntrepotConfig.Repository dockerhub = repository(config, "dockerhub");
        assertThat(dockerhub.mode()).isEqualTo(EntrepotConfig.Mode.REMOTE);
        assertThat(dockerhub.mirrorOf()).containsExactly("docker.io");
        assertThat(dockerhub.remote().url()).hasToString("https://registry-1.docker.io");
        assertThat(dockerhub.remote().tagTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(dockerhub.remote().retention()).isEqualTo(Duration.ofMinutes(90));
        assertThat(dockerhub.remote().credentials().usernameFile())
                .isEqualTo(Path.of(CREDENTIALS_DIR, "hub-login_user"));
        assertThat(dockerhub.remote().credentials().passwordFile())
                .isEqualTo(Path.of(CREDENTIALS_DIR, "hub-login_token"));
        assertThat(dockerhub.standard()).isNull();
        assertThat(dockerhub.virtual()).isNull();

        EntrepotConfig.Repository quayEntry = repository(config, "quay");
        assertThat(quayEntry.remote().credentials()).as("no credentialsSecretRef: anonymous").isNull();
        assertThat(quayEntry.remote().tagTtl()).as("operator default tagTtl").isEqualTo(Duration.ofMinutes(5));
        assertThat(quayEntry.remote().retention()).as("operator default retention").isEqualTo(Duration.ofHours(720));
        assertThat(quayEntry.mirrorOf()).containsExactly("quay.io");

        assertThat(repository(config, "team").mode()).isEqualTo(EntrepotConfig.Mode.STANDARD);
        assertThat(repository(config, "team").standard().immutableTags()).isTrue();
        assertThat(repository(config, "team").remote()).isNull();
        assertThat(repository(config, "scratch").standard().immutableTags()).isFalse();
        assertThat(repository(config, "scratch").mirrorOf()).isEmpty();

        EntrepotConfig.Repository virtualEntry = repository(config, "all");
        assertThat(virtualEntry.mode()).isEqualTo(EntrepotConfig.Mode.VIRTUAL);
        assertThat(virtualEntry.mirrorOf()).containsExactly("ghcr.io");
        assertThat(virtualEntry.virtual().pushTo()).isEqualTo("team");
        assertThat(virtualEntry.virtual().upstreams())
                .extracting(EntrepotConfig.Upstream::repository, EntrepotConfig.Upstream::priority)
                .as("highest priority first, ties by name")
                .containsExactly(
                        tuple("team", 100), tuple("dockerhub", 80), tuple("quay", 80));
        assertThat(virtualEntry.virtual().resolutionTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(virtualEntry.virtual().equalPriority()).isEqualTo(EntrepotConfig.EqualPriority.ORDERED);

        EntrepotConfig.Virtual plainVirtual = repository(config, "plain").virtual();
        assertThat(plainVirtual.upstreams()).extracting(EntrepotConfig.Upstream::priority)
                .as("the ends of the CRD's priority range").containsExactly(1000, 0);
        assertThat(plainVirtual.pushTo()).isNull();
        assertThat(plainVirtual.resolutionTtl()).as("unset: the proxy's default")
                .isEqualTo(ConfigLoader.DEFAULT_RESOLUTION_TTL);
        assertThat(plainVirtual.equalPriority()).isEqualTo(EntrepotConfig.EqualPriority.FASTEST);
    }

    /** Every equalPriority the CRD allows is one the proxy's loader knows. */
    @Test
    void everyEqualPriorityOfTheCrdIsOneTheProxyReads() {
        for (EqualPriority value : EqualPriority.values()) {
            VirtualRepository all = virtual("all", null, List.of(), upstream("team", 1));
            all.getSpec().setEqualPriority(value);

            EntrepotConfig config = ConfigLoader.parse(render(List.of(standard("team", false)), List.of(all), Map.of(),
                    ProxySettings.defaults()));

            assertThat(repository(config, "all").virtual().equalPriority().name()).isEqualTo(value.name());
        }
    }

    @Test
    void standardRepositoriesWithCleanupPoliciesRoundTrip() {
        Repository team = standard("team", true);
        team.getSpec().getStandard().setCleanup(cleanup(false, 10, "168h"));
        Repository scratch = standard("scratch", false);
        scratch.getSpec().getStandard().setCleanup(cleanup(null, null, "1h30m"));
        Repository plain = standard("plain", false);

        EntrepotConfig config = ConfigLoader.parse(render(List.of(team, scratch, plain), List.of(), Map.of(),
                ProxySettings.defaults()));

        EntrepotConfig.Standard teamStandard = repository(config, "team").standard();
        assertThat(teamStandard.immutableTags()).isTrue();
        assertThat(teamStandard.cleanup().dryRun()).isFalse();
        assertThat(teamStandard.cleanup().keepRecent()).isEqualTo(10);
        assertThat(teamStandard.cleanup().deleteUntaggedOlderThan()).isEqualTo(Duration.ofHours(168));
        EntrepotConfig.Cleanup scratchCleanup = repository(config, "scratch").standard().cleanup();
        assertThat(scratchCleanup.dryRun()).as("dryRun unset: only report").isTrue();
        assertThat(scratchCleanup.keepRecent()).as("keepRecent unset: the proxy's default").isNull();
        assertThat(scratchCleanup.deleteUntaggedOlderThan()).isEqualTo(Duration.ofMinutes(90));
        assertThat(repository(config, "plain").standard().cleanup()).isNull();
    }

    /** A cleanup block the proxy would refuse (it would keep the previous config) never reaches it. */
    @Test
    void cleanupPoliciesTheProxyWouldRefuseAreLeftOut() {
        Repository noRule = standard("no-rule", false);
        noRule.getSpec().getStandard().setCleanup(cleanup(false, 3, null));
        Repository negative = standard("negative", false);
        negative.getSpec().getStandard().setCleanup(cleanup(false, -1, "168h"));

        NamespacePlan plan = NamespacePlanner.plan(List.of(noRule, negative), List.of(), secrets(Map.of()),
                ProxySettings.defaults());
        EntrepotConfig config = ConfigLoader.parse(ProxyConfigRenderer.render(plan.config()));

        assertThat(config.repositories()).allSatisfy(r -> assertThat(r.standard().cleanup()).isNull());
        assertThat(plan.problems().values().stream().flatMap(List::stream).map(Problem::reason))
                .containsExactly("InvalidSpec", "InvalidSpec");
    }

    /** Ready compares the proxy's configSha256 with the operator's hash of what it rendered. */
    @Test
    void operatorAndProxyHashTheRenderedFileAlike() {
        Repository team = standard("team", true);
        team.getSpec().getStandard().setCleanup(cleanup(true, 10, "168h"));
        String yaml = render(List.of(team, remote("hub", "https://registry-1.docker.io", "docker.io")), List.of(),
                Map.of(), ProxySettings.defaults());

        assertThat(ProxyConfigRenderer.sha256(yaml))
                .isEqualTo(Digest.sha256(yaml.getBytes(StandardCharsets.UTF_8)).hex());
    }

    @Test
    void operatorSettingsReachTheProxy() {
        ProxySettings defaults = ProxySettings.defaults();
        ProxySettings settings = new ProxySettings(defaults.image(), defaults.imagePullPolicy(), "100Gi",
                null, defaults.cpuRequest(), defaults.memoryRequest(), defaults.memoryLimit(), "2m", "48h", false);
        Repository big = standard("big", false);
        StorageHints hints = new StorageHints();
        hints.setSize("200Gi");
        big.getSpec().setStorage(hints);

        EntrepotConfig config = ConfigLoader.parse(render(
                List.of(remote("hub", "http://registry.internal:5000"), big), List.of(), Map.of(), settings));

        assertThat(config.auth().anonymousPull()).isFalse();
        assertThat(config.storage().maxSize().bytes()).as("90%% of the largest size hint")
                .isEqualTo(180L * 1024 * 1024 * 1024);
        assertThat(repository(config, "hub").remote().tagTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(repository(config, "hub").remote().retention()).isEqualTo(Duration.ofHours(48));
        assertThat(repository(config, "hub").remote().url()).hasToString("http://registry.internal:5000");
    }

    /** Whatever the operator cannot honour is left out and reported in status, never handed to the proxy. */
    @Test
    void degradedNamespacesStillRenderAConfigTheProxyAccepts() {
        Repository locked = remote("locked", "https://registry.example.com");
        locked.getSpec().getRemote().setCredentialsSecretRef(secretRef("absent", "username", "password"));
        Repository partial = remote("partial", "https://other.example.com");
        partial.getSpec().getRemote().setCredentialsSecretRef(secretRef("half", "username", "password"));
        Repository clash = remote("clash", "https://mirror.example.com", "registry.example.com");
        Repository owner = standard("0wner", false);
        owner.getSpec().setMirrorOf(List.of("registry.example.com"));
        VirtualRepository dangling = virtual("dangling", null, List.of(), upstream("nowhere", 10));
        VirtualRepository nested = virtual("nested", "locked", List.of(), upstream("locked", 5), upstream("dangling", 9));
        VirtualRepository sameName = virtual("clash", null, List.of(), upstream("locked", 1));

        NamespacePlan plan = NamespacePlanner.plan(List.of(locked, partial, clash, owner),
                List.of(dangling, nested, sameName),
                secrets(Map.of("half", secret("half", Map.of("username", "only-a-name")))), ProxySettings.defaults());
        EntrepotConfig config = ConfigLoader.parse(ProxyConfigRenderer.render(plan.config()));

        assertThat(plan.problems().values().stream().flatMap(List::stream).map(Problem::reason))
                .as("every degradation is reported")
                .containsExactlyInAnyOrder("SecretNotFound", "SecretKeyNotFound", "MirrorConflict", "NameConflict",
                        "UnknownRepository", "Unresolved", "VirtualUpstream", "PushTargetNotStandard");
        assertThat(config.repositories()).extracting(EntrepotConfig.Repository::name)
                .containsExactly("0wner", "clash", "locked", "partial", "nested");
        assertThat(repository(config, "locked").remote().credentials()).isNull();
        assertThat(repository(config, "partial").remote().credentials()).isNull();
        assertThat(repository(config, "0wner").mirrorOf()).containsExactly("registry.example.com");
        assertThat(repository(config, "clash").mirrorOf()).isEmpty();
        assertThat(repository(config, "nested").virtual().upstreams()).extracting(EntrepotConfig.Upstream::repository)
                .containsExactly("locked");
        assertThat(repository(config, "nested").virtual().pushTo()).as("remote repositories take no pushes").isNull();
    }

    /**
     * spec.access and the TLS setting: users from basic-auth Secrets with their repositories, a ServiceAccount
     * binding, per-repository anonymousPull, the token flow with the generated key, HTTPS from the TLS Secret; every
     * file the proxy is told to read lies in a directory the rendered Deployment mounts.
     */
    @Test
    void accessControlAndTlsRoundTripThroughTheProxyLoader() {
        Repository team = standard("team", true);
        team.getSpec().setAccess(access(false, List.of("dev-login"), List.of("ci-login"),
                new ServiceAccountGrant(null, "builder", Role.WRITER), new ServiceAccountGrant("ci", null, Role.READER)));
        Repository hub = remote("dockerhub", "https://registry-1.docker.io", "docker.io");
        hub.getSpec().setAccess(access(true, List.of(), List.of()));
        VirtualRepository all = virtual("all", "team", List.of(), upstream("team", 100), upstream("dockerhub", 80));
        all.getSpec().setAccess(access(null, List.of("dev-login"), List.of()));
        ProxySettings settings = ProxySettings.defaults().withTlsSecret("entrepot-tls")
                .withTokenAudiences(List.of("entrepot"));
        Map<String, Secret> secrets = Map.of(
                "ci-login", basicAuth("ci-login", "ci", "s3cret"), "dev-login", basicAuth("dev-login", "dev", "pw"),
                "entrepot-tls", new SecretBuilder(secret("entrepot-tls", Map.of("tls.crt", "C", "tls.key", "K")))
                        .withType("kubernetes.io/tls").build());

        NamespacePlan plan = NamespacePlanner.plan(List.of(team, hub), List.of(all), secrets(secrets), settings);
        EntrepotConfig config = ConfigLoader.parse(ProxyConfigRenderer.render(plan.config()));

        assertThat(plan.problems()).isEmpty();
        assertThat(repository(config, "team").anonymousPull()).isFalse();
        assertThat(repository(config, "dockerhub").anonymousPull()).isTrue();
        assertThat(repository(config, "all").anonymousPull()).as("unset: auth.anonymousPull").isNull();
        assertThat(config.auth().users())
                .extracting(EntrepotConfig.User::name, u -> u.passwordFile().toString(), EntrepotConfig.User::role,
                        EntrepotConfig.User::repositories)
                .containsExactly(
                        tuple("ci", CREDENTIALS_DIR + "/ci-login_password", EntrepotConfig.Role.WRITER, List.of("team")),
                        tuple("dev", CREDENTIALS_DIR + "/dev-login_password", EntrepotConfig.Role.READER,
                                List.of("team", "all")),
                        tuple(NamespacePlanner.OPERATOR_USER, "/etc/entrepot/auth/operator-password",
                                EntrepotConfig.Role.READER, null));
        assertThat(config.auth().token().signingKeyFile()).isEqualTo(Path.of("/etc/entrepot/auth/token-key.pem"));
        assertThat(config.auth().kubernetes().enabled()).isTrue();
        assertThat(config.auth().kubernetes().audiences()).containsExactly("entrepot");
        assertThat(config.auth().kubernetes().bindings())
                .extracting(EntrepotConfig.Binding::serviceAccount, EntrepotConfig.Binding::role,
                        EntrepotConfig.Binding::repositories)
                .containsExactly(tuple("ci:*", EntrepotConfig.Role.READER, List.of("team")),
                        tuple(NS + ":builder", EntrepotConfig.Role.WRITER, List.of("team")));
        assertThat(config.tls().certFile()).isEqualTo(Path.of("/etc/entrepot/tls/tls.crt"));
        assertThat(config.tls().keyFile()).isEqualTo(Path.of("/etc/entrepot/tls/tls.key"));

        List<Path> mounted = ProxyWorkloadRenderer.deployment(NS, settings).getSpec().getTemplate().getSpec()
                .getContainers().get(0).getVolumeMounts().stream().map(m -> Path.of(m.getMountPath())).toList();
        assertThat(ReferencedFiles.of(config)).allSatisfy((key, file) -> assertThat(mounted)
                .as("%s (%s) is in a mounted directory", key, file).contains(file.getParent()));
        assertThat(plan.credentialFiles()).as("the copies the credentials Secret holds")
                .containsOnlyKeys("ci-login_password", "dev-login_password");
    }

    /**
     * spec.notifications: endpoints with the repositories that declare them (a virtual repository's: its served
     * upstreams), merged where declared alike, events as the CRD names them, the headers file in a mounted directory.
     */
    @Test
    void notificationsRoundTripThroughTheProxyLoader() {
        NotificationEndpoint hook = new NotificationEndpoint("ci-hook", "https://ci.example/hooks/registry?team=a",
                new HeadersSecretRef("hook-headers", "headers"),
                List.of(NotificationEvent.INSERT, NotificationEvent.CACHED));
        Repository team = standard("team", false);
        team.getSpec().setNotifications(new NotificationsSpec(List.of(hook)));
        Repository hub = remote("dockerhub", "https://registry-1.docker.io", "docker.io");
        hub.getSpec().setNotifications(new NotificationsSpec(List.of(hook)));
        VirtualRepository all = virtual("all", "team", List.of(), upstream("team", 100), upstream("dockerhub", 80));
        all.getSpec().setNotifications(new NotificationsSpec(List.of(
                new NotificationEndpoint("audit", "http://10.0.0.7:8080/events", null, List.of()))));
        Map<String, Secret> secrets = Map.of("hook-headers",
                secret("hook-headers", Map.of("headers", "# CI\nAuthorization: Bearer s3cret\n")));

        NamespacePlan plan = NamespacePlanner.plan(List.of(team, hub), List.of(all), secrets(secrets),
                ProxySettings.defaults());
        EntrepotConfig config = ConfigLoader.parse(ProxyConfigRenderer.render(plan.config()));

        assertThat(plan.problems()).isEmpty();
        assertThat(config.notifications().endpoints())
                .extracting(EntrepotConfig.Endpoint::name, e -> e.url().toString(),
                        e -> e.headersFile() == null ? null : e.headersFile().toString(),
                        EntrepotConfig.Endpoint::events, EntrepotConfig.Endpoint::repositories)
                .containsExactly(
                        tuple("audit", "http://10.0.0.7:8080/events", null,
                                List.of(EntrepotConfig.EventKind.INSERT, EntrepotConfig.EventKind.DELETE),
                                List.of("team", "dockerhub")),
                        tuple("ci-hook", "https://ci.example/hooks/registry?team=a",
                                CREDENTIALS_DIR + "/hook-headers_headers",
                                List.of(EntrepotConfig.EventKind.INSERT, EntrepotConfig.EventKind.CACHED),
                                List.of("dockerhub", "team")));
        assertThat(config.notifications().maxAge()).as("the proxy's default").isEqualTo(Duration.ofHours(24));
        assertThat(plan.credentialFiles()).containsOnlyKeys("hook-headers_headers");

        List<Path> mounted = ProxyWorkloadRenderer.deployment(NS, ProxySettings.defaults()).getSpec().getTemplate()
                .getSpec().getContainers().get(0).getVolumeMounts().stream().map(m -> Path.of(m.getMountPath())).toList();
        assertThat(ReferencedFiles.of(config)).containsKey("notifications.endpoints[1].headersFile")
                .allSatisfy((key, file) -> assertThat(mounted).as("%s (%s) is in a mounted directory", key, file)
                        .contains(file.getParent()));
    }

    /**
     * spec.storage.s3: the bucket, its addressing and the key pair's copies as the proxy's loader reads them and its
     * S3 store takes them, the volume shared by cached content and the local copies of hosted blobs; a Repository
     * without spec.storage.s3 follows the namespace's bucket, and the key files lie in a directory every replica
     * mounts.
     */
    @Test
    void s3StorageRoundTripsThroughTheProxyLoader() {
        S3StorageSpec bucket = new S3StorageSpec();
        bucket.setBucket("entrepot.images");
        bucket.setEndpoint("https://minio.storage.svc:9000");
        bucket.setRegion("eu-central-1");
        bucket.setPrefix("cluster-a/");
        bucket.setPathStyle(true);
        bucket.setCredentialsSecretRef(new S3CredentialsSecretRef("minio-keys", "accessKeyId", "secretAccessKey"));
        StorageHints hints = new StorageHints();
        hints.setSize("50Gi");
        hints.setS3(bucket);
        Repository team = standard("team", true);
        team.getSpec().setStorage(hints);
        Repository hub = remote("dockerhub", "https://registry-1.docker.io", "docker.io");
        ProxySettings settings = ProxySettings.defaults().withReplicas(3);

        NamespacePlan plan = NamespacePlanner.plan(List.of(team, hub), List.of(), secrets(Map.of("minio-keys",
                secret("minio-keys", Map.of("accessKeyId", "AKIAEXAMPLE", "secretAccessKey", "s3cret")))), settings);
        EntrepotConfig config = ConfigLoader.parse(ProxyConfigRenderer.render(plan.config()));

        assertThat(plan.problems()).isEmpty();
        EntrepotConfig.Storage storage = config.storage();
        assertThat(storage.type()).isEqualTo(EntrepotConfig.StorageType.S3);
        EntrepotConfig.S3Storage s3 = storage.s3();
        assertThat(s3.bucket()).isEqualTo("entrepot.images");
        assertThat(s3.endpoint()).hasToString("https://minio.storage.svc:9000");
        assertThat(s3.region()).isEqualTo("eu-central-1");
        assertThat(s3.prefix()).isEqualTo("cluster-a/");
        assertThat(s3.pathStyle()).isTrue();
        assertThat(s3.accessKeyIdFile()).isEqualTo(Path.of(CREDENTIALS_DIR, "minio-keys_accessKeyId"));
        assertThat(s3.secretAccessKeyFile()).isEqualTo(Path.of(CREDENTIALS_DIR, "minio-keys_secretAccessKey"));
        assertThat(s3.credentialsFile()).isNull();
        assertThat(s3.partSize()).as("the proxy's default").isEqualTo(ConfigLoader.DEFAULT_S3_PART_SIZE);
        long gib = 1024L * 1024 * 1024;
        assertThat(storage.maxSize().bytes()).as("60%% of the 50Gi volume for cached content").isEqualTo(30 * gib);
        assertThat(s3.localCacheSize().bytes()).as("30%% for the local copies").isEqualTo(15 * gib);
        assertThat(new S3Settings(s3.bucket(), s3.endpoint(), s3.region(), s3.prefix(), s3.pathStyle(),
                s3.accessKeyIdFile(), s3.secretAccessKeyFile(), s3.credentialsFile(), s3.profile(),
                s3.partSize().bytes()).prefix()).as("what the S3 store is opened with").isEqualTo("cluster-a/");
        assertThat(plan.credentialFiles()).containsOnlyKeys("minio-keys_accessKeyId", "minio-keys_secretAccessKey");
        assertThat(repository(config, "dockerhub").remote()).as("a repository without it is served as ever").isNotNull();

        var pod = ProxyWorkloadRenderer.deployment(NS, settings, plan.workload()).getSpec().getTemplate().getSpec();
        List<Path> mounted = pod.getContainers().get(0).getVolumeMounts().stream()
                .map(m -> Path.of(m.getMountPath())).toList();
        assertThat(mounted).contains(s3.accessKeyIdFile().getParent(), s3.secretAccessKeyFile().getParent(),
                storage.path());
        assertThat(plan.workload().replicas()).isEqualTo(3);
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("store")).singleElement()
                .satisfies(v -> assertThat(v.getEmptyDir()).as("each replica its own storage.path").isNotNull());
    }

    /** The operator's generated signing key is one the proxy's token issuer reads (PKCS#8 PEM RSA). */
    @Test
    void theGeneratedSigningKeyIsOneTheProxyReads(@TempDir Path dir) throws Exception {
        Path key = dir.resolve(NamespacePlanner.TOKEN_KEY);
        Files.writeString(key, AuthSecretDependentResource.signingKeyPem());

        assertThat(SigningKey.read(key)).isNotNull();
    }

    /** Without any spec.access the proxy stays as open as before: no users, no token flow. */
    @Test
    void namespacesWithoutAccessRenderNoUsers() {
        EntrepotConfig config = ConfigLoader.parse(render(List.of(standard("team", false)), List.of(), Map.of(),
                ProxySettings.defaults()));

        assertThat(config.auth().users()).isEmpty();
        assertThat(config.auth().token()).isNull();
        assertThat(config.auth().kubernetes().enabled()).isFalse();
        assertThat(config.tls()).isNull();
    }

    /** Guards the test itself: the loader does reject what the operator must never emit. */
    @Test
    void theProxyLoaderRejectsFieldsOutsideTheContract() {
        String yaml = render(List.of(standard("team", false)), List.of(), Map.of(), ProxySettings.defaults());

        assertThatThrownBy(() -> ConfigLoader.parse(yaml.replace("immutableTags: false", "immutable: false")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anyMatch(p -> p.contains("immutable")));
    }

    private static String render(List<Repository> repositories, List<VirtualRepository> virtuals,
            Map<String, Secret> secrets, ProxySettings settings) {
        return ProxyConfigRenderer.render(
                NamespacePlanner.plan(repositories, virtuals, secrets(secrets), settings).config());
    }

    private static Function<String, Optional<Secret>> secrets(Map<String, Secret> secrets) {
        return name -> Optional.ofNullable(secrets.get(name));
    }

    private static EntrepotConfig.Repository repository(EntrepotConfig config, String name) {
        return config.repositories().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private static Repository remote(String name, String url, String... mirrorOf) {
        RemoteSpec remote = new RemoteSpec();
        remote.setUrl(url);
        RepositorySpec spec = new RepositorySpec();
        spec.setMode(RepositoryMode.REMOTE);
        spec.setRemote(remote);
        spec.setMirrorOf(List.of(mirrorOf));
        return repository(name, spec);
    }

    private static Repository standard(String name, boolean immutableTags) {
        StandardSpec standard = new StandardSpec();
        standard.setImmutableTags(immutableTags);
        RepositorySpec spec = new RepositorySpec();
        spec.setMode(RepositoryMode.STANDARD);
        spec.setStandard(standard);
        return repository(name, spec);
    }

    private static Repository repository(String name, RepositorySpec spec) {
        Repository repository = new Repository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        repository.setSpec(spec);
        return repository;
    }

    private static VirtualRepository virtual(String name, String pushTo, List<String> mirrorOf,
            UpstreamRef... upstreams) {
        VirtualRepositorySpec spec = new VirtualRepositorySpec();
        spec.setUpstreams(List.of(upstreams));
        spec.setPushTo(pushTo);
        spec.setMirrorOf(mirrorOf);
        VirtualRepository virtual = new VirtualRepository();
        virtual.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        virtual.setSpec(spec);
        return virtual;
    }

    private static UpstreamRef upstream(String repository, int priority) {
        return new UpstreamRef(repository, priority);
    }

    private static CleanupPolicy cleanup(Boolean dryRun, Integer keepRecent, String deleteUntaggedOlderThan) {
        CleanupPolicy cleanup = new CleanupPolicy();
        cleanup.setDryRun(dryRun);
        cleanup.setKeepRecent(keepRecent);
        cleanup.setDeleteUntaggedOlderThan(deleteUntaggedOlderThan);
        return cleanup;
    }

    private static CredentialsSecretRef secretRef(String name, String usernameKey, String passwordKey) {
        CredentialsSecretRef ref = new CredentialsSecretRef();
        ref.setName(name);
        ref.setUsernameKey(usernameKey);
        ref.setPasswordKey(passwordKey);
        return ref;
    }

    private static AccessSpec access(Boolean anonymousPull, List<String> readers, List<String> writers,
            ServiceAccountGrant... serviceAccounts) {
        AccessSpec access = new AccessSpec();
        access.setAnonymousPull(anonymousPull);
        access.setReaders(readers.stream().map(UserSecretRef::new).toList());
        access.setWriters(writers.stream().map(UserSecretRef::new).toList());
        access.setServiceAccounts(List.of(serviceAccounts));
        return access;
    }

    private static Secret basicAuth(String name, String username, String password) {
        return new SecretBuilder(secret(name, Map.of("username", username, "password", password)))
                .withType("kubernetes.io/basic-auth").build();
    }

    private static Secret secret(String name, Map<String, String> values) {
        SecretBuilder builder = new SecretBuilder().withNewMetadata().withNamespace(NS).withName(name).endMetadata();
        values.forEach((key, value) -> builder.addToData(key,
                Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return builder.build();
    }
}
