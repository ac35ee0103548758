package dev.entrepot.proxy.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Credentials to a {@link Caller}: a user's password (plain or bcrypt), a ServiceAccount token as the password of
 * any name that is no user (when Kubernetes auth is on), or a Bearer token of ours. A token's subject is looked up
 * in the generation in force: a user removed or whose password changed since it was issued is refused at once.
 * Answers known right away (plain passwords, bcrypt passwords already accepted, tokens, remembered reviews) come
 * back completed, so the request goes on without leaving its event loop.
 */
final class Authenticator {
    private static final Future<Caller> ANONYMOUS = Future.succeededFuture(Caller.ANONYMOUS);
    private static final Future<Caller> BAD_CREDENTIALS = Future.succeededFuture(Caller.BAD_CREDENTIALS);
    private static final Future<Caller> INVALID_TOKEN = Future.succeededFuture(Caller.INVALID_TOKEN);

    private final Map<String, StoredPassword> passwords;
    private final ServiceAccountReviews reviews;
    private final TokenCodec tokens;
    private final Executor slowChecks;
    private final Map<String, String> credentialTags = new HashMap<>();

    /**
     * @param reviews null: ServiceAccount tokens are not accepted
     * @param tokens  null: the token flow is off (Bearer credentials are refused)
     */
    Authenticator(Map<String, StoredPassword> passwords, ServiceAccountReviews reviews, TokenCodec tokens,
                  Executor slowChecks) {
        this.passwords = passwords;
        this.reviews = reviews;
        this.tokens = tokens;
        this.slowChecks = slowChecks;
        if (tokens != null) {
            passwords.forEach((user, password) -> credentialTags.put(user,
                    tokens.tag(user.getBytes(StandardCharsets.UTF_8), password.identity())));
        }
    }

    /** @param authorization the request's {@code Authorization} header, or null */
    Future<Caller> authenticate(String authorization) {
        if (authorization == null) {
            return ANONYMOUS;
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            TokenCodec.Claims claims = tokens == null ? null : tokens.check(authorization.substring(7).trim());
            return claims != null && !claims.refresh() && current(claims) ? Future.succeededFuture(Caller.bearer(claims))
                    : INVALID_TOKEN;
        }
        BasicCredentials credentials = BasicCredentials.parse(authorization);
        return credentials == null ? BAD_CREDENTIALS : authenticate(credentials);
    }

    Future<Caller> authenticate(BasicCredentials credentials) {
        StoredPassword password = passwords.get(credentials.username());
        if (password != null) {
            Boolean quick = password.quickCheck(credentials.password());
            if (quick != null) {
                return quick ? Future.succeededFuture(Caller.of(Subject.user(credentials.username()))) : BAD_CREDENTIALS;
            }
            return offLoop(() -> password.check(credentials.password())
                    ? Caller.of(Subject.user(credentials.username())) : Caller.BAD_CREDENTIALS);
        }
        if (reviews != null && looksLikeJwt(credentials.password())) {
            Optional<Subject> known = reviews.known(credentials.password());
            if (known != null) {
                return Future.succeededFuture(known.map(Caller::of).orElse(Caller.BAD_CREDENTIALS));
            }
            return reviews.review(credentials.password()).map(account -> account.map(Caller::of)
                    .orElse(Caller.BAD_CREDENTIALS));
        }
        return BAD_CREDENTIALS;
    }

    /** A refresh token's subject, if it is still who it was. */
    Caller refresh(String refreshToken) {
        TokenCodec.Claims claims = tokens == null ? null : tokens.check(refreshToken);
        return claims != null && claims.refresh() && current(claims) ? Caller.of(claims.subject())
                : Caller.BAD_CREDENTIALS;
    }

    /** The HMAC a user's tokens carry: of the password it authenticated with (never the password itself). */
    String credentialTag(Subject subject) {
        return subject.kind() == Subject.Kind.USER ? credentialTags.get(subject.name()) : null;
    }

    private boolean current(TokenCodec.Claims claims) {
        return switch (claims.subject().kind()) {
            case ANONYMOUS -> true;
            case USER -> claims.credential() != null && claims.credential().equals(credentialTag(claims.subject()));
            case SERVICE_ACCOUNT -> reviews != null;
        };
    }

    private Future<Caller> offLoop(Supplier<Caller> check) {
        Promise<Caller> promise = Promise.promise();
        try {
            slowChecks.execute(() -> {
                try {
                    promise.complete(check.get());
                } catch (RuntimeException e) {
                    promise.fail(e);
                }
            });
        } catch (RejectedExecutionException e) {
            promise.fail(e);
        }
        return promise.future();
    }

    /** ServiceAccount tokens are JWTs: three dot-separated parts. Anything else is no use to ask Kubernetes about. */
    private static boolean looksLikeJwt(String password) {
        int first = password.indexOf('.');
        int second = first < 0 ? -1 : password.indexOf('.', first + 1);
        return first > 0 && second > first + 1 && password.indexOf('.', second + 1) < 0 && second < password.length() - 1;
    }
}
