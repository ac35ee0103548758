package dev.entrepot.proxy.testing;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * A request body for tests: the given chunks, delivered on a Vert.x context while not paused, then the end (or a
 * failure, as when the client goes away). Starts paused, as the API hands bodies to repositories.
 */
public final class BufferStream implements ReadStream<Buffer> {
    private final Context context;
    private final Queue<Buffer> chunks;
    private final Throwable failAtEnd;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private boolean paused = true;
    private boolean done;

    public BufferStream(Context context, List<byte[]> chunks, Throwable failAtEnd) {
        this.context = context;
        this.chunks = new ArrayDeque<>(chunks.stream().map(Buffer::buffer).toList());
        this.failAtEnd = failAtEnd;
    }

    public static BufferStream of(Context context, byte[]... chunks) {
        return new BufferStream(context, List.of(chunks), null);
    }

    @Override
    public synchronized ReadStream<Buffer> handler(Handler<Buffer> handler) {
        this.handler = handler;
        return this;
    }

    @Override
    public synchronized ReadStream<Buffer> pause() {
        paused = true;
        return this;
    }

    @Override
    public synchronized ReadStream<Buffer> resume() {
        paused = false;
        context.runOnContext(v -> drain());
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        return resume();
    }

    @Override
    public synchronized ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        return this;
    }

    @Override
    public synchronized ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    private void drain() {
        while (true) {
            Buffer next;
            Handler<Buffer> h;
            synchronized (this) {
                if (paused || done || handler == null) {
                    return;
                }
                next = chunks.poll();
                h = handler;
                if (next == null) {
                    done = true;
                }
            }
            if (next == null) {
                if (failAtEnd != null) {
                    exceptionHandler.handle(failAtEnd);
                } else {
                    endHandler.handle(null);
                }
                return;
            }
            h.handle(next);
        }
    }
}
