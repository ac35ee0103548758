package dev.entrepot.proxy.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.Repositories.Target;
import dev.entrepot.proxy.testing.StubRepository;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoriesTest {
    private final Repository dockerhub = new NamedOnly("dockerhub");
    private final Repository ghcr = new NamedOnly("ghcr");
    private final Repository team = new NamedOnly("team");

    /** dockerhub mirrors docker.io, ghcr mirrors ghcr.io, team mirrors nothing. */
    private final Repositories routes = new Repositories(
            ordered(Map.entry("dockerhub", dockerhub), Map.entry("ghcr", ghcr), Map.entry("team", team)),
            ordered(Map.entry("docker.io", dockerhub), Map.entry("ghcr.io", ghcr)));

    /** No repository mirrors docker.io. */
    private final Repositories noHubMirror = new Repositories(
            ordered(Map.entry("ghcr", ghcr), Map.entry("team", team)),
            ordered(Map.entry("ghcr.io", ghcr)));

    @SafeVarargs
    private static Map<String, Repository> ordered(Map.Entry<String, Repository>... entries) {
        Map<String, Repository> map = new LinkedHashMap<>();
        for (Map.Entry<String, Repository> e : entries) {
            map.put(e.getKey(), e.getValue());
        }
        return map;
    }

    private static void assertTarget(Target target, Repository repository, String name) {
        assertThat(target.repository()).isSameAs(repository);
        assertThat(target.name()).isEqualTo(new ImageName(name));
    }

    private static OciException failure(Runnable call) {
        OciException e = catchThrowableOfType(call::run, OciException.class);
        assertThat(e).as("expected an OciException").isNotNull();
        return e;
    }

    // ---- /v2/<repository>/<name> ----

    @Test
    void firstSegmentNamesTheRepository() {
        assertTarget(routes.resolve("dockerhub/library/nginx", null), dockerhub, "library/nginx");
        assertTarget(routes.resolve("ghcr/org/team/app", null), ghcr, "org/team/app");
        assertTarget(routes.resolve("team/app", null), team, "app");
    }

    @Test
    void namesAreTakenAsWrittenTheRepositoryRewritesThemIfItMust() {
        // Docker Hub's library/ is PullThroughRepository's business, not routing's (a virtual repository over a
        // hosted and a Docker Hub repository rewrites for one member only).
        assertTarget(routes.resolve("dockerhub/nginx", null), dockerhub, "nginx");
        assertTarget(routes.resolve("ghcr/nginx", null), ghcr, "nginx");
    }

    @Test
    void withNsAnotherRepositorysNameIsPartOfTheImageName() {
        // containerd pulling docker.io/ghcr/app: "ghcr" is a Docker Hub namespace here, not our repository.
        assertTarget(routes.resolve("ghcr/app", "docker.io"), dockerhub, "ghcr/app");
    }

    @Test
    void withNsThePrefixOfTheMirroringRepositoryIsStripped() {
        // hosts.toml with override_path = true pointing at /v2/dockerhub.
        assertTarget(routes.resolve("dockerhub/library/nginx", "docker.io"), dockerhub, "library/nginx");
    }

    @Test
    void withAnUnmirroredNsARepositoryPrefixStillRoutes() {
        assertTarget(routes.resolve("ghcr/app", "quay.io"), ghcr, "app");
    }

    // ---- mirror clients: /v2/<name>?ns=<host> ----

    @Test
    void withoutNsAnUnknownFirstSegmentIsADockerHubName() {
        assertTarget(routes.resolve("nginx", null), dockerhub, "nginx");
        assertTarget(routes.resolve("bitnami/redis", null), dockerhub, "bitnami/redis");
        assertTarget(routes.resolve("nginx", " "), dockerhub, "nginx");
    }

    @Test
    void withADockerIoMirrorAnUnconfiguredRepositoryNameIsADockerHubNamespace() {
        // The rule for Docker's registry-mirrors (no ns): a mistyped repository name is asked of Docker Hub as an image.
        assertTarget(routes.resolve("unknownrepo/x", null), dockerhub, "unknownrepo/x");
        assertTarget(routes.resolve("dokerhub/library/nginx", null), dockerhub, "dokerhub/library/nginx");
    }

    @Test
    void nsSelectsTheMirroringRepository() {
        assertTarget(routes.resolve("nginx", "docker.io"), dockerhub, "nginx");
        assertTarget(routes.resolve("org/app", "ghcr.io"), ghcr, "org/app");
    }

    @ParameterizedTest
    @ValueSource(strings = {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "Docker.IO",
            " REGISTRY-1.docker.io "})
    void dockerHubAliasesAreDockerIo(String ns) {
        assertTarget(routes.resolve("library/alpine", ns), dockerhub, "library/alpine");
    }

    @Test
    void aRepositoryNameAloneIsAnImageOnTheMirroredHub() {
        // "/v2/team/manifests/latest" from a Docker Hub mirror client means the image docker.io/library/team.
        assertTarget(routes.resolve("team", null), dockerhub, "team");
    }

    @Test
    void normalizeHost() {
        assertThat(Repositories.normalizeHost("Registry-1.Docker.io")).isEqualTo("docker.io");
        assertThat(Repositories.normalizeHost("index.docker.io")).isEqualTo("docker.io");
        assertThat(Repositories.normalizeHost(" GHCR.io ")).isEqualTo("ghcr.io");
        assertThat(Repositories.normalizeHost("localhost:5000")).isEqualTo("localhost:5000");
    }

    // ---- errors ----

    @Test
    void unmirroredNsIsNameUnknownNamingTheRepositoryAndTheHost() {
        OciException e = failure(() -> routes.resolve("org/app", "quay.io"));

        assertThat(e.code()).isEqualTo(OciErrorCode.NAME_UNKNOWN);
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).isEqualTo("no repository named 'org' and no repository mirrors quay.io");
        // a docker.io mirror does not stand in for another host
        assertThat(failure(() -> routes.resolve("unknownrepo/x", "quay.io")).getMessage())
                .isEqualTo("no repository named 'unknownrepo' and no repository mirrors quay.io");
    }

    @Test
    void withoutADockerIoMirrorAnUnknownNameIsNameUnknownNamingIt() {
        OciException e = failure(() -> noHubMirror.resolve("unknownrepo/x", null));

        assertThat(e.code()).isEqualTo(OciErrorCode.NAME_UNKNOWN);
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.getMessage()).isEqualTo("no repository named 'unknownrepo' and no repository mirrors docker.io");
        assertThat(failure(() -> noHubMirror.resolve("nginx", null)).getMessage())
                .isEqualTo("no repository named 'nginx' and no repository mirrors docker.io");
    }

    @Test
    void aRepositoryWithoutImageNameIsNameInvalid() {
        OciException e = failure(() -> noHubMirror.resolve("team", null));

        assertThat(e.code()).isEqualTo(OciErrorCode.NAME_INVALID);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).isEqualTo("missing image name after repository 'team': use /v2/team/<name>/...");
    }

    @Test
    void anInvalidImageNameIsNameInvalid() {
        assertThat(failure(() -> routes.resolve("dockerhub/Library/NGINX", null)).code())
                .isEqualTo(OciErrorCode.NAME_INVALID);
        assertThat(failure(() -> routes.resolve("dockerhub/library//nginx", null)).code())
                .isEqualTo(OciErrorCode.NAME_INVALID);
        assertThat(failure(() -> routes.resolve("Nginx", "docker.io")).code()).isEqualTo(OciErrorCode.NAME_INVALID);
    }

    // ---- table ----

    @Test
    void lookupByName() {
        assertThat(routes.named("ghcr")).isSameAs(ghcr);
        assertThat(routes.named("docker.io")).isNull();
        assertThat(routes.all()).containsExactlyInAnyOrder(dockerhub, ghcr, team);
    }

    @Test
    void theTableIsACopy() {
        Map<String, Repository> byName = ordered(Map.entry("team", team));
        Repositories table = new Repositories(byName, Map.of());

        byName.put("ghcr", ghcr);

        assertThat(table.named("ghcr")).isNull();
    }

    /** Routing only looks at a repository's name. */
    private record NamedOnly(String name) implements StubRepository {
    }
}
