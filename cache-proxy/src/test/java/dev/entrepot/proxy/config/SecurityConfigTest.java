package dev.entrepot.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.config.EntrepotConfig.Role;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The auth and tls blocks of the contract: what they say, their defaults, and every mistake named by its path. */
class SecurityConfigTest {
    private static final String REPOSITORIES = """
            repositories:
              - name: hub
                mode: remote
                anonymousPull: true
                remote: {url: "https://registry-1.docker.io"}
              - name: team
                mode: standard
              - name: all
                mode: virtual
                virtual:
                  upstreams: [{repository: team, priority: 10}, {repository: hub, priority: 5}]
                  pushTo: team
            """;

    @Test
    void parsesEveryField() {
        EntrepotConfig config = ConfigLoader.parse(REPOSITORIES + """
                auth:
                  anonymousPull: false
                  users:
                    - {name: ci, passwordFile: /etc/entrepot/users/ci, role: writer, repositories: [team]}
                    - {name: ci, passwordFile: /etc/entrepot/users/ci, role: reader}
                  token:
                    service: registry.example
                    signingKeyFile: /etc/entrepot/token/key.pem
                    ttl: 5m
                    refreshTtl: 12h
                    realm: https://registry.example/token
                  kubernetes:
                    enabled: true
                    audiences: [entrepot]
                    cacheTtl: 30s
                    bindings:
                      - {serviceAccount: "team-a:*", role: reader, repositories: [all]}
                      - {serviceAccount: "ci:builder", role: writer}
                tls:
                  certFile: /etc/entrepot/tls/tls.crt
                  keyFile: /etc/entrepot/tls/tls.key
                """);
        assertThat(config.repositories()).extracting(EntrepotConfig.Repository::anonymousPull)
                .containsExactly(true, null, null);
        EntrepotConfig.Auth auth = config.auth();
        assertThat(auth.anonymousPull()).isFalse();
        assertThat(auth.users()).containsExactly(
                new EntrepotConfig.User("ci", Path.of("/etc/entrepot/users/ci"), Role.WRITER, List.of("team")),
                new EntrepotConfig.User("ci", Path.of("/etc/entrepot/users/ci"), Role.READER, null));
        assertThat(auth.token()).isEqualTo(new EntrepotConfig.Token("registry.example",
                Path.of("/etc/entrepot/token/key.pem"), Duration.ofMinutes(5), Duration.ofHours(12),
                URI.create("https://registry.example/token")));
        assertThat(auth.kubernetes()).isEqualTo(new EntrepotConfig.Kubernetes(true, List.of("entrepot"),
                Duration.ofSeconds(30), List.of(new EntrepotConfig.Binding("team-a:*", Role.READER, List.of("all")),
                new EntrepotConfig.Binding("ci:builder", Role.WRITER, null))));
        assertThat(config.tls()).isEqualTo(new EntrepotConfig.Tls(Path.of("/etc/entrepot/tls/tls.crt"),
                Path.of("/etc/entrepot/tls/tls.key")));
    }

    @Test
    void fillsDefaults() {
        EntrepotConfig config = ConfigLoader.parse(REPOSITORIES + """
                auth:
                  token: {}
                  kubernetes: {}
                """);
        assertThat(config.auth().anonymousPull()).isTrue();
        assertThat(config.auth().token()).isEqualTo(new EntrepotConfig.Token("entrepot", null, Duration.ofMinutes(15),
                Duration.ofHours(24), null));
        assertThat(config.auth().kubernetes()).isEqualTo(new EntrepotConfig.Kubernetes(false, List.of(),
                Duration.ofMinutes(1), List.of()));
        assertThat(config.tls()).isNull();

        EntrepotConfig bare = ConfigLoader.parse(REPOSITORIES);
        assertThat(bare.auth().token()).as("no token block: Basic challenges").isNull();
        assertThat(bare.auth().kubernetes().enabled()).isFalse();
    }

    @Test
    void reportsEveryMistakeWithItsPath() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(REPOSITORIES + """
                auth:
                  users:
                    - {name: "a:b", passwordFile: /p, role: reader}
                    - {name: ci, role: writer, repositories: [nosuch]}
                    - {name: dev, passwordFile: /p/dev, role: reader, repositories: []}
                    - {name: dev, passwordFile: /p/other, role: writer}
                  token: {ttl: 0s, refreshTtl: 0s, service: "bad name", realm: "/token"}
                  kubernetes:
                    audiences: [""]
                    bindings:
                      - {serviceAccount: "team-a", role: reader}
                      - {serviceAccount: "Team:x", role: reader}
                      - {serviceAccount: "team-a:x", repositories: [nope]}
                tls: {certFile: /c}
                """));
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "auth.users[0].name: required, without ':' (HTTP Basic cannot carry it)",
                "auth.users[1].passwordFile: required",
                "auth.users[1].repositories: unknown repository 'nosuch'",
                "auth.users[2].repositories: omit it for every repository; an empty list grants nothing",
                "auth.users[3].passwordFile: user 'dev' is listed again with another password file",
                "auth.token.service: letters, digits and . _ : / - only (got 'bad name')",
                "auth.token.ttl: must be positive",
                "auth.token.refreshTtl: must be positive",
                "auth.token.realm: must be an absolute http(s) URL (got /token)",
                "auth.kubernetes.audiences: entries must not be empty",
                "auth.kubernetes.bindings[0].serviceAccount: required, 'namespace:name' or 'namespace:*' (got team-a)",
                "auth.kubernetes.bindings[1].serviceAccount: required, 'namespace:name' or 'namespace:*' (got Team:x)",
                "auth.kubernetes.bindings[2].role: required (reader or writer)",
                "auth.kubernetes.bindings[2].repositories: unknown repository 'nope'",
                "tls: certFile and keyFile are both required");
    }

    @Test
    void unknownFieldsAreRefused() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(REPOSITORIES + """
                auth:
                  token: {signingKey: /k}
                """));
        assertThat(e.getMessage()).contains("unknown field 'signingKey'");
    }
}
