package dev.entrepot.proxy.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Kubernetes ServiceAccount tokens presented as passwords, checked with the TokenReview API. Answers are
 * remembered for {@code cacheTtl} (a refusal for at most 10 s, so a token that just became valid is not refused
 * long), keyed by the token's SHA-256; concurrent checks of one token share one review. The API being unreachable or
 * refusing us (RBAC) is no verdict on the token: it is UNAVAILABLE (503), not remembered.
 */
public final class ServiceAccountReviews {
    private static final Logger LOG = Logger.getLogger(ServiceAccountReviews.class);
    private static final Duration MAX_NEGATIVE = Duration.ofSeconds(10);

    private final Supplier<KubernetesClient> client;
    private final List<String> audiences;
    private final Executor executor;
    private final AsyncCache<String, Answer> answers;

    /** Kubernetes' word on a token, or why there is none (then not remembered: failures are no verdict). */
    private record Answer(Optional<Subject> account, OciException failure) {
    }

    /**
     * @param client   made on first use (only a proxy with ServiceAccount auth on talks to Kubernetes)
     * @param executor where the blocking API call runs
     */
    public ServiceAccountReviews(Supplier<KubernetesClient> client, List<String> audiences, Duration cacheTtl,
                                 Executor executor) {
        this.client = client;
        this.audiences = List.copyOf(audiences);
        this.executor = executor;
        Duration negative = cacheTtl.compareTo(MAX_NEGATIVE) < 0 ? cacheTtl : MAX_NEGATIVE;
        this.answers = Caffeine.newBuilder().maximumSize(10_000).executor(executor)
                .expireAfter(Expiry.<String, Answer>creating((key, answer) -> answer.failure() != null ? Duration.ZERO
                        : answer.account().isPresent() ? cacheTtl : negative))
                .buildAsync();
    }

    /** The ServiceAccount the token belongs to, or empty when Kubernetes does not vouch for it. */
    public Future<Optional<Subject>> review(String token) {
        CompletableFuture<Answer> answer = answers.get(key(token), (k, pool) ->
                CompletableFuture.supplyAsync(() -> ask(token), pool));
        return Future.fromCompletionStage(answer).compose(a -> a.failure() != null ? Future.failedFuture(a.failure())
                : Future.succeededFuture(a.account()));
    }

    /** The answer when it is already known (no hop off the event loop), else null. */
    Optional<Subject> known(String token) {
        CompletableFuture<Answer> answer = answers.getIfPresent(key(token));
        return answer != null && answer.isDone() && !answer.isCompletedExceptionally() && answer.join().failure() == null
                ? answer.join().account() : null;
    }

    private Answer ask(String token) {
        TokenReview review = new TokenReviewBuilder().withNewSpec().withToken(token)
                .withAudiences(audiences.isEmpty() ? null : audiences).endSpec().build();
        TokenReview answer;
        try {
            answer = client.get().authentication().v1().tokenReviews().create(review);
        } catch (KubernetesClientException e) {
            // the message names the request, never its body (the token)
            String why = e.getCode() > 0 ? "HTTP " + e.getCode() : String.valueOf(e.getCause());
            LOG.warnf("TokenReview failed (%s): ServiceAccount tokens cannot be checked", why);
            return new Answer(Optional.empty(), new OciException(OciErrorCode.UNAVAILABLE, "cannot check the "
                    + "ServiceAccount token now: TokenReview failed (" + why + ")"));
        }
        if (answer == null || answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAuthenticated())
                || answer.getStatus().getUser() == null) {
            return new Answer(Optional.empty(), null);
        }
        return new Answer(Optional.ofNullable(Subject.fromKubernetesUsername(answer.getStatus().getUser().getUsername())),
                null);
    }

    private static String key(String token) {
        return HexFormat.of().formatHex(StoredPassword.sha256(token));
    }
}
