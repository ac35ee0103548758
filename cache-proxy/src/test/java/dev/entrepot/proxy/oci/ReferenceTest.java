package dev.entrepot.proxy.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {
    static final String HEX = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @ParameterizedTest
    @ValueSource(strings = {"latest", "1.25", "1.25.3-alpine", "v1", "_private", "A_b.C-d", "0", "sha256"})
    void tagsAreTags(String text) {
        Reference ref = Reference.parse(text);

        assertThat(ref).isEqualTo(new Reference.Tag(text));
        assertThat(ref).hasToString(text);
    }

    @Test
    void digestsAreDigests() {
        Reference ref = Reference.parse("sha256:" + HEX);

        assertThat(ref).isInstanceOfSatisfying(Reference.ByDigest.class,
                d -> assertThat(d.digest()).isEqualTo(new Digest("sha256", HEX)));
        assertThat(ref).hasToString("sha256:" + HEX);
    }

    @Test
    void tagCheckAgreesWithTheSpecRegexOnGeneratedTags() {
        Random random = new Random(18);
        String alphabet = "aZ9_.-:/+";
        for (int n = 0; n < 100_000; n++) {
            StringBuilder tag = new StringBuilder();
            int length = random.nextInt(6);
            for (int i = 0; i < length; i++) {
                tag.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = tag.toString();
            assertThat(Reference.isTag(text)).as(text).isEqualTo(Reference.TAG.matcher(text).matches());
        }
    }

    @Test
    void tagsMayBe128CharactersLong() {
        String longest = "t" + "x".repeat(127);

        assertThat(Reference.parse(longest)).isEqualTo(new Reference.Tag(longest));
        assertThatThrownBy(() -> Reference.parse(longest + "x"))
                .isInstanceOfSatisfying(OciException.class,
                        e -> assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_INVALID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "-dash", "with space", "a/b", "a+b", "tag!", "..", ":latest", "ü"})
    void invalidTagsAreManifestInvalid(String text) {
        assertThatThrownBy(() -> Reference.parse(text))
                .isInstanceOfSatisfying(OciException.class, e -> {
                    assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_INVALID);
                    assertThat(e.getMessage()).contains(text);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256:abc", "sha256:" + HEX + "00", "md5:abc", "sha256:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"})
    void malformedDigestsAreDigestInvalid(String text) {
        assertThatThrownBy(() -> Reference.parse(text))
                .isInstanceOfSatisfying(OciException.class,
                        e -> assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID));
    }

    @Test
    void tagPatternIsTheSpecs() {
        assertThat(Reference.TAG.matcher("a".repeat(128)).matches()).isTrue();
        assertThat(Reference.TAG.matcher("a".repeat(129)).matches()).isFalse();
        assertThat(Reference.TAG.matcher("_").matches()).isTrue();
        assertThat(Reference.TAG.matcher(".").matches()).isFalse();
    }
}
