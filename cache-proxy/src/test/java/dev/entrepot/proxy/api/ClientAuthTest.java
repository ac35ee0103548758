package dev.entrepot.proxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.entrepot.proxy.config.ConfigException;
import dev.entrepot.proxy.config.EntrepotConfig;
import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientAuthTest {
    @TempDir
    Path dir;

    private ClientAuth required() throws Exception {
        Path secret = dir.resolve("ci");
        Files.writeString(secret, "s3cret\n");
        return ClientAuth.of(new EntrepotConfig.Auth(false,
                List.of(new EntrepotConfig.User("ci", secret, EntrepotConfig.Role.READER))));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anonymousPullLetsEveryoneIn() {
        ClientAuth auth = ClientAuth.of(new EntrepotConfig.Auth(true, List.of()));
        assertThatCode(() -> auth.check(null)).doesNotThrowAnyException();
    }

    @Test
    void withoutCredentialsTheAnswerIsAChallenge() throws Exception {
        OciException e = catchThrowableOfType(OciException.class, () -> required().check(null));
        assertThat(e.code()).isEqualTo(OciErrorCode.UNAUTHORIZED);
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"entrepot\"");
    }

    @Test
    void theRightPasswordPassesAndTheFileIsTrimmed() throws Exception {
        ClientAuth auth = required();
        assertThatCode(() -> auth.check(basic("ci", "s3cret"))).doesNotThrowAnyException();
        assertThatCode(() -> auth.check("basic " + basic("ci", "s3cret").substring(6))).doesNotThrowAnyException();
    }

    @Test
    void wrongPasswordsUnknownUsersAndGarbageAreRefused() throws Exception {
        ClientAuth auth = required();
        for (String header : List.of(basic("ci", "wrong"), basic("other", "s3cret"), basic("ci", ""),
                "Basic !!!not-base64", "Bearer abc", basic("", "s3cret"))) {
            OciException e = catchThrowableOfType(OciException.class, () -> auth.check(header));
            assertThat(e).as(header).isNotNull();
            assertThat(e.status()).isEqualTo(401);
        }
    }

    @Test
    void anUnreadablePasswordFileIsAConfigError() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ClientAuth.of(new EntrepotConfig.Auth(
                false, List.of(new EntrepotConfig.User("ci", dir.resolve("missing"), EntrepotConfig.Role.WRITER)))));
        assertThat(e.getMessage()).contains("passwordFile").contains("missing");
    }
}
