package dev.entrepot.proxy.auth;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may do what, for one config generation: {@link #authenticate} turns a request's credentials into a
 * {@link Caller}, {@link #check} decides for a route, {@link #refusal} words the answer (401 with a challenge, or
 * 403). Basic credentials work on every route; with {@code auth.token} Bearer tokens of {@link #tokens()} too, and
 * challenges say Bearer. Password files and the signing key file are read when the generation is built.
 */
public final class ClientAuth {
    private final AccessPolicy policy;
    private final Authenticator authenticator;
    private final TokenIssuer tokens;
    private final Challenges challenges;

    private ClientAuth(AccessPolicy policy, Authenticator authenticator, TokenIssuer tokens, Challenges challenges) {
        this.policy = policy;
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.challenges = challenges;
    }

    /** Blocking: reads the users' password files and the signing key file. */
    public static ClientAuth of(EntrepotConfig config, AuthEnvironment env) {
        EntrepotConfig.Auth auth = config.auth();
        Map<String, StoredPassword> passwords = new HashMap<>();
        for (EntrepotConfig.User user : auth.users()) {
            if (passwords.containsKey(user.name())) {
                continue; // listed again for more repositories: same file (the loader checks)
            }
            try {
                passwords.put(user.name(), StoredPassword.of(Files.readString(user.passwordFile(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new ConfigException("auth", List.of("auth.users[" + user.name() + "].passwordFile: cannot read "
                        + user.passwordFile() + ": " + e));
            }
        }
        EntrepotConfig.Kubernetes k = auth.kubernetes();
        ServiceAccountReviews reviews = k != null && k.enabled()
                ? new ServiceAccountReviews(env.kubernetes(), k.audiences(), k.cacheTtl(), env.slowChecks()) : null;
        EntrepotConfig.Token t = auth.token();
        TokenCodec codec = t == null ? null : new TokenCodec(t.signingKeyFile() == null ? env.generatedKey().get()
                : SigningKey.read(t.signingKeyFile()), t.service(), env.clock());
        AccessPolicy policy = AccessPolicy.of(config);
        Authenticator authenticator = new Authenticator(Map.copyOf(passwords), reviews, codec, env.slowChecks());
        TokenIssuer tokens = t == null ? null
                : new TokenIssuer(policy, codec, authenticator, t.service(), t.ttl(), t.refreshTtl());
        return new ClientAuth(policy, authenticator, tokens,
                t == null ? Challenges.basic() : new Challenges(t.service(), t.realm()));
    }

    /** True when anyone who reaches the proxy may push (no users, no ServiceAccount auth). */
    public boolean openForPushes() {
        return policy.open();
    }

    public AccessPolicy policy() {
        return policy;
    }

    /** The token endpoint's issuer; null when {@code auth.token} is absent. */
    public TokenIssuer tokens() {
        return tokens;
    }

    /** @param authorization the {@code Authorization} header, or null */
    public Future<Caller> authenticate(String authorization) {
        return authenticator.authenticate(authorization);
    }

    /** A token request's form credentials ({@code grant_type=password}). */
    public Future<Caller> authenticate(String username, String password) {
        return username == null || password == null || username.isEmpty() ? Future.succeededFuture(Caller.BAD_CREDENTIALS)
                : authenticator.authenticate(new BasicCredentials(username, password));
    }

    /** A token request's {@code grant_type=refresh_token}: the subject, if the refresh token is ours and current. */
    public Caller refresh(String refreshToken) {
        return refreshToken == null ? Caller.BAD_CREDENTIALS : authenticator.refresh(refreshToken);
    }

    /** True when {@code caller}'s credentials were wrong (not merely absent). */
    public boolean failed(Caller caller) {
        return caller.problem() != null;
    }

    /**
     * @param repository the repository the request was routed to
     * @param path       the image path as the request wrote it (what token scopes name)
     */
    public Verdict check(Caller caller, String repository, String path, Action action) {
        if (caller.problem() != null) {
            return Verdict.CHALLENGE;
        }
        boolean allowed = policy.allows(caller.subject(), repository, action);
        if (caller.bearer() && !caller.token().covers(path, action)) {
            return allowed ? Verdict.INSUFFICIENT_SCOPE : otherwise(caller);
        }
        return allowed ? Verdict.ALLOWED : otherwise(caller);
    }

    /**
     * {@code /v2/}: valid credentials pass. Without any, clients learn here whether to send credentials at all
     * (docker and containers/image send them only after a challenge on {@code /v2/}): with the token flow the answer
     * is always a challenge (anonymous clients then fetch an anonymous token, as with Docker Hub; it also makes
     * {@code docker login} check the password); with Basic it is 200 only when every repository is pulled
     * anonymously (or nothing is protected), so that credentials reach the private ones.
     */
    public Verdict checkVersion(Caller caller) {
        if (caller.problem() != null) {
            return Verdict.CHALLENGE;
        }
        if (caller.subject().anonymous() && !caller.bearer()) {
            return !challenges.bearer() && (policy.anonymousEverywhere() || policy.open()) ? Verdict.ALLOWED
                    : Verdict.CHALLENGE;
        }
        return Verdict.ALLOWED;
    }

    /** {@code _catalog}: anyone may ask (the list holds only what they may pull); a token must carry the catalog scope. */
    public Verdict checkCatalog(Caller caller) {
        if (caller.problem() != null) {
            return Verdict.CHALLENGE;
        }
        if (caller.bearer() && !caller.token().coversCatalog()) {
            return Verdict.INSUFFICIENT_SCOPE;
        }
        return caller.subject().anonymous() && !caller.bearer() && !policy.anonymousAnywhere() ? Verdict.CHALLENGE
                : Verdict.ALLOWED;
    }

    /** Whether the catalog lists {@code repository} to {@code caller}. */
    public boolean lists(Caller caller, String repository) {
        return policy.allows(caller.subject(), repository, Action.PULL);
    }

    /** Registry-wide maintenance (garbage collection): Basic credentials of a writer of every repository. */
    public Verdict checkMaintenance(Caller caller) {
        if (caller.problem() != null || caller.bearer()) {
            return Verdict.CHALLENGE;
        }
        return policy.maintains(caller.subject()) ? Verdict.ALLOWED : otherwise(caller);
    }

    private static Verdict otherwise(Caller caller) {
        return caller.subject().anonymous() ? Verdict.CHALLENGE : Verdict.DENIED;
    }

    /** The error for a refused repository request. */
    public OciException refusal(Verdict verdict, Caller caller, Origin origin, String repository, String path,
                                Action action) {
        Scope scope = Scope.repository(path, action == Action.PUSH ? EnumSet.of(Action.PULL, Action.PUSH)
                : EnumSet.of(action));
        return refusal(verdict, caller, origin, scope, action.scopeName() + " in repository " + repository);
    }

    /**
     * @param scope what a token would need (null: none, the version check)
     * @param what  what was refused, for the 403 message ("push in repository team")
     */
    public OciException refusal(Verdict verdict, Caller caller, Origin origin, Scope scope, String what) {
        return switch (verdict) {
            case ALLOWED -> throw new IllegalArgumentException("not a refusal");
            case DENIED -> new OciException(OciErrorCode.DENIED, caller.subject().describe() + " may not " + what);
            case INSUFFICIENT_SCOPE -> new OciException(OciErrorCode.UNAUTHORIZED, 401,
                    "the token does not grant " + what + "; ask for " + scope, challenges.header(origin, scope,
                            "insufficient_scope"));
            case CHALLENGE -> {
                String message = caller.problem() == Caller.Problem.INVALID_TOKEN ? "invalid or expired token"
                        : caller.problem() == Caller.Problem.BAD_CREDENTIALS ? "invalid username or password"
                        : "authentication required";
                yield new OciException(OciErrorCode.UNAUTHORIZED, 401, message, challenges.header(origin, scope,
                        caller.problem() == Caller.Problem.INVALID_TOKEN ? "invalid_token" : null));
            }
        };
    }

    /** The token endpoint's answer to wrong credentials: a Basic challenge, as clients expect there. */
    public static OciException badTokenRequest() {
        return new OciException(OciErrorCode.UNAUTHORIZED, 401, "invalid credentials", Challenges.BASIC);
    }

    /** The refusal of maintenance calls: their challenge is always Basic (tokens carry no such scope). */
    public OciException maintenanceRefusal(Verdict verdict, Caller caller) {
        return verdict == Verdict.DENIED
                ? new OciException(OciErrorCode.DENIED, caller.subject().describe()
                        + " may not run garbage collection (a writer of every repository may)")
                : new OciException(OciErrorCode.UNAUTHORIZED, 401, "Basic credentials of a writer of every repository "
                        + "are required", Challenges.BASIC);
    }
}
