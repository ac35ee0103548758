package dev.entrepot.proxy.testing;

import dev.entrepot.proxy.store.BlobObjects.ObjectBody;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a test sees of the object reads a store makes: each read ({@code offset}, {@code length}) is recorded, and
 * its bytes past {@link #holdAfter} are held back until {@link #release()} (a slow object store), so a test can tell
 * what a client got before the object was read to its end.
 */
public final class ObjectReads {
    /** One read of an object: where it started and how many bytes it asked for (-1: to the end). */
    public record Read(long offset, long length) {
    }

    private final List<Read> reads = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private volatile long holdAfter = Long.MAX_VALUE;

    /** From now on, each read delivers {@code bytes} bytes, then waits for {@link #release()}. */
    public ObjectReads holdAfter(long bytes) {
        holdAfter = bytes;
        return this;
    }

    public void release() {
        released.complete(null);
    }

    public List<Read> reads() {
        return reads;
    }

    /** Reads that reached their end. */
    public int finished() {
        return finished.get();
    }

    /** Object bodies closed so far (review). */
    public int closed() {
        return closed.get();
    }

    /** Bytes the reads delivered to the store so far. */
    public long delivered() {
        return delivered.get();
    }

    /** Records the read and wraps its body. */
    public Optional<ObjectBody> record(long offset, long length, Optional<ObjectBody> body) {
        reads.add(new Read(offset, length));
        return body.map(b -> new ObjectBody(new Held(b.stream()), b.length()));
    }

    private final class Held extends FilterInputStream {
        private long position;

        Held(InputStream in) {
            super(in);
        }

        private void waitIfHeld() throws IOException {
            if (position >= holdAfter) {
                try {
                    released.get(Await.TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException("never released", e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            closed.incrementAndGet();
            super.close();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            waitIfHeld();
            long allowed = holdAfter - position;
            int n = super.read(buffer, off, allowed > 0 && allowed < len ? (int) allowed : len);
            if (n < 0) {
                finished.incrementAndGet();
            } else {
                position += n;
                delivered.addAndGet(n);
            }
            return n;
        }
    }
}
