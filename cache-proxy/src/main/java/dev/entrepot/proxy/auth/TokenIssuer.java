package dev.entrepot.proxy.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The token endpoint's decisions: for each scope asked, exactly the actions the caller may take there, never more
 * (a reader asking {@code pull,push} gets {@code pull}); a scope naming nothing it may do is left out, as
 * distribution does, rather than failing the request. {@code registry:catalog:*} is granted to everyone: the catalog
 * lists only what its caller may pull.
 */
public final class TokenIssuer {
    /** What {@code /token} answers. {@code refreshToken} is null unless asked for (and never for anonymous). */
    public record Issued(String token, Instant issuedAt, Duration expiresIn, String scope, String refreshToken) {
    }

    private final AccessPolicy policy;
    private final TokenCodec codec;
    private final Authenticator authenticator;
    private final String service;
    private final Duration ttl;
    private final Duration refreshTtl;

    TokenIssuer(AccessPolicy policy, TokenCodec codec, Authenticator authenticator, String service, Duration ttl,
                Duration refreshTtl) {
        this.policy = policy;
        this.codec = codec;
        this.authenticator = authenticator;
        this.service = service;
        this.ttl = ttl;
        this.refreshTtl = refreshTtl;
    }

    public String service() {
        return service;
    }

    /**
     * @param repositoryOf the repository a scope's name means (as a request for that name would be routed), or null
     *                     when it means none
     * @param refresh      also issue a refresh token (OAuth2 {@code access_type=offline}, docker's {@code offline_token})
     */
    public Issued issue(Caller caller, List<Scope> asked, Function<String, String> repositoryOf, boolean refresh) {
        Subject subject = caller.subject();
        List<Scope> granted = grant(subject, asked, repositoryOf);
        String credential = authenticator.credentialTag(subject);
        TokenCodec.Signed access = codec.sign(subject, granted, ttl, credential, false);
        String refreshToken = refresh && !subject.anonymous()
                ? codec.sign(subject, List.of(), refreshTtl, credential, true).jwt() : null;
        return new Issued(access.jwt(), access.issuedAt(), access.lifetime(),
                String.join(" ", granted.stream().map(Scope::toString).toList()), refreshToken);
    }

    List<Scope> grant(Subject subject, List<Scope> asked, Function<String, String> repositoryOf) {
        Map<String, Set<Action>> repositories = new LinkedHashMap<>();
        boolean catalog = false;
        for (Scope scope : asked) {
            if (scope.isCatalog()) {
                catalog = true;
                continue;
            }
            if (!scope.type().equals(Scope.REPOSITORY)) {
                continue;
            }
            String repository = repositoryOf.apply(scope.name());
            if (repository == null) {
                continue;
            }
            Set<Action> wanted = EnumSet.noneOf(Action.class);
            for (String name : scope.actions()) {
                if (name.equals("*")) {
                    wanted.addAll(EnumSet.allOf(Action.class));
                } else if (Action.ofScopeName(name) != null) {
                    wanted.add(Action.ofScopeName(name));
                }
            }
            wanted.retainAll(policy.allowed(subject, repository));
            if (!wanted.isEmpty()) {
                repositories.computeIfAbsent(scope.name(), n -> EnumSet.noneOf(Action.class)).addAll(wanted);
            }
        }
        List<Scope> granted = new ArrayList<>();
        repositories.forEach((name, actions) -> granted.add(Scope.repository(name, actions)));
        if (catalog) {
            granted.add(Scope.CATALOG);
        }
        return granted;
    }
}
