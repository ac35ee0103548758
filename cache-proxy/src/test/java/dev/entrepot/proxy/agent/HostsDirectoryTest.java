package dev.entrepot.proxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsDirectoryTest {

    private static final String OURS = "server = \"https://registry-1.docker.io\"\n\n[host.\"http://127.0.0.1:5050\"]\n";
    private static final String THEIRS = "server = \"https://mirror.corp.example\"\n";

    @TempDir
    Path root;

    private Path file(String host) {
        return root.resolve(host).resolve("hosts.toml");
    }

    private void existing(String host, String content) throws IOException {
        Files.createDirectories(root.resolve(host));
        Files.writeString(file(host), content);
    }

    @Test
    void takesOverAHostAndRestoresWhatWasThere() throws IOException {
        existing("docker.io", THEIRS);
        HostsDirectory hosts = new HostsDirectory(root);

        HostsDirectory.Outcome taken = hosts.apply(Map.of("docker.io", OURS));

        assertThat(file("docker.io")).hasContent(OURS);
        assertThat(taken.managed()).containsExactly("docker.io");
        assertThat(taken.backedUp()).containsExactly("docker.io");
        assertThat(taken.changes()).anyMatch(c -> c.contains("kept the existing"));

        HostsDirectory.Outcome released = hosts.apply(Map.of());

        assertThat(file("docker.io")).hasContent(THEIRS);
        assertThat(released.managed()).isEmpty();
        assertThat(root.resolve(HostsDirectory.STATE).resolve("docker.io")).doesNotExist();
    }

    @Test
    void aHostWithoutAFileIsRemovedAgainWithTheDirectoryItCreated() throws IOException {
        Files.createDirectories(root.resolve("quay.io"));
        Files.writeString(root.resolve("quay.io/ca.crt"), "a certificate");
        HostsDirectory hosts = new HostsDirectory(root);

        hosts.apply(Map.of("ghcr.io", OURS, "quay.io", OURS, "registry.example.com:5000", OURS));
        assertThat(file("registry.example.com:5000")).hasContent(OURS);
        hosts.releaseAll();

        assertThat(root.resolve("ghcr.io")).as("created by the agent").doesNotExist();
        assertThat(root.resolve("registry.example.com:5000")).doesNotExist();
        assertThat(file("quay.io")).doesNotExist();
        assertThat(root.resolve("quay.io/ca.crt")).as("not the agent's").hasContent("a certificate");
    }

    @Test
    void neverTouchesHostsItDoesNotManage() throws IOException {
        existing("other.example", THEIRS);
        existing("_default", THEIRS);
        HostsDirectory hosts = new HostsDirectory(root);

        hosts.apply(Map.of("docker.io", OURS));
        hosts.apply(Map.of("ghcr.io", OURS));
        hosts.releaseAll();

        assertThat(file("other.example")).hasContent(THEIRS);
        assertThat(file("_default")).hasContent(THEIRS);
        try (var entries = Files.list(root.resolve("other.example"))) {
            assertThat(entries).as("no temp or backup left next to it").hasSize(1);
        }
    }

    @Test
    void changedContentIsRewrittenAndHandEditsAreUndoneButTheOriginalStays() throws IOException {
        existing("docker.io", THEIRS);
        HostsDirectory hosts = new HostsDirectory(root);
        hosts.apply(Map.of("docker.io", OURS));

        Files.writeString(file("docker.io"), "edited by hand");
        HostsDirectory.Outcome again = hosts.apply(Map.of("docker.io", OURS));
        assertThat(file("docker.io")).hasContent(OURS);
        assertThat(again.changes()).containsExactly("docker.io: wrote " + file("docker.io"));

        assertThat(hosts.apply(Map.of("docker.io", OURS)).changes()).as("nothing to do").isEmpty();
        hosts.apply(Map.of("docker.io", OURS + "# v2\n"));
        assertThat(file("docker.io")).hasContent(OURS + "# v2\n");

        hosts.releaseAll();
        assertThat(file("docker.io")).as("the original, not an intermediate version").hasContent(THEIRS);
    }

    /** The state lives in the directory: a new agent (after kill -9, a node reboot) carries on. */
    @Test
    void aNewAgentKnowsWhatTheLastOneManaged() throws IOException {
        existing("docker.io", THEIRS);
        new HostsDirectory(root).apply(Map.of("docker.io", OURS, "ghcr.io", OURS));

        HostsDirectory next = new HostsDirectory(root);
        assertThat(next.managed()).containsExactly("docker.io", "ghcr.io");
        next.apply(Map.of("docker.io", OURS));
        assertThat(file("docker.io")).as("not backed up a second time: our file is no original").hasContent(OURS);
        next.releaseAll();

        assertThat(file("docker.io")).hasContent(THEIRS);
        assertThat(root.resolve("ghcr.io")).doesNotExist();
    }

    /** A take-over that stopped after the copy but before the record is simply done again. */
    @Test
    void aTakeOverInterruptedBeforeItsRecordIsRedone() throws IOException {
        existing("docker.io", THEIRS);
        Path record = root.resolve(HostsDirectory.STATE).resolve("docker.io");
        Files.createDirectories(record);
        Files.writeString(record.resolve("original.toml"), "a stale copy");

        HostsDirectory hosts = new HostsDirectory(root);
        hosts.apply(Map.of("docker.io", OURS));
        hosts.releaseAll();

        assertThat(file("docker.io")).hasContent(THEIRS);
    }

    @Test
    void onlyRegistryHostsAreWritten() {
        HostsDirectory hosts = new HostsDirectory(root);

        assertThatThrownBy(() -> hosts.apply(Map.of("../../etc", OURS))).isInstanceOf(IllegalArgumentException.class);
        assertThat(root.getParent().resolve("etc")).doesNotExist();
    }
}
