package dev.entrepot.e2e;

import dev.entrepot.e2e.support.Digests;
import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One process per store directory ({@code entrepot.lock}): a second proxy on the same {@code storage.path} exits at
 * once with a message naming the lock file, without touching the first one's uploads; the first keeps serving. The
 * lock dies with its process, kill -9 included, so a successor starts on the same store.
 */
class StoreLockIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Path work;
    private static EntrepotProxy first;

    @BeforeAll
    static void setUp() {
        work = WorkDirs.forClass(StoreLockIT.class);
        first = TEARDOWN.add(EntrepotProxy.start(work.resolve("first"), config()));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    private static ProxyConfig config() {
        return new ProxyConfig().standard("team", false, null);
    }

    @Test
    void aSecondProxyOnTheSameStoreExitsNamingTheLockAndTheFirstKeepsServing() {
        first.start(); // in case the other test left it stopped
        PushClient push = PushClient.of(first);
        HostedImage image = HostedImage.random("locked", 10_000).push(push, "team/locked", "1");
        String session = push.startUpload("team/locked");
        byte[] half = HostedUploadIT.random(1_000);
        assertThat(push.patch(session, half, "0-999").status()).isEqualTo(202);

        EntrepotProxy second = TEARDOWN.add(EntrepotProxy.prepare(work.resolve("second"), config(), first.storage(), List.of()));
        assertThatThrownBy(second::start).as("the second proxy must not become ready")
                .isInstanceOf(AssertionError.class).hasMessageContaining("proxy exited during start");
        Poll.until(Duration.ofSeconds(10), () -> second.exitCode() != null, () -> "second proxy exited");
        assertThat(second.exitCode()).as("exit code").isNotZero();
        String log = second.logTail(500);
        String lockFile = first.storage().resolve("entrepot.lock").toAbsolutePath().toString();
        assertThat(log).as("the refusal names the lock file").contains(lockFile).contains("in use by another Entrepot process");

        assertThat(first.isAlive()).isTrue();
        OciClient pull = first.client();
        image.assertPullable(pull, "team/locked", "1");
        OciClient.Response status = push.status(session);
        assertThat(status.status()).as("the upload in progress survived the second proxy's attempt: %s", status).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-999");
        byte[] rest = HostedUploadIT.random(500);
        byte[] whole = new byte[1_500];
        System.arraycopy(half, 0, whole, 0, 1_000);
        System.arraycopy(rest, 0, whole, 1_000, 500);
        assertThat(push.put(session, Digests.sha256(whole), rest, "1000-1499").status()).isEqualTo(201);
        HostedImage.random("after", 10_000).push(push, "team/locked", "2").assertPullable(pull, "team/locked", "2");
    }

    @Test
    void theLockGoesWithItsProcessEvenOnKill9() {
        first.start();
        HostedImage image = HostedImage.random("handover", 10_000).push(PushClient.of(first), "team/handover", "1");
        first.kill9();
        EntrepotProxy successor = TEARDOWN.add(EntrepotProxy.prepare(work.resolve("successor"), config(), first.storage(), List.of()));
        try {
            successor.start();
            image.assertPullable(successor.client(), "team/handover", "1");
            HostedImage.random("successor", 1_000).push(PushClient.of(successor), "team/handover", "2");
        } finally {
            successor.stop();
        }
        first.start();
        image.assertPullable(first.client(), "team/handover", "1");
        assertThat(first.client().manifest("team/handover", "2").status()).isEqualTo(200);
    }
}
