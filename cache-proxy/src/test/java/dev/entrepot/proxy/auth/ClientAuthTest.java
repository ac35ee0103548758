package dev.entrepot.proxy.auth;

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
        assertThatCode(() -> auth.authorize(null, "hub", Action.PULL)).doesNotThrowAnyException();
    }

    @Test
    void withoutCredentialsTheAnswerIsAChallenge() throws Exception {
        OciException e = catchThrowableOfType(OciException.class, () -> required().authorize(null, "hub", Action.PULL));
        assertThat(e.code()).isEqualTo(OciErrorCode.UNAUTHORIZED);
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"entrepot\"");
    }

    @Test
    void theRightPasswordPassesAndTheFileIsTrimmed() throws Exception {
        ClientAuth auth = required();
        assertThatCode(() -> auth.authorize(basic("ci", "s3cret"), "hub", Action.PULL)).doesNotThrowAnyException();
        assertThatCode(() -> auth.authorize("basic " + basic("ci", "s3cret").substring(6), "hub", Action.PULL)).doesNotThrowAnyException();
    }

    @Test
    void wrongPasswordsUnknownUsersAndGarbageAreRefused() throws Exception {
        ClientAuth auth = required();
        for (String header : List.of(basic("ci", "wrong"), basic("other", "s3cret"), basic("ci", ""),
                "Basic !!!not-base64", "Bearer abc", basic("", "s3cret"))) {
            OciException e = catchThrowableOfType(OciException.class, () -> auth.authorize(header, "hub", Action.PULL));
            assertThat(e).as(header).isNotNull();
            assertThat(e.status()).isEqualTo(401);
        }
    }

    private ClientAuth readerAndWriter(boolean anonymousPull) throws Exception {
        Path reader = Files.writeString(dir.resolve("r"), "r-pass");
        Path writer = Files.writeString(dir.resolve("w"), "w-pass");
        return ClientAuth.of(new EntrepotConfig.Auth(anonymousPull, List.of(
                new EntrepotConfig.User("reader", reader, EntrepotConfig.Role.READER),
                new EntrepotConfig.User("writer", writer, EntrepotConfig.Role.WRITER))));
    }

    @Test
    void withoutUsersEverythingIsOpenPushesIncluded() {
        ClientAuth auth = ClientAuth.of(new EntrepotConfig.Auth(true, List.of()));
        for (Action action : Action.values()) {
            assertThatCode(() -> auth.authorize(null, "team", action)).as("%s", action).doesNotThrowAnyException();
        }
        assertThat(auth.openForPushes()).isTrue();
    }

    @Test
    void pushesAndDeletesNeedAWriterEvenWhenPullsAreAnonymous() throws Exception {
        ClientAuth auth = readerAndWriter(true);
        assertThat(auth.openForPushes()).isFalse();
        assertThatCode(() -> auth.authorize(null, "team", Action.PULL)).doesNotThrowAnyException();
        for (Action write : List.of(Action.PUSH, Action.DELETE)) {
            OciException anonymous = catchThrowableOfType(OciException.class, () -> auth.authorize(null, "team", write));
            assertThat(anonymous.status()).as("no credentials: a challenge").isEqualTo(401);
            OciException reader = catchThrowableOfType(OciException.class,
                    () -> auth.authorize(basic("reader", "r-pass"), "team", write));
            assertThat(reader.code()).isEqualTo(OciErrorCode.DENIED);
            assertThat(reader.status()).isEqualTo(403);
            assertThat(reader.getMessage()).contains("reader").contains("team").doesNotContain("r-pass");
            assertThatCode(() -> auth.authorize(basic("writer", "w-pass"), "team", write)).doesNotThrowAnyException();
        }
    }

    @Test
    void withoutAnonymousPullReadersPullAndStrangersAreChallenged() throws Exception {
        ClientAuth auth = readerAndWriter(false);
        assertThatCode(() -> auth.authorize(basic("reader", "r-pass"), "team", Action.PULL)).doesNotThrowAnyException();
        assertThat(catchThrowableOfType(OciException.class, () -> auth.authorize(basic("writer", "r-pass"), "team",
                Action.PULL)).status()).isEqualTo(401);
    }

    @Test
    void anUnreadablePasswordFileIsAConfigError() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ClientAuth.of(new EntrepotConfig.Auth(
                false, List.of(new EntrepotConfig.User("ci", dir.resolve("missing"), EntrepotConfig.Role.WRITER)))));
        assertThat(e.getMessage()).contains("passwordFile").contains("missing");
    }
}
