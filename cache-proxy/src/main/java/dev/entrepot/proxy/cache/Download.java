package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.GrowingBlob;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One blob coming from upstream into a temp file. Any number of clients read it while it grows: they see
 * {@link #written()} bytes, wait for progress, or, caught up with the file, {@link #follow} the chunks still on their
 * way to disk and the ones arriving after. The last byte may go out once {@link #verified()}; {@link #done()} tells
 * whether the blob was stored ({@link #path()} is then the stored file) or not.
 */
public final class Download implements GrowingBlob {
    private static final Follower[] NO_FOLLOWERS = new Follower[0];

    private final Digest digest;
    private final Promise<Void> started = Promise.promise();
    private final Promise<Void> done = Promise.promise();
    private final Promise<Void> verification = Promise.promise();
    // Guarded by this: waiters for progress, the chunks received but not yet written (they hold exactly the bytes
    // [written, received)), and the readers following in memory (replaced, never changed, so it can be read unlocked).
    private final List<Waiter> waiters = new ArrayList<>();
    private final ArrayDeque<Chunk> unwritten = new ArrayDeque<>();
    private Follower[] followers = NO_FOLLOWERS;
    private long received;
    private volatile Path path;
    private volatile long size = -1;
    private volatile long written;
    private volatile boolean verified;
    /** Mirrors of done's outcome, volatile so readers on other threads see them with the final size. */
    private volatile boolean stored;
    private volatile boolean broken;

    private record Waiter(Context context, Runnable action) {
    }

    private record Follower(Context context, Consumer<Chunk> sink) {
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

    @Override
    public Future<Void> verification() {
        return verification.future();
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
    public boolean verified() {
        return verified;
    }

    @Override
    public boolean succeeded() {
        return stored;
    }

    @Override
    public boolean failed() {
        return broken;
    }

    /**
     * Runs {@code action} on {@code context} once more than {@code seen} bytes are written, the blob verified or the
     * download finished; immediately if that is already so. Registration and notification share one lock, so no
     * wake-up is lost between a reader's check and its wait.
     */
    @Override
    public void whenProgressed(long seen, Context context, Runnable action) {
        synchronized (this) {
            if (written <= seen && !verified && !done.future().isComplete()) {
                waiters.add(new Waiter(context, action));
                return;
            }
        }
        context.runOnContext(v -> action.run());
    }

    @Override
    public Feed follow(long position, Context context, Consumer<Chunk> sink) {
        Follower follower = new Follower(context, sink);
        List<Chunk> backlog = new ArrayList<>();
        synchronized (this) {
            if (size < 0 || position < written || position > received || verified || done.future().isComplete()) {
                return null;
            }
            for (Chunk chunk : unwritten) {
                if (chunk.end() > position) {
                    backlog.add(chunk);
                }
            }
            Follower[] more = Arrays.copyOf(followers, followers.length + 1);
            more[followers.length] = follower;
            followers = more;
        }
        return new Feed() {
            @Override
            public List<Chunk> backlog() {
                return backlog;
            }

            @Override
            public void stop() {
                unfollow(follower);
            }
        };
    }

    private synchronized void unfollow(Follower follower) {
        int at = 0;
        while (at < followers.length && followers[at] != follower) {
            at++;
        }
        if (at == followers.length) {
            return;
        }
        Follower[] fewer = new Follower[followers.length - 1];
        System.arraycopy(followers, 0, fewer, 0, at);
        System.arraycopy(followers, at + 1, fewer, at, fewer.length - at);
        followers = fewer;
    }

    void start(Path tempFile, long contentLength) {
        this.path = tempFile;
        this.size = contentLength;
        started.tryComplete();
    }

    /**
     * The next chunk from upstream, in order, before it is queued for the disk: kept until written, handed to every
     * follower on its context. The bytes must not change afterwards.
     */
    void receive(Buffer bytes) {
        if (bytes.length() == 0) {
            return;
        }
        Chunk chunk;
        Follower[] to;
        synchronized (this) {
            chunk = new Chunk(received, bytes);
            received += bytes.length();
            unwritten.addLast(chunk);
            to = followers;
        }
        for (Follower follower : to) {
            follower.context().runOnContext(v -> follower.sink().accept(chunk));
        }
    }

    void progress(long totalWritten) {
        synchronized (this) {
            written = totalWritten;
            while (!unwritten.isEmpty() && unwritten.peekFirst().end() <= totalWritten) {
                unwritten.pollFirst();
            }
        }
        wake();
    }

    /** Every byte written and the digest matched; the blob is not stored yet. */
    void verify() {
        synchronized (this) {
            verified = true;
            followers = NO_FOLLOWERS;
        }
        verification.tryComplete();
        wake();
    }

    void succeed(Path stored) {
        synchronized (this) {
            path = stored;
            verified = true;
            this.stored = true;
            done.tryComplete();
        }
        verification.tryComplete();
        wake();
    }

    void fail(Throwable cause) {
        started.tryFail(cause);
        synchronized (this) {
            broken = !verified;
            unwritten.clear();
            followers = NO_FOLLOWERS;
            done.tryFail(cause);
        }
        verification.tryFail(cause); // a no-op once verified
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
