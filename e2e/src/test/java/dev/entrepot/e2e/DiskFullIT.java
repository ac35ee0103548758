package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.Exec;
import dev.entrepot.e2e.support.HostedImage;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.PushClient;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full disk during a push: the client gets a clear 507 quickly, what was pushed before stays intact, the failed
 * upload gives its space back, and pushes work again once there is room. The store sits on a 48 MiB tmpfs this test
 * mounts (CI runs as root, as containerd needs).
 */
class DiskFullIT {
    private static final Teardown TEARDOWN = new Teardown();
    private static Path mount;
    private static Path store;
    private static EntrepotProxy proxy;
    private static PushClient push;
    private static OciClient pull;

    @BeforeAll
    static void setUp() throws IOException {
        Path work = WorkDirs.forClass(DiskFullIT.class);
        mount = Files.createDirectories(work.resolve("small-disk"));
        Exec.Result mounted = Exec.run(Duration.ofSeconds(10), "mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs",
                mount.toString());
        assertThat(mounted.exitCode()).as("mounting a tmpfs for the store (needs root): %s", mounted).isZero();
        TEARDOWN.add(() -> Exec.run(Duration.ofSeconds(10), "umount", "-l", mount.toString()));
        ProxyConfig config = new ProxyConfig().standard("team", false, null);
        proxy = TEARDOWN.add(EntrepotProxy.start(mount.resolve("proxy"), config)); // store, config and log on it
        store = proxy.storage();
        push = PushClient.of(proxy);
        pull = proxy.client();
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void aPushThatDoesNotFitFailsCleanlyAndTheStoreStaysWhole() {
        HostedImage before = HostedImage.random("before", 4 << 20, 2 << 20).push(push, "team/app", "v1");

        byte[] huge = new byte[80 << 20];
        new Random(1).nextBytes(huge);
        String location = push.startUpload("team/app");
        OciClient.Response refused = push.patchStream(location, () -> new ByteArrayInputStream(huge), huge.length,
                Duration.ofSeconds(60));

        assertThat(refused.status()).as("%s", refused).isEqualTo(507);
        assertThat(refused.text()).contains("storage is full");
        assertThat(push.status(location).status()).as("the session was cancelled to free its space").isEqualTo(404);
        before.assertPullable(pull, "team/app", "v1");

        HostedImage after = HostedImage.random("after", 3 << 20).push(push, "team/app", "v2");
        after.assertPullable(pull, "team/app", "v2");
        before.assertPullable(pull, "team/app", "v1");
        assertThat(EntrepotProxy.regularFiles(store.resolve("uploads"))).as("no upload debris").isEmpty();
    }
}
