package dev.entrepot.e2e;

import dev.entrepot.e2e.support.EntrepotProxy;
import dev.entrepot.e2e.support.ImageGenerator.Image;
import dev.entrepot.e2e.support.OciClient;
import dev.entrepot.e2e.support.OciErrors;
import dev.entrepot.e2e.support.Poll;
import dev.entrepot.e2e.support.ProxyConfig;
import dev.entrepot.e2e.support.Teardown;
import dev.entrepot.e2e.support.Upstream;
import dev.entrepot.e2e.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy applies a changed {@code entrepot.yaml} without a restart, keeps the previous config
 * when the new file is invalid, and drops a removed repository.
 */
class ConfigReloadIT {
    private static final Duration RELOAD = Duration.ofSeconds(15);
    private static final Teardown TEARDOWN = new Teardown();
    private static Upstream upstream;
    private static EntrepotProxy proxy;
    private static Image image;

    @BeforeAll
    static void setUp() {
        Path work = WorkDirs.forClass(ConfigReloadIT.class);
        upstream = TEARDOWN.add(Upstream.start(work.resolve("upstream")));
        image = upstream.images().image("reload", "amd64", 100_000);
        upstream.push(image.manifest(), "library/reload:1");
        upstream.push(image.manifest(), "library/reload:2");
        upstream.push(image.manifest(), "library/reload:3");
        proxy = TEARDOWN.add(EntrepotProxy.start(work.resolve("proxy"), hubOnly()));
    }

    @AfterAll
    static void tearDown() {
        TEARDOWN.close();
    }

    @Test
    void repositoriesAreAddedAndRemovedWithoutRestartAndInvalidFilesAreIgnored() {
        OciClient client = proxy.client();
        long pid = proxy.pid();
        OciErrors.assertError(client.manifest("second/library/reload", "1"), 404, "NAME_UNKNOWN");

        proxy.reconfigure(hubOnly().remote("second", upstream.registry().url().toString(), "1h", null));
        Poll.until(RELOAD, () -> client.manifest("second/library/reload", "1").status() == 200,
                () -> "repository 'second' served after reload\n" + proxy.logTail(20));
        assertThat(client.manifest("second/library/reload", "1").header("Docker-Content-Digest"))
                .isEqualTo(image.manifest().digest());
        assertThat(client.manifest("hub/library/reload", "1").status()).as("hub still there").isEqualTo(200);

        String logBefore = proxy.logTail(10_000);
        proxy.writeConfig("storage:\n  path: [this is not a path\nrepositories: {{{\n");
        Poll.until(RELOAD, () -> proxy.logTail(10_000).length() > logBefore.length(),
                () -> "a log line about the invalid config");
        Poll.sleep(Duration.ofSeconds(5)); // more than two polls of the file
        OciClient.Response stillThere = client.manifest("second/library/reload", "2");
        assertThat(stillThere.status()).as("previous config kept: %s\n%s", stillThere, proxy.logTail(20)).isEqualTo(200);
        String newLog = proxy.logTail(10_000).substring(logBefore.length());
        assertThat(newLog).as("the rejection is logged").containsIgnoringCase("entrepot.yaml");

        proxy.writeConfig(hubOnly().yaml(proxy.storage().toString()).replace("mode: remote", "mode: sideways"));
        Poll.sleep(Duration.ofSeconds(5));
        assertThat(client.manifest("second/library/reload", "3").status()).as("semantically invalid config ignored").isEqualTo(200);

        proxy.reconfigure(hubOnly());
        Poll.until(RELOAD, () -> client.manifest("second/library/reload", "1").status() == 404,
                () -> "repository 'second' gone after reload");
        OciErrors.assertError(client.manifest("second/library/reload", "1"), 404, "NAME_UNKNOWN");
        assertThat(client.manifest("hub/library/reload", "1").status()).isEqualTo(200);
        assertThat(proxy.pid()).as("no restart").isEqualTo(pid);
        assertThat(proxy.isAlive()).isTrue();
    }

    private static ProxyConfig hubOnly() {
        // no mirrorOf: a request for an unknown first segment must not fall back to a docker.io mirror
        return new ProxyConfig().remote("hub", upstream.url().toString(), "1h", null);
    }
}
