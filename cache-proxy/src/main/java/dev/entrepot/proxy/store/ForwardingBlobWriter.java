package dev.entrepot.proxy.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** A writer that hands every call to another; subclasses change the calls they care about. */
public class ForwardingBlobWriter implements BlobWriter {
    protected final BlobWriter delegate;

    public ForwardingBlobWriter(BlobWriter delegate) {
        this.delegate = delegate;
    }

    @Override
    public Path path() {
        return delegate.path();
    }

    @Override
    public void write(ByteBuffer bytes) throws IOException {
        delegate.write(bytes);
    }

    @Override
    public long written() {
        return delegate.written();
    }

    @Override
    public void verify() throws IOException {
        delegate.verify();
    }

    @Override
    public Path commit() throws IOException {
        return delegate.commit();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
