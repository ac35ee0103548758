package dev.entrepot.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCodecTest {
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final SigningKey key = SigningKey.generate();
    private final TokenCodec codec = new TokenCodec(key, "entrepot", clock);
    private final List<Scope> access = List.of(Scope.repository("team/app", EnumSet.of(Action.PULL)));

    @Test
    void aSignedTokenChecksOutWithItsSubjectAndAccess() {
        String jwt = codec.sign(Subject.user("ci"), access, Duration.ofMinutes(15), "tag", false).jwt();
        TokenCodec.Claims claims = codec.check(jwt);
        assertThat(claims.subject()).isEqualTo(Subject.user("ci"));
        assertThat(claims.access()).containsExactlyElementsOf(access);
        assertThat(claims.credential()).isEqualTo("tag");
        assertThat(claims.refresh()).isFalse();
        assertThat(claims.covers("team/app", Action.PULL)).isTrue();
        assertThat(claims.covers("team/app", Action.PUSH)).isFalse();
        String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        assertThat(payload).contains("\"iss\":\"entrepot\"", "\"aud\":\"entrepot\"", "\"sub\":\"ci\"",
                "\"access\":[{\"type\":\"repository\",\"name\":\"team/app\",\"actions\":[\"pull\"]}]");
    }

    @Test
    void anonymousAndServiceAccountSubjectsSurviveTheRoundTrip() {
        for (Subject subject : List.of(Subject.ANONYMOUS, Subject.serviceAccount("team-a:builder"))) {
            String jwt = codec.sign(subject, List.of(), Duration.ofMinutes(1), null, false).jwt();
            assertThat(codec.check(jwt).subject()).isEqualTo(subject);
        }
    }

    @Test
    void anExpiredTokenIsRefusedEvenWhenItWasCheckedBefore() {
        String jwt = codec.sign(Subject.user("ci"), access, Duration.ofSeconds(60), null, false).jwt();
        assertThat(codec.check(jwt)).isNotNull();
        clock.advance(Duration.ofSeconds(59));
        assertThat(codec.check(jwt)).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(codec.check(jwt)).isNull();
        assertThat(new TokenCodec(key, "entrepot", clock).check(jwt)).as("not remembered either").isNull();
    }

    @Test
    void anotherKeyAnotherServiceOrATamperedTokenIsRefused() {
        String jwt = codec.sign(Subject.user("ci"), access, Duration.ofMinutes(15), null, false).jwt();
        assertThat(new TokenCodec(SigningKey.generate(), "entrepot", clock).check(jwt)).isNull();
        assertThat(new TokenCodec(key, "other", clock).check(jwt)).isNull();
        String[] parts = jwt.split("\\.");
        String forged = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"pull\"", "\"pull\",\"push\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(forged.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(codec.check(tampered)).isNull();
        assertThat(codec.check(parts[0] + "." + parts[1] + ".")).as("no signature").isNull();
        assertThat(codec.check("not a token")).isNull();
        // alg=none with the same claims
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        assertThat(codec.check(none + "." + parts[1] + ".")).isNull();
    }

    @Test
    void refreshTokensSayWhatTheyAre() {
        String jwt = codec.sign(Subject.user("ci"), List.of(), Duration.ofHours(24), "tag", true).jwt();
        assertThat(codec.check(jwt).refresh()).isTrue();
    }
}
