package dev.entrepot.proxy.hosted;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.ImageName;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.testing.Await;
import io.vertx.core.Future;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Real hosted stores on a fresh directory per test, and a standard repository {@code team} over them. */
abstract class HostedTestBase {
    static final ImageName APP = new ImageName("app");

    @TempDir
    Path root;

    HostedFixture fx;
    HostedRepository team;

    @BeforeEach
    void openStores() throws Exception {
        fx = new HostedFixture(root);
        team = fx.repository("team", false);
    }

    @AfterEach
    void closeStores() throws Exception {
        fx.close();
    }

    /** The OCI error {@code future} failed with. */
    static OciException failure(Future<?> future) throws Exception {
        Throwable t = Await.failure(future);
        assertThat(t).isInstanceOf(OciException.class);
        return (OciException) t;
    }
}
