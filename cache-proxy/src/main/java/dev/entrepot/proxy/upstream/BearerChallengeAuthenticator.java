package dev.entrepot.proxy.upstream;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The registry token dance: a 401 with {@code WWW-Authenticate: Bearer realm=..,service=..,scope=..} is answered
 * by fetching a token from the realm (anonymously or with Basic credentials) and retrying. Tokens are cached per
 * scope until shortly before they expire, and concurrent requests for one scope share one token fetch.
 * Upstreams that challenge with Basic get the credentials directly.
 */
public final class BearerChallengeAuthenticator {
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);
    private static final int MAX_TOKEN_RESPONSE = 64 * 1024;

    private record Token(String value, Duration lifetime) {
    }

    private final HttpClient http;
    private final String basicAuthorization;
    private final Duration timeout;
    private final AsyncCache<String, Token> tokens = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfter(new Expiry<String, Token>() {
                @Override
                public long expireAfterCreate(String key, Token token, long now) {
                    return Math.max(1, token.lifetime().minus(EXPIRY_MARGIN).toNanos());
                }

                @Override
                public long expireAfterUpdate(String key, Token token, long now, long current) {
                    return expireAfterCreate(key, token, now);
                }

                @Override
                public long expireAfterRead(String key, Token token, long now, long current) {
                    return current;
                }
            })
            .buildAsync();
    private volatile Challenge bearer;
    private volatile boolean basic;

    /** {@code username}/{@code password} null for anonymous access. */
    public BearerChallengeAuthenticator(HttpClient http, String username, String password, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
        this.basicAuthorization = username == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The Authorization header for {@code scope} as far as we know the upstream's scheme; null for none. */
    public Future<String> authorization(String scope) {
        Challenge challenge = bearer;
        if (challenge != null) {
            return Future.fromCompletionStage(tokens.get(scope, (key, executor) ->
                    fetchToken(challenge, key).toCompletionStage().toCompletableFuture()))
                    .map(token -> "Bearer " + token.value());
        }
        return Future.succeededFuture(basic ? basicAuthorization : null);
    }

    /** Learns from a 401 (once per request); true when retrying with a fresh {@link #authorization} may succeed. */
    public boolean learn(String wwwAuthenticate, String scope) {
        Challenge challenge = Challenge.parse(wwwAuthenticate);
        if (challenge == null) {
            return false;
        }
        if (challenge.scheme().equals("bearer") && challenge.param("realm") != null) {
            bearer = challenge;
            tokens.synchronous().invalidate(scope);
            return true; // the caller retries once: a fresh token for this scope

        }
        if (challenge.scheme().equals("basic") && basicAuthorization != null && !basic) {
            basic = true;
            return true;
        }
        return false;
    }

    private Future<Token> fetchToken(Challenge challenge, String scope) {
        StringBuilder url = new StringBuilder(challenge.param("realm"));
        url.append(url.indexOf("?") < 0 ? '?' : '&');
        if (challenge.param("service") != null) {
            url.append("service=").append(encode(challenge.param("service"))).append('&');
        }
        url.append("scope=").append(encode(scope));
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (basicAuthorization != null) {
            headers.set(HttpHeaders.AUTHORIZATION, basicAuthorization);
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString())
                .setHeaders(headers).setIdleTimeout(timeout.toMillis());
        String realm = challenge.param("realm");
        return http.request(options).compose(req -> req.send()).compose(resp -> {
            if (resp.statusCode() != 200) {
                HttpUpstreamClient.readBounded(resp, MAX_TOKEN_RESPONSE);
                return Future.failedFuture(new UpstreamException(resp.statusCode() == 401 ? 401 : 502,
                        "token endpoint " + challenge.param("realm") + " answered " + resp.statusCode()));
            }
            return HttpUpstreamClient.readBounded(resp, MAX_TOKEN_RESPONSE).compose(body -> {
                JsonObject json = body.toJsonObject();
                String token = json.getString("token", json.getString("access_token"));
                if (token == null) {
                    return Future.failedFuture(new UpstreamException(502, "token endpoint returned no token"));
                }
                long seconds = json.getLong("expires_in", DEFAULT_TOKEN_LIFETIME.toSeconds());
                return Future.succeededFuture(new Token(token, Duration.ofSeconds(seconds)));
            });
        }).recover(e -> Future.failedFuture(e instanceof UpstreamException ? e
                // Unreachable, timed out, or not JSON: the upstream is unwell, which stale-if-error must see.
                : new UpstreamException(HttpUpstreamClient.isConnectionFailure(e) ? 0 : 502, "token endpoint "
                        + realm + " failed: " + e)));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
