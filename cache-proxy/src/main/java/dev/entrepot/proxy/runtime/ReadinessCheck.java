package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.repository.Repository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when a config is in force and the store is writable. Reports the config in force (its sha256, for the
 * operator to compare with what it rendered), which repositories are served and which this version does not
 * serve yet, and a rejected config reload.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    @Inject
    ProxyRuntime runtime;

    @Override
    public HealthCheckResponse call() {
        ProxyRuntime.ConfigState state = runtime.configState();
        boolean writable = Files.isWritable(runtime.storage().resolve("tmp"));
        HealthCheckResponseBuilder response = HealthCheckResponse.named("entrepot")
                .status(writable)
                .withData("config", state.source())
                .withData("configAppliedAt", state.appliedAt().toString())
                .withData("configSha256", state.sha256())
                .withData("repositories", runtime.repositories().all().size())
                .withData("served", served())
                .withData("unserved", unserved())
                .withData("storeBytes", runtime.blobs().totalBytes())
                .withData("storeWritable", writable);
        Path configured = runtime.config().storage().path().toAbsolutePath().normalize();
        if (!configured.equals(runtime.storage().toAbsolutePath().normalize())) {
            response.withData("restartNeeded", "storage.path is " + configured + " but the store in use is "
                    + runtime.storage() + " until a restart");
        }
        if (state.lastError() != null) {
            response.withData("configRejected", state.lastError());
        }
        return response.build();
    }

    private String served() {
        return runtime.repositories().all().stream().map(Repository::name).sorted().collect(Collectors.joining(","));
    }

    /** Configured repositories this version does not serve (none today; kept so the operator can tell). */
    private String unserved() {
        return runtime.config().repositories().stream().map(EntrepotConfig.Repository::name)
                .filter(n -> runtime.repositories().named(n) == null).sorted().collect(Collectors.joining(","));
    }
}
