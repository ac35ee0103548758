package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a person sees when the proxy cannot start: one {@code cannot start: ...} line naming the file and the key that
 * refers to it, a non-zero exit code, no stack trace, and nothing created on disk. One test per kind of mistake.
 */
class StartupErrorsIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Path work;

    private record Outcome(int exitCode, String output) {
    }

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(StartupErrorsIT.class);
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    private static Outcome start(Path config) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=0", "-Dquarkus.http.host=127.0.0.1"));
        if (config != null) {
            command.add("-Dentrepot.config=" + config);
        }
        command.addAll(List.of("-jar", EntrepotProxy.jar().toAbsolutePath().toString()));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the proxy gave up quickly").isTrue();
        return new Outcome(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static void assertRefused(Outcome outcome, String... expected) {
        assertThat(outcome.exitCode()).as("exit code of%n%s", outcome.output()).isNotZero();
        assertThat(outcome.output().lines().filter(l -> l.startsWith("cannot start: ")).toList())
                .as("%s", outcome.output()).singleElement().asString().contains(expected);
        assertThat(outcome.output()).doesNotContain("Exception", "\tat ", "dev.entrepot.proxy.");
    }

    private static Path config(String name, String yaml) throws IOException {
        return Files.writeString(work.resolve(name), yaml);
    }

    @Test
    void aMissingConfigFile() throws Exception {
        Path missing = work.resolve("nowhere.yaml");

        assertRefused(start(missing), "the configuration file " + missing, "(entrepot.config / ENTREPOT_CONFIG)",
                "does not exist");
    }

    @Test
    void anInvalidConfigFileIsReportedWhole() throws Exception {
        Path store = work.resolve("never-created");
        Path file = config("invalid.yaml", "storage: {path: " + store + "}\nrepositories:\n"
                + "  - {name: hub, mode: remot, remote: {url: 'https://example.com', tagTTL: 5m}}\n");

        assertRefused(start(file), "repositories[0].mode: 'remot' is not one of remote, standard, virtual",
                "(did you mean 'remote'?) (line 3)", "repositories[0].remote.tagTTL: unknown field 'tagTTL' "
                        + "(did you mean 'tagTtl'?)");
        assertThat(store).as("nothing created before the config is valid").doesNotExist();
    }

    @Test
    void anUnreadablePasswordFileNamesItsKey() throws Exception {
        Path store = work.resolve("never-created-2");
        Path file = config("users.yaml", "storage: {path: " + store + "}\n"
                + "repositories: [{name: team, mode: standard}]\n"
                + "auth:\n  users:\n    - {name: ci, passwordFile: " + work.resolve("no-password") + ", role: writer}\n");

        assertRefused(start(file), "auth.users[0].passwordFile: " + work.resolve("no-password") + " does not exist");
        assertThat(store).doesNotExist();
    }

    @Test
    void anUnusableStoreDirectory() throws Exception {
        Path notADirectory = Files.writeString(work.resolve("a-file"), "x");
        Path file = config("store.yaml", "storage: {path: " + notADirectory.resolve("store") + "}\n"
                + "repositories: [{name: team, mode: standard}]\n");

        assertRefused(start(file), "storage.path " + notADirectory.resolve("store"), "is not a directory");
    }

    @Test
    void aStoreAnotherProxyHolds() throws Exception {
        EntrepotProxy running = TEARDOWN.add(EntrepotProxy.start(work.resolve("running"),
                new ProxyConfig().standard("team", false, null)));

        assertRefused(start(running.configFile()), "is in use by another Entrepot process",
                running.storage().resolve("entrepot.lock").toString());
        assertThat(running.isAlive()).isTrue();
    }
}
