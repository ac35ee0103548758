package dev.entrepot.proxy.auth;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What every config generation's {@link ClientAuth} shares: the clock, where slow checks run (bcrypt, TokenReview:
 * a few threads of their own, so a flood of wrong passwords cannot take the event loop or the disk threads), the
 * Kubernetes client (made on first use), and the signing key generated for this process when no file names one (kept
 * across reloads: a reload must not end every token).
 */
public record AuthEnvironment(Clock clock, Executor slowChecks, Supplier<KubernetesClient> kubernetes,
                              Supplier<SigningKey> generatedKey) {
}
