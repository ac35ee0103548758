package dev.entrepot.proxy.store.fs;

import dev.entrepot.proxy.store.HostedMetadataStore;
import dev.entrepot.proxy.store.HostedMetadataStoreContractTest;
import java.io.IOException;
import java.nio.file.Path;

class FsHostedMetadataStoreTest extends HostedMetadataStoreContractTest {

    @Override
    protected HostedMetadataStore open(Path root) throws IOException {
        return new FsHostedMetadataStore(root, new FsBlobStore(root, clock, (d, s) -> { }), clock);
    }
}
