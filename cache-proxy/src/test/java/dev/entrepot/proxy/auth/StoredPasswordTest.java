package dev.entrepot.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StoredPasswordTest {

    @Test
    void aPlainPasswordIsComparedAtOnceAndTheFileIsTrimmed() {
        StoredPassword password = StoredPassword.of("s3cret\n");
        assertThat(password.hashed()).isFalse();
        assertThat(password.quickCheck("s3cret")).isTrue();
        assertThat(password.quickCheck("s3cret\n")).isFalse();
        assertThat(password.quickCheck("")).isFalse();
        assertThat(password.check("S3cret")).isFalse();
    }

    @Test
    void aBcryptHashIsCheckedOnceThenRemembered() {
        StoredPassword password = StoredPassword.of(AuthFixture.bcrypt("s3cret") + "\n");
        assertThat(password.hashed()).isTrue();
        assertThat(password.quickCheck("s3cret")).as("unknown until bcrypt says").isNull();
        assertThat(password.check("wrong")).isFalse();
        assertThat(password.quickCheck("wrong")).as("refusals are not remembered").isNull();
        assertThat(password.check("s3cret")).isTrue();
        assertThat(password.quickCheck("s3cret")).isTrue();
        assertThat(password.quickCheck("wrong")).isNull();
    }

    @Test
    void htpasswdVariantsAreHashesAndAnythingElseIsAPassword() {
        String hash = AuthFixture.bcrypt("pw");
        for (String variant : new String[] {hash, "$2y$" + hash.substring(4), "$2b$" + hash.substring(4)}) {
            StoredPassword password = StoredPassword.of(variant);
            assertThat(password.hashed()).as(variant).isTrue();
            assertThat(password.check("pw")).as(variant).isTrue();
        }
        StoredPassword notAHash = StoredPassword.of("$2a$10$short");
        assertThat(notAHash.hashed()).isFalse();
        assertThat(notAHash.check("$2a$10$short")).isTrue();
    }

    @Test
    void theIdentityChangesWithThePasswordAndIsNotThePassword() {
        assertThat(StoredPassword.of("one").identity()).isNotEqualTo(StoredPassword.of("two").identity())
                .isEqualTo(StoredPassword.of("one\n").identity())
                .isNotEqualTo("one".getBytes());
    }
}
