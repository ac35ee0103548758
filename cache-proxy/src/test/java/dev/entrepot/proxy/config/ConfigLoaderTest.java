package dev.entrepot.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.config.EntrepotConfig.Mode;
import dev.entrepot.proxy.config.EntrepotConfig.Repository;
import dev.entrepot.proxy.config.EntrepotConfig.Role;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    /** The example of DESIGN.md, verbatim apart from the credential paths. */
    static final String DESIGN_EXAMPLE = """
            storage:
              path: /var/lib/entrepot        # content-addressed blobs + metadata
              maxSize: 50Gi                  # LRU eviction of unreferenced-by-pins content above this
            repositories:
              - name: dockerhub
                mode: remote
                mirrorOf: [docker.io]
                remote:
                  url: https://registry-1.docker.io
                  credentials: {usernameFile: /etc/entrepot/hub/username, passwordFile: /etc/entrepot/hub/password}
                  tagTtl: 5m
                  retention: 720h
              - name: team
                mode: standard
                standard:
                  immutableTags: true
              - name: all
                mode: virtual
                virtual:
                  upstreams:
                    - {repository: team, priority: 100}
                    - {repository: dockerhub, priority: 80}
                  pushTo: team
            auth:
              anonymousPull: true
              users:
                - {name: ci, passwordFile: /etc/entrepot/users/ci, role: writer}
            """;

    static final String MINIMAL_REMOTE = """
            repositories:
              - name: hub
                mode: remote
                remote:
                  url: https://registry-1.docker.io
            """;

    @Test
    void parsesTheDesignExample() {
        EntrepotConfig config = ConfigLoader.parse(DESIGN_EXAMPLE);

        assertThat(config.storage().path()).isEqualTo(Path.of("/var/lib/entrepot"));
        assertThat(config.storage().maxSize().bytes()).isEqualTo(50L << 30);
        assertThat(config.repositories()).extracting(Repository::name).containsExactly("dockerhub", "team", "all");
        assertThat(config.repositories()).extracting(Repository::mode)
                .containsExactly(Mode.REMOTE, Mode.STANDARD, Mode.VIRTUAL);

        Repository hub = config.repositories().get(0);
        assertThat(hub.mirrorOf()).containsExactly("docker.io");
        assertThat(hub.remote().url()).isEqualTo(URI.create("https://registry-1.docker.io"));
        assertThat(hub.remote().tagTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(hub.remote().retention()).isEqualTo(Duration.ofHours(720));
        assertThat(hub.remote().credentials().usernameFile()).isEqualTo(Path.of("/etc/entrepot/hub/username"));
        assertThat(hub.remote().credentials().passwordFile()).isEqualTo(Path.of("/etc/entrepot/hub/password"));

        assertThat(config.repositories().get(1).standard().immutableTags()).isTrue();
        assertThat(config.repositories().get(2).virtual().pushTo()).isEqualTo("team");
        assertThat(config.repositories().get(2).virtual().upstreams())
                .containsExactly(new EntrepotConfig.Upstream("team", 100), new EntrepotConfig.Upstream("dockerhub", 80));

        assertThat(config.auth().anonymousPull()).isTrue();
        assertThat(config.auth().users()).containsExactly(
                new EntrepotConfig.User("ci", Path.of("/etc/entrepot/users/ci"), Role.WRITER));
    }

    @Test
    void fillsDefaults() {
        EntrepotConfig config = ConfigLoader.parse(MINIMAL_REMOTE);

        assertThat(config.storage().path()).isEqualTo(ConfigLoader.DEFAULT_STORAGE).isEqualTo(Path.of("data"));
        assertThat(config.storage().maxSize()).as("unbounded").isNull();
        Repository hub = config.repositories().get(0);
        assertThat(hub.mirrorOf()).isEmpty();
        assertThat(hub.remote().tagTtl()).isEqualTo(ConfigLoader.DEFAULT_TAG_TTL).isEqualTo(Duration.ofMinutes(5));
        assertThat(hub.remote().retention()).isNull();
        assertThat(hub.remote().credentials()).isNull();
        assertThat(config.auth().anonymousPull()).isTrue();
        assertThat(config.auth().users()).isEmpty();
    }

    @Test
    void authWithoutAnonymousPullKeepsTheDefaultTrue() {
        EntrepotConfig config = ConfigLoader.parse(MINIMAL_REMOTE + "auth: {users: []}\n");

        assertThat(config.auth().anonymousPull()).isTrue();
        assertThat(ConfigLoader.parse(MINIMAL_REMOTE + "auth: {anonymousPull: false}\n").auth().anonymousPull())
                .isFalse();
    }

    @Test
    void numericSizesAndZeroTtlAreAccepted() {
        EntrepotConfig config = ConfigLoader.parse("""
                storage: {maxSize: 1048576}
                repositories:
                  - name: hub
                    mode: remote
                    remote: {url: 'http://127.0.0.1:5001', tagTtl: 0}
                """);

        assertThat(config.storage().maxSize().bytes()).isEqualTo(1_048_576);
        assertThat(config.repositories().get(0).remote().tagTtl()).isZero();
        assertThat(config.repositories().get(0).remote().url().getPort()).isEqualTo(5001);
    }

    @Test
    void embeddedDefaultIsADockerHubMirror() {
        EntrepotConfig config = ConfigLoader.embeddedDefault();

        assertThat(config.storage().path().normalize()).isEqualTo(Path.of("data"));
        assertThat(config.storage().maxSize()).isNull();
        assertThat(config.repositories()).hasSize(1);
        Repository hub = config.repositories().get(0);
        assertThat(hub.name()).isEqualTo("dockerhub");
        assertThat(hub.mode()).isEqualTo(Mode.REMOTE);
        assertThat(hub.mirrorOf()).containsExactly("docker.io");
        assertThat(hub.remote().url()).isEqualTo(URI.create("https://registry-1.docker.io"));
        assertThat(hub.remote().tagTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(hub.remote().credentials()).isNull();
        assertThat(config.auth().anonymousPull()).isTrue();
        assertThat(config.auth().users()).isEmpty();
    }

    @Test
    void loadsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("entrepot.yaml");
        Files.writeString(file, MINIMAL_REMOTE, StandardCharsets.UTF_8);

        assertThat(ConfigLoader.load(file).repositories()).extracting(Repository::name).containsExactly("hub");
    }

    @Test
    void missingFileIsAConfigErrorNamingTheFile(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");

        ConfigException e = catchThrowableOfType(() -> ConfigLoader.load(file), ConfigException.class);

        assertThat(e.getMessage()).contains(file.toString());
        assertThat(e.problems()).singleElement().asString().startsWith("cannot read:");
    }

    @Test
    void invalidFileMessageNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("entrepot.yaml");
        Files.writeString(file, "repositories: []\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration " + file + ": ")
                .hasMessageContaining("repositories: at least one repository is required");
    }

    @Test
    void emptyDocumentIsReported() {
        assertThat(problems("")).singleElement().asString().isNotBlank();
        assertThat(problems("---\n")).singleElement().asString().isNotBlank();
        assertThat(problems("{}\n")).containsExactly("repositories: at least one repository is required");
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsPath() {
        List<String> problems = problems("""
                storage: {maxSize: 0}
                repositories:
                  - name: Hub
                    mode: remote
                    remote: {url: 'ftp://example.com'}
                  - name: hub2
                    mode: remote
                  - name: hub2
                    mode: standard
                    remote: {url: 'https://example.com'}
                  - name: lonely
                """);

        assertThat(problems).containsExactly(
                "storage.maxSize: must be positive",
                "repositories[0].name: required, lowercase letters, digits and . _ - (got Hub)",
                "repositories[0].remote.url: required absolute http(s) URL (got ftp://example.com)",
                "repositories[1].remote: required for this mode",
                "repositories[2].name: duplicate repository 'hub2'",
                "repositories[2].remote: not allowed for this mode",
                "repositories[3].mode: required (remote, standard or virtual)");
    }

    @Test
    void duplicateNames() {
        assertThat(problems("""
                repositories:
                  - {name: hub, mode: remote, remote: {url: 'https://a.example'}}
                  - {name: other, mode: standard}
                  - {name: hub, mode: remote, remote: {url: 'https://b.example'}}
                """)).containsExactly("repositories[2].name: duplicate repository 'hub'");
    }

    @Test
    void badNames() {
        for (String name : List.of("Hub", "-hub", "hub-", "hub/x", "hub..x", "hüb", "''")) {
            assertThat(problems("repositories: [{name: " + name + ", mode: standard}]\n"))
                    .as(name).singleElement().asString().startsWith("repositories[0].name: required");
        }
        assertThat(problems("repositories: [{mode: standard}]\n"))
                .containsExactly("repositories[0].name: required, lowercase letters, digits and . _ - (got null)");
    }

    @Test
    void mirrorOfHostUsedTwice() {
        assertThat(problems("""
                repositories:
                  - {name: a, mode: remote, mirrorOf: [docker.io, quay.io], remote: {url: 'https://a.example'}}
                  - {name: b, mode: remote, mirrorOf: ['localhost:5000', docker.io], remote: {url: 'https://b.example'}}
                """)).containsExactly("repositories[1].mirrorOf: host 'docker.io' is already mirrored by 'a'");
    }

    @Test
    void mirrorOfMustBeHosts() {
        assertThat(problems("""
                repositories:
                  - {name: a, mode: remote, mirrorOf: ['https://docker.io', 'docker.io/library', ''],
                     remote: {url: 'https://a.example'}}
                """)).containsExactly(
                "repositories[0].mirrorOf: invalid registry host 'https://docker.io'",
                "repositories[0].mirrorOf: invalid registry host 'docker.io/library'",
                "repositories[0].mirrorOf: invalid registry host ''");
    }

    @Test
    void modeBlocksMustMatchTheMode() {
        assertThat(problems("""
                repositories:
                  - {name: r, mode: remote}
                  - {name: s, mode: standard, virtual: {upstreams: [{repository: r, priority: 1}]}}
                  - {name: v, mode: virtual, standard: {immutableTags: true}}
                """)).containsExactly(
                "repositories[0].remote: required for this mode",
                "repositories[1].virtual: not allowed for this mode",
                "repositories[2].standard: only allowed with mode standard",
                "repositories[2].virtual: required for this mode");
    }

    @Test
    void remoteUrlMustBeAbsoluteHttp() {
        for (String url : List.of("ftp://example.com", "registry-1.docker.io", "/v2/", "file:///etc/passwd",
                "https:opaque")) {
            assertThat(problems("repositories: [{name: r, mode: remote, remote: {url: '" + url + "'}}]\n"))
                    .as(url).containsExactly("repositories[0].remote.url: required absolute http(s) URL (got " + url + ")");
        }
        assertThat(problems("repositories: [{name: r, mode: remote, remote: {tagTtl: 5m}}]\n"))
                .containsExactly("repositories[0].remote.url: required absolute http(s) URL (got null)");
    }

    @Test
    void remoteTimesAndCredentials() {
        assertThat(problems("""
                repositories:
                  - name: r
                    mode: remote
                    remote:
                      url: https://example.com
                      retention: 0
                      credentials: {usernameFile: /u}
                """)).containsExactly(
                "repositories[0].remote.retention: must be positive",
                "repositories[0].remote.credentials: usernameFile and passwordFile are both required");
    }

    @Test
    void virtualUpstreamsMustBeKnownNonVirtualRepositories() {
        assertThat(problems("""
                repositories:
                  - {name: hub, mode: remote, remote: {url: 'https://example.com'}}
                  - name: v1
                    mode: virtual
                    virtual:
                      upstreams:
                        - {repository: hub, priority: 10}
                        - {repository: nowhere, priority: 5}
                        - {repository: v2, priority: 1}
                  - {name: v2, mode: virtual, virtual: {upstreams: [{repository: hub, priority: 1}]}}
                """)).containsExactly(
                "repositories[1].virtual.upstreams[1].repository: unknown repository 'nowhere'",
                "repositories[1].virtual.upstreams[2].repository: 'v2' is virtual; nest none");
    }

    @Test
    void virtualNeedsUpstreams() {
        assertThat(problems("repositories: [{name: v, mode: virtual, virtual: {upstreams: []}}]\n"))
                .containsExactly("repositories[0].virtual.upstreams: at least one upstream is required");
        assertThat(problems("repositories: [{name: v, mode: virtual, virtual: {pushTo: null}}]\n"))
                .containsExactly("repositories[0].virtual.upstreams: at least one upstream is required");
    }

    @Test
    void priorityIsRequiredAndInRange() {
        String yaml = """
                repositories:
                  - {name: hub, mode: remote, remote: {url: 'https://example.com'}}
                  - name: v
                    mode: virtual
                    virtual:
                      upstreams:
                        - {repository: a, priority: -1}
                        - {repository: b, priority: 1001}
                        - {repository: c}
                        - {repository: d, priority: 0}
                        - {repository: e, priority: 1000}
                        - {repository: hub, priority: 3}
                        - {repository: hub, priority: 4}
                  - {name: a, mode: standard}
                  - {name: b, mode: standard}
                  - {name: c, mode: standard}
                  - {name: d, mode: standard}
                  - {name: e, mode: standard}
                """;

        assertThat(problems(yaml)).containsExactly(
                "repositories[1].virtual.upstreams[0].priority: required, 0 to 1000",
                "repositories[1].virtual.upstreams[1].priority: required, 0 to 1000",
                "repositories[1].virtual.upstreams[2].priority: required, 0 to 1000",
                "repositories[1].virtual.upstreams[6].repository: 'hub' is listed twice");
    }

    @Test
    void pushToMustBeAStandardUpstream() {
        String repos = """
                repositories:
                  - {name: hub, mode: remote, remote: {url: 'https://example.com'}}
                  - {name: team, mode: standard}
                  - {name: other, mode: standard}
                """;

        assertThat(problems(repos + "  - {name: v, mode: virtual, virtual: {upstreams: [{repository: hub, priority: 1}],"
                + " pushTo: hub}}\n"))
                .containsExactly("repositories[3].virtual.pushTo: 'hub' must name a standard repository");
        assertThat(problems(repos + "  - {name: v, mode: virtual, virtual: {upstreams: [{repository: team, priority: 1}],"
                + " pushTo: other}}\n"))
                .containsExactly("repositories[3].virtual.pushTo: 'other' must also be one of the upstreams");
        assertThat(problems(repos + "  - {name: v, mode: virtual, virtual: {upstreams: [{repository: team, priority: 1}],"
                + " pushTo: ghost}}\n"))
                .containsExactly("repositories[3].virtual.pushTo: 'ghost' must name a standard repository");
    }

    @Test
    void usersNeedNamesPasswordFilesAndRolesAndOneNameOnePasswordFile() {
        assertThat(problems(MINIMAL_REMOTE + """
                auth:
                  users:
                    - {name: ci, passwordFile: /p, role: writer}
                    - {name: ci, passwordFile: /other, role: reader}
                    - {passwordFile: /p, role: reader}
                    - {name: bob}
                    - {name: ci, passwordFile: /p, role: reader}
                """)).containsExactly(
                "auth.users[1].passwordFile: user 'ci' is listed again with another password file",
                "auth.users[2].name: required, without ':' (HTTP Basic cannot carry it)",
                "auth.users[3].passwordFile: required",
                "auth.users[3].role: required (reader or writer)");
    }

    @Test
    void unknownPropertiesAreRejectedWithTheirPath() {
        List<String> problems = problems("""
                repositories:
                  - name: hub
                    mode: remote
                    remote:
                      tagTTL: 5m
                      url: https://example.com
                """);

        assertThat(problems).containsExactly("repositories[0].remote.tagTTL: unknown field 'tagTTL' (did you mean "
                + "'tagTtl'?); known here: url, credentials, tagTtl, retention, notFoundTtl (line 5)");
    }

    @Test
    void unknownTopLevelProperty() {
        assertThat(problems(MINIMAL_REMOTE + "metrics: true\n")).containsExactly("metrics: unknown field 'metrics'; "
                + "known here: storage, repositories, auth, tls, notifications (line 6)");
    }

    @Test
    void duplicateKeysAreRejectedNotSilentlyOverwritten() {
        List<String> problems = problems(MINIMAL_REMOTE + """
                repositories:
                  - {name: other, mode: standard}
                """);

        assertThat(problems).containsExactly("repositories: given twice (line 6)");
    }

    @Test
    void badScalarsNameTheFieldAndTheExpectedForm() {
        assertThat(problems("storage: {maxSize: lots}\n" + MINIMAL_REMOTE)).singleElement().asString()
                .startsWith("storage.maxSize: invalid size 'lots'")
                .contains("line 1");
        assertThat(problems(MINIMAL_REMOTE + "      tagTtl: 5 minutes\n")).singleElement().asString()
                .startsWith("repositories[0].remote.tagTtl: invalid duration '5 minutes'")
                .contains("line 6");
        assertThat(problems("repositories: [{name: r, mode: mirror}]\n")).singleElement().asString()
                .startsWith("repositories[0].mode: ")
                .contains("mirror");
    }

    @Test
    void yamlSyntaxErrorsSayWhatIsWrongAndWhere() {
        assertThat(problems("""
                repositories:
                  - name: hub
                    mode: remote
                   remote: [unclosed
                """)).containsExactly(
                "YAML syntax error: expected <block end>, but found '<block mapping start>' (line 4, column 4)");
        assertThat(problems("storage: {path: /x}: y\n")).containsExactly(
                "YAML syntax error: mapping values are not allowed here (line 1, column 20)");
        assertThat(problems("storage: {path: '/x}\n")).containsExactly(
                "YAML syntax error: found unexpected end of stream (line 2, column 1)");
    }

    @Test
    void tabIndentationIsASyntaxErrorAtTheTab() {
        assertThat(problems("repositories:\n\t- name: hub\n")).singleElement().asString()
                .startsWith("YAML syntax error: found character '\\t(TAB)' that cannot start any token")
                .endsWith("(line 2, column 1)");
    }

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.parse(yaml), ConfigException.class);
        assertThat(e).as("expected a ConfigException for:%n%s", yaml).isNotNull();
        assertThat(e.getMessage()).startsWith("invalid configuration (inline): ")
                .contains(String.join("; ", e.problems()));
        return e.problems();
    }
}
