package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.GrowingBlob;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One blob coming from upstream into a temp file. Any number of clients read it while it grows: they see
 * {@link #written()} bytes, wait for progress, and learn at the end whether the digest verified
 * ({@link #done()} succeeds, {@link #path()} is then the stored file) or not (they must abort their response).
 */
public final class Download implements GrowingBlob {
    private final Digest digest;
    private final Promise<Void> started = Promise.promise();
    private final Promise<Void> done = Promise.promise();
    private final List<Waiter> waiters = new ArrayList<>();
    private volatile Path path;
    private volatile long size = -1;
    private volatile long written;
    /** Mirrors of done's outcome, volatile so readers on other threads see them with the final size. */
    private volatile boolean verified;
    private volatile boolean broken;

    private record Waiter(Context context, Runnable action) {
    }

    Download(Digest digest) {
        this.digest = digest;
    }

    @Override
    public Digest digest() {
        return digest;
    }

    /** Completes when the upstream answered 200 and the temp file exists; fails with the upstream's error. */
    public Future<Void> started() {
        return started.future();
    }

    /** Completes once the blob is verified and stored; fails on a digest mismatch or a broken transfer. */
    @Override
    public Future<Void> done() {
        return done.future();
    }

    /** The temp file while downloading, the stored file afterwards. */
    @Override
    public Path path() {
        return path;
    }

    /** Content-Length announced by the upstream, -1 if it streams without one. */
    @Override
    public long size() {
        return size;
    }

    /** Bytes on disk and readable through {@link #path()}. */
    @Override
    public long written() {
        return written;
    }

    @Override
    public boolean succeeded() {
        return verified;
    }

    @Override
    public boolean failed() {
        return broken;
    }

    /**
     * Runs {@code action} on {@code context} once more than {@code seen} bytes are written or the download
     * finished; immediately if that is already so. Registration and notification share one lock, so no wake-up
     * is lost between a reader's check and its wait.
     */
    @Override
    public void whenProgressed(long seen, Context context, Runnable action) {
        synchronized (this) {
            if (written <= seen && !done.future().isComplete()) {
                waiters.add(new Waiter(context, action));
                return;
            }
        }
        context.runOnContext(v -> action.run());
    }

    void start(Path tempFile, long contentLength) {
        this.path = tempFile;
        this.size = contentLength;
        started.tryComplete();
    }

    void progress(long totalWritten) {
        synchronized (this) {
            written = totalWritten;
        }
        wake();
    }

    void succeed(Path stored) {
        synchronized (this) {
            path = stored;
            verified = true;
            done.tryComplete();
        }
        wake();
    }

    void fail(Throwable cause) {
        started.tryFail(cause);
        synchronized (this) {
            broken = !verified;
            done.tryFail(cause);
        }
        wake();
    }

    private void wake() {
        List<Waiter> ready;
        synchronized (this) {
            if (waiters.isEmpty()) {
                return;
            }
            ready = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter w : ready) {
            w.context().runOnContext(v -> w.action().run());
        }
    }
}
