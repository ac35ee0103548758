package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.ConfigLoader;
import dev.entrepot.proxy.config.EntrepotConfig;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Feeds the {@code tls} block of {@code entrepot.yaml} (the file {@code entrepot.config} / {@code ENTREPOT_CONFIG}
 * names, read once at start) to Quarkus' TLS registry: HTTPS instead of HTTP on the proxy port, the PEM files
 * re-read every {@code quarkus.tls.entrepot.reload-period} (1m; cert-manager rotation needs no restart). A changed tls
 * block itself takes a restart. Ordinal 200: {@code -D} and environment variables still override any of these.
 */
public final class TlsConfigSourceFactory implements ConfigSourceFactory {
    static final String NAME = "entrepot";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue file = context.getValue("entrepot.config");
        if (file == null || file.getValue() == null || file.getValue().isBlank()) {
            return List.of();
        }
        EntrepotConfig.Tls tls;
        try {
            tls = ConfigLoader.load(Path.of(file.getValue().trim())).tls();
        } catch (RuntimeException e) {
            return List.of(); // the proxy reports an unusable file itself, with every problem, as it starts
        }
        if (tls == null) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(properties(tls), "entrepot.yaml tls", 200));
    }

    static Map<String, String> properties(EntrepotConfig.Tls tls) {
        return Map.of(
                "quarkus.tls." + NAME + ".key-store.pem.0.cert", tls.certFile().toString(),
                "quarkus.tls." + NAME + ".key-store.pem.0.key", tls.keyFile().toString(),
                "quarkus.tls." + NAME + ".reload-period", "1m",
                "quarkus.http.tls-configuration-name", NAME,
                "quarkus.http.ssl-port", "${quarkus.http.port:5000}",
                "quarkus.http.insecure-requests", "disabled");
    }
}
