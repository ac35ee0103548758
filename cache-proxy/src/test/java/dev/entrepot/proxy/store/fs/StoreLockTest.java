package dev.entrepot.proxy.store.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another process holding the lock is the e2e test's job (two proxies, one directory); here: one JVM. */
class StoreLockTest {
    @TempDir
    Path root;

    @Test
    void aSecondHolderIsRefusedWithAClearMessageUntilTheFirstLetsGo() throws Exception {
        StoreLock first = StoreLock.acquire(root);

        assertThatThrownBy(() -> StoreLock.acquire(root)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in use by another Entrepot process")
                .hasMessageContaining(root.resolve(StoreLock.FILE).toString());

        first.close();
        StoreLock.acquire(root).close();
        assertThat(root.resolve(StoreLock.FILE)).exists();
    }
}
