package dev.entrepot.proxy.testing;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.store.BlobLease;
import dev.entrepot.proxy.store.BlobStore;
import dev.entrepot.proxy.store.BlobWriter;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/** A blob store that forwards everything to a real one; tests override the call they want to disturb. */
public class ForwardingBlobStore implements BlobStore {
    protected final BlobStore delegate;

    public ForwardingBlobStore(BlobStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<BlobLease> open(Digest digest) {
        return delegate.open(digest);
    }

    @Override
    public BlobWriter newWriter(Digest expected) throws IOException {
        return delegate.newWriter(expected);
    }

    @Override
    public void put(Digest digest, byte[] content) throws IOException {
        delegate.put(digest, content);
    }

    @Override
    public Optional<byte[]> read(Digest digest, int maxBytes) throws IOException {
        return delegate.read(digest, maxBytes);
    }

    @Override
    public void touch(Digest digest) {
        delegate.touch(digest);
    }

    @Override
    public long totalBytes() {
        return delegate.totalBytes();
    }

    @Override
    public Instant lastUsed(Digest digest) {
        return delegate.lastUsed(digest);
    }

    @Override
    public Optional<byte[]> peek(Digest digest, int maxBytes) throws IOException {
        return delegate.peek(digest, maxBytes);
    }
}
