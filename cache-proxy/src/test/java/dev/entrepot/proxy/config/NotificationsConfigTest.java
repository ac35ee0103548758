package dev.entrepot.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.config.EntrepotConfig.EventKind;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotificationsConfigTest {

    @Test
    void noBlockMeansNoEndpoints() {
        EntrepotConfig config = ConfigLoader.parse(ConfigLoaderTest.MINIMAL_REMOTE);

        assertThat(config.notifications().endpoints()).isEmpty();
        assertThat(config.notifications().maxAge()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void endpointsWithDefaults() {
        EntrepotConfig config = ConfigLoader.parse("""
                repositories: [{name: team, mode: standard}]
                notifications:
                  host: registry.example.com
                  maxAge: 2h
                  endpoints:
                    - {name: ci-hook, url: 'https://hooks.example/registry', headersFile: /etc/h}
                    - {name: cache, url: 'http://10.0.0.1:8080/', events: [cached], repositories: [team]}
                """);

        assertThat(config.notifications().host()).isEqualTo("registry.example.com");
        assertThat(config.notifications().maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(config.notifications().endpoints()).containsExactly(
                new EntrepotConfig.Endpoint("ci-hook", URI.create("https://hooks.example/registry"), Path.of("/etc/h"),
                        List.of(EventKind.INSERT, EventKind.DELETE), List.of()),
                new EntrepotConfig.Endpoint("cache", URI.create("http://10.0.0.1:8080/"), null,
                        List.of(EventKind.CACHED), List.of("team")));
    }

    @Test
    void badEndpointsAreReportedWithTheirPath() {
        ConfigException e = catchThrowableOfType(() -> ConfigLoader.parse("""
                repositories: [{name: team, mode: standard}]
                notifications:
                  endpoints:
                    - {name: Bad Name, url: 'ftp://x'}
                    - {name: ok, url: 'https://x', repositories: [nobody]}
                    - {name: ok, url: 'https://y'}
                """), ConfigException.class);

        assertThat(e.problems()).containsExactly(
                "notifications.endpoints[0].name: required, unique, lowercase letters, digits and - (got Bad Name)",
                "notifications.endpoints[0].url: required absolute http(s) URL (got ftp://x)",
                "notifications.endpoints[1].repositories: unknown repository 'nobody'",
                "notifications.endpoints[2].name: required, unique, lowercase letters, digits and - (got ok)");
    }
}
