package dev.entrepot.proxy.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageNameTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "nginx", "library/nginx", "a", "0", "my-org/my-app", "a/b/c/d", "foo.bar/baz", "foo_bar", "foo__bar",
            "foo---bar", "x1/y2", "bitnami/redis-cluster", "ghcr.io/owner/repo"
    })
    void acceptsNamesFromTheSpecGrammar(String value) {
        assertThat(ImageName.isValid(value)).isTrue();
        assertThat(new ImageName(value).value()).isEqualTo(value);
        assertThat(new ImageName(value)).hasToString(value);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "Nginx", "library/Nginx", "/nginx", "nginx/", "a//b", "-a", "a-", ".a", "a.", "_a", "a_", "a___b",
            "a..b", "a._b", "a b", "a:b", "a@b", "../etc", "a/../b", "a/./b", "é", "a/_manifests"
    })
    void rejectsNamesOutsideTheGrammar(String value) {
        assertThat(ImageName.isValid(value)).isFalse();
        assertThatThrownBy(() -> new ImageName(value))
                .isInstanceOfSatisfying(OciException.class, e -> {
                    assertThat(e.code()).isEqualTo(OciErrorCode.NAME_INVALID);
                    assertThat(e.status()).isEqualTo(400);
                });
    }

    @Test
    void limitsTheLengthTo255() {
        String component = "a".repeat(127);
        String longest = component + "/" + component; // 255 characters

        assertThat(longest).hasSize(255);
        assertThat(ImageName.isValid(longest)).isTrue();
        assertThat(ImageName.isValid(longest + "b")).isFalse();
    }

    @Test
    void agreesWithTheSpecRegexOnGeneratedNames() {
        // The check is hand-written for speed; the spec's regex stays the reference it must agree with.
        Pattern spec = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");
        Random random = new Random(18);
        String alphabet = "ab09._-/A:";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder name = new StringBuilder();
            int length = 1 + random.nextInt(8);
            for (int i = 0; i < length; i++) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = name.toString();
            assertThat(ImageName.isValid(value)).as(value).isEqualTo(spec.matcher(value).matches());
        }
    }

    @Test
    void dockerHubLibraryIsAddedToSingleSegmentNamesOnly() {
        assertThat(new ImageName("nginx").withDockerHubLibrary()).isEqualTo(new ImageName("library/nginx"));
        assertThat(new ImageName("library/nginx").withDockerHubLibrary()).isEqualTo(new ImageName("library/nginx"));
        assertThat(new ImageName("bitnami/redis").withDockerHubLibrary()).isEqualTo(new ImageName("bitnami/redis"));
    }
}
