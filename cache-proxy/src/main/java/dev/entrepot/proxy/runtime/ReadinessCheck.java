package dev.entrepot.proxy.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when a config is in force and the store is writable; reports a rejected config reload too. */
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
                .withData("repositories", runtime.repositories().all().size())
                .withData("storeBytes", runtime.blobs().totalBytes())
                .withData("storeWritable", writable);
        if (state.lastError() != null) {
            response.withData("configRejected", state.lastError());
        }
        return response.build();
    }
}
