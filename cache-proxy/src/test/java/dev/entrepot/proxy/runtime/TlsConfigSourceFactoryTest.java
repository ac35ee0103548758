package dev.entrepot.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigSourceFactoryTest {
    @TempDir
    Path dir;

    private SmallRyeConfig config(Map<String, String> given) {
        return new SmallRyeConfigBuilder().addDefaultInterceptors().withSources(new PropertiesConfigSource(given, "test", 300))
                .withSources(new TlsConfigSourceFactory()).build();
    }

    @Test
    void aTlsBlockTurnsThePortIntoHttpsWithTheFilesReloaded() throws Exception {
        Path file = Files.writeString(dir.resolve("entrepot.yaml"), """
                repositories:
                  - {name: team, mode: standard}
                tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}
                """);
        SmallRyeConfig config = config(Map.of("entrepot.config", file.toString(), "quarkus.http.port", "5443"));
        assertThat(config.getRawValue("quarkus.tls.entrepot.key-store.pem.0.cert")).isEqualTo("/tls/tls.crt");
        assertThat(config.getRawValue("quarkus.tls.entrepot.key-store.pem.0.key")).isEqualTo("/tls/tls.key");
        assertThat(config.getRawValue("quarkus.tls.entrepot.reload-period")).isEqualTo("1m");
        assertThat(config.getRawValue("quarkus.http.tls-configuration-name")).isEqualTo("entrepot");
        assertThat(config.getValue("quarkus.http.ssl-port", String.class)).as("the proxy port itself").isEqualTo("5443");
        assertThat(config.getRawValue("quarkus.http.insecure-requests")).isEqualTo("disabled");
    }

    @Test
    void overridesWinAndWithoutTlsOrAFileNothingChanges() throws Exception {
        Path file = Files.writeString(dir.resolve("entrepot.yaml"), """
                repositories:
                  - {name: team, mode: standard}
                tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}
                """);
        assertThat(config(Map.of("entrepot.config", file.toString(), "quarkus.tls.entrepot.reload-period", "1s"))
                .getRawValue("quarkus.tls.entrepot.reload-period")).isEqualTo("1s");
        Path plain = Files.writeString(dir.resolve("plain.yaml"), "repositories:\n  - {name: team, mode: standard}\n");
        assertThat(config(Map.of("entrepot.config", plain.toString())).getRawValue("quarkus.http.ssl-port")).isNull();
        assertThat(config(Map.of()).getRawValue("quarkus.http.insecure-requests")).isNull();
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "tls: [");
        assertThat(config(Map.of("entrepot.config", broken.toString())).getRawValue("quarkus.http.ssl-port"))
                .as("the proxy reports a broken file itself").isNull();
    }
}
