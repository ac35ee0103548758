package dev.entrepot.proxy.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
    // Well-known test vectors (FIPS 180-2): the digests of "" and "abc".
    static final String SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    static final String SHA512_ABC = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    @Test
    void parsesSha256() {
        Digest d = Digest.parse("sha256:" + SHA256_ABC);

        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.hex()).isEqualTo(SHA256_ABC);
        assertThat(d).hasToString("sha256:" + SHA256_ABC);
    }

    @Test
    void parsesSha512() {
        Digest d = Digest.parse("sha512:" + SHA512_ABC);

        assertThat(d.algorithm()).isEqualTo("sha512");
        assertThat(d.hex()).hasSize(128);
        assertThat(d).hasToString("sha512:" + SHA512_ABC);
    }

    @Test
    void equalDigestsAreEqualValues() {
        assertThat(Digest.parse("sha256:" + SHA256_ABC)).isEqualTo(new Digest("sha256", SHA256_ABC))
                .hasSameHashCodeAs(new Digest("sha256", SHA256_ABC));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "sha256",                                       // no colon
            ":" + SHA256_ABC,                               // no algorithm
            "sha256:",                                      // no hex
            "sha256:abc",                                   // too short
            "sha256:" + SHA256_ABC + "0",                   // too long
            "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", // upper case
            "sha256:za7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // not hex
            "sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", // whitespace
            "sha512:" + SHA256_ABC,                         // sha256 length under sha512
            "sha256:" + SHA512_ABC,                         // sha512 length under sha256
            "md5:900150983cd24fb0d6963f7d28e17f72",         // unregistered algorithm
            "SHA256:" + SHA256_ABC,                         // algorithm is case-sensitive
            "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
    })
    void rejectsInvalidDigestsWithDigestInvalid(String text) {
        assertThatThrownBy(() -> Digest.parse(text))
                .isInstanceOfSatisfying(OciException.class, e -> {
                    assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
                    assertThat(e.status()).isEqualTo(400);
                });
    }

    @Test
    void constructorValidatesToo() {
        assertThatThrownBy(() -> new Digest("sha256", "00"))
                .isInstanceOf(OciException.class)
                .hasMessageContaining("sha256");
        assertThatThrownBy(() -> new Digest("sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"))
                .isInstanceOf(OciException.class)
                .hasMessageContaining("unsupported digest algorithm: sha1");
    }

    @Test
    void sha256OfContentMatchesKnownVectors() {
        assertThat(Digest.sha256(new byte[0])).isEqualTo(new Digest("sha256", SHA256_EMPTY));
        assertThat(Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(new Digest("sha256", SHA256_ABC));
    }

    @Test
    void hasherOfTheDigestsAlgorithmVerifiesStreamedContent() {
        Digest d = new Digest("sha512", SHA512_ABC);
        MessageDigest hasher = d.newHasher();
        hasher.update("a".getBytes(StandardCharsets.US_ASCII));
        hasher.update("bc".getBytes(StandardCharsets.US_ASCII));

        assertThat(hasher.getAlgorithm()).isEqualTo("SHA-512");
        assertThat(d.matches(hasher)).isTrue();
    }

    @Test
    void matchesIsFalseForOtherContent() {
        Digest d = new Digest("sha256", SHA256_ABC);
        MessageDigest hasher = d.newHasher();
        hasher.update("abd".getBytes(StandardCharsets.US_ASCII));

        assertThat(d.matches(hasher)).isFalse();
        assertThat(d.matches(Digest.sha256(new byte[0]).hex().getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    @Test
    void matchesComparesRawDigestBytes() throws Exception {
        byte[] raw = MessageDigest.getInstance("SHA-256").digest("abc".getBytes(StandardCharsets.US_ASCII));

        assertThat(new Digest("sha256", SHA256_ABC).matches(raw)).isTrue();
        assertThat(new Digest("sha256", SHA256_EMPTY).matches(raw)).isFalse();
    }

    @Test
    void looksLikeDigestOnlyWhenAnAlgorithmPrecedesAColon() {
        assertThat(Digest.looksLikeDigest("sha256:abc")).isTrue();
        assertThat(Digest.looksLikeDigest("latest")).isFalse();
        assertThat(Digest.looksLikeDigest(":abc")).isFalse();
    }
}
