package dev.entrepot.proxy.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

/**
 * Signs and checks Entrepot's tokens: JWTs as distribution's token server writes them ({@code iss} and {@code aud}
 * the service, {@code sub}, {@code exp}/{@code nbf}/{@code iat}, {@code jti}, {@code access: [{type, name,
 * actions}]}), plus {@code cred} (an HMAC binding a user's token to the password it was issued for) and
 * {@code use: refresh} on refresh tokens. jose4j checks the signature; times are checked here against our clock.
 * Checked tokens are remembered (bounded) so a warm request costs a map lookup, not a signature check.
 */
final class TokenCodec {
    private static final long SKEW_SECONDS = 30;
    private static final String REFRESH = "refresh";

    /** A token that checked out. {@code credential} is null for anonymous and ServiceAccount tokens. */
    record Claims(Subject subject, List<Scope> access, Instant expiresAt, String credential, boolean refresh) {

        boolean covers(String repositoryPath, Action action) {
            return access.stream().anyMatch(s -> s.covers(repositoryPath, action));
        }

        boolean coversCatalog() {
            return access.stream().anyMatch(Scope::isCatalog);
        }
    }

    /** A freshly signed token. */
    record Signed(String jwt, Instant issuedAt, Duration lifetime) {
    }

    private final SigningKey key;
    private final String service;
    private final Clock clock;
    private final JwtConsumer consumer;
    private final Cache<String, Claims> checked = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(5)).build();

    TokenCodec(SigningKey key, String service, Clock clock) {
        this.key = key;
        this.service = service;
        this.clock = clock;
        this.consumer = new JwtConsumerBuilder()
                .setVerificationKey(key.publicKey())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, key.algorithm())
                .setSkipAllValidators() // iss, aud and times below, against our clock
                .setJwsProviderContext(new ProviderContext())
                .build();
    }

    Signed sign(Subject subject, List<Scope> access, Duration ttl, String credential, boolean refresh) {
        Instant now = clock.instant();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(service);
        claims.setAudience(service);
        if (subject.tokenSubject() != null) {
            claims.setSubject(subject.tokenSubject());
        }
        claims.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setNotBefore(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(now.plus(ttl).getEpochSecond()));
        claims.setGeneratedJwtId();
        claims.setClaim("access", access.stream().map(TokenCodec::accessEntry).toList());
        if (credential != null) {
            claims.setClaim("cred", credential);
        }
        if (refresh) {
            claims.setClaim("use", REFRESH);
        }
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.privateKey());
        jws.setAlgorithmHeaderValue(key.algorithm());
        jws.setHeader("typ", "JWT");
        try {
            return new Signed(jws.getCompactSerialization(), now, ttl);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getClass().getSimpleName());
        }
    }

    /** An HMAC under the signing key (see {@link SigningKey#tag}). */
    String tag(byte[]... parts) {
        return key.tag(parts);
    }

    /** The token's claims when its signature, issuer, audience and times check out; null otherwise. */
    Claims check(String jwt) {
        Claims claims = checked.getIfPresent(jwt);
        if (claims == null) {
            claims = parse(jwt);
            if (claims == null) {
                return null; // a bad token is not remembered: garbage must not fill the cache
            }
            checked.put(jwt, claims);
        }
        return clock.instant().isBefore(claims.expiresAt()) ? claims : null;
    }

    private Claims parse(String jwt) {
        try {
            // jose4j messages may quote the token: none of them goes anywhere
            JwtClaims claims = consumer.processToClaims(jwt);
            long now = clock.instant().getEpochSecond();
            if (!service.equals(claims.getIssuer()) || claims.getAudience() == null
                    || !claims.getAudience().contains(service) || claims.getExpirationTime() == null
                    || (claims.getNotBefore() != null && claims.getNotBefore().getValue() > now + SKEW_SECONDS)) {
                return null;
            }
            Subject subject = Subject.fromTokenSubject(claims.getSubject());
            if (subject == null) {
                return null;
            }
            List<Scope> access = new ArrayList<>();
            Object raw = claims.getClaimValue("access");
            if (raw instanceof List<?> entries) {
                for (Object entry : entries) {
                    if (entry instanceof Map<?, ?> m && m.get("type") instanceof String type
                            && m.get("name") instanceof String name && m.get("actions") instanceof List<?> actions) {
                        access.add(new Scope(type, name, Set.copyOf(actions.stream().map(String::valueOf).toList())));
                    }
                }
            }
            return new Claims(subject, List.copyOf(access),
                    Instant.ofEpochSecond(claims.getExpirationTime().getValue()),
                    claims.getStringClaimValue("cred"), REFRESH.equals(claims.getStringClaimValue("use")));
        } catch (InvalidJwtException | MalformedClaimException | RuntimeException e) {
            return null;
        }
    }

    private static Map<String, Object> accessEntry(Scope scope) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("type", scope.type());
        entry.put("name", scope.name());
        entry.put("actions", scope.orderedActions());
        return entry;
    }
}
