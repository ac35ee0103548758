package dev.entrepot.operator.startup;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Asks the Kubernetes API for its version once, before the Operator SDK starts its informers (its startup observer has
 * priority 3123). Without an API the informers would fail one by one with stack traces; this says it in one line
 * (Quarkus prints the message of a {@link ConfigurationException} that stops its start alone, without a stack trace)
 * and the process exits with 1, so a pod goes into CrashLoopBackOff with the reason in its log. Any HTTP answer but 401 counts as reachable: what the
 * operator may do is decided per request, and RBAC errors name the request.
 */
@ApplicationScoped
public class KubernetesApiCheck {

    /** Connect, DNS and answer together; no retries. A pod that starts before its network is ready restarts. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    void onStart(@Observes @Priority(3000) StartupEvent event, KubernetesClient client) {
        problem(client.getConfiguration(), TIMEOUT).ifPresent(message -> {
            throw new ConfigurationException(message);
        });
    }

    /** Empty when the API answered; otherwise the line to print. */
    static Optional<String> problem(Config config, Duration timeout) {
        int millis = (int) timeout.toMillis();
        Config once = new ConfigBuilder(config).withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(millis).withRequestTimeout(millis).build();
        String url = config.getMasterUrl();
        try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(once).build()) {
            CompletableFuture<?> version = CompletableFuture.supplyAsync(probe::getKubernetesVersion);
            try {
                version.get(millis + 1000L, TimeUnit.MILLISECONDS);
                return Optional.empty();
            } catch (TimeoutException e) {
                version.cancel(true);
                return Optional.of(unreachable(url, "no answer within " + timeout.toSeconds() + "s", config));
            } catch (ExecutionException e) {
                return answer(url, e.getCause(), config, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(unreachable(url, "interrupted", config));
        }
    }

    private static Optional<String> answer(String url, Throwable failure, Config config, Duration timeout) {
        if (failure instanceof KubernetesClientException k && k.getCode() > 0) {
            if (k.getCode() == 401) {
                return Optional.of("cannot use the Kubernetes API at " + url + ": it refused the operator's credentials"
                        + " (401 Unauthorized)" + source(config));
            }
            return Optional.empty();
        }
        return Optional.of(unreachable(url, cause(failure, timeout), config));
    }

    private static String unreachable(String url, String cause, Config config) {
        return "cannot reach the Kubernetes API at " + url + ": " + cause + source(config);
    }

    private static String cause(Throwable failure, Duration timeout) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof UnknownHostException || root instanceof ConnectException
                    || root instanceof SSLException) {
                break;
            }
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : root.getMessage();
        if (root instanceof UnknownHostException) {
            return "unknown host (" + message.replaceFirst("^Failed to resolve '([^']*)'.*", "$1") + ")";
        }
        if (root instanceof ConnectException) {
            return message.toLowerCase().contains("refused") ? "connection refused" : "cannot connect (" + message + ")";
        }
        if (root instanceof SSLException) {
            return "TLS handshake failed (" + message + ")";
        }
        if (root instanceof TimeoutException || root.getClass().getSimpleName().contains("Timeout")) {
            return "no answer within " + timeout.toSeconds() + "s";
        }
        return message.isEmpty() ? root.getClass().getSimpleName() : message;
    }

    /** Where the address came from, and what to check. */
    private static String source(Config config) {
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            return " (the in-cluster address; is the API server up, and do NetworkPolicies let this pod reach it?)";
        }
        if (config.getCurrentContext() != null) {
            return " (context " + config.getCurrentContext().getName() + " of the kubeconfig)";
        }
        return " (no in-cluster service and no kubeconfig found: run the operator in a pod of the cluster, or point"
                + " KUBECONFIG at one)";
    }
}
