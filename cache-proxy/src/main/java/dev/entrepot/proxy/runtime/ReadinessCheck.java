package dev.entrepot.proxy.runtime;

import dev.entrepot.proxy.repository.Repository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
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
                .withData("served", names(false))
                .withData("unserved", names(true))
                .withData("storeBytes", runtime.blobs().totalBytes())
                .withData("storeWritable", writable);
        if (state.lastError() != null) {
            response.withData("configRejected", state.lastError());
        }
        return response.build();
    }

    /** Sorted {@code name} list of the repositories served (or not yet served) by this version. */
    private String names(boolean unserved) {
        return runtime.repositories().all().stream()
                .filter(r -> (r instanceof UnservedRepository) == unserved)
                .map(Repository::name).sorted().collect(Collectors.joining(","));
    }
}
