package dev.entrepot.proxy.io;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A blocking {@link InputStream} (an object store's response body) as a Vert.x stream: each piece is read on a worker
 * thread, one read at a time, and handed to the handler on the stream's context. Nothing is read while the stream is
 * paused, so at most one piece sits in memory here whatever the consumer does with the ones it got. Created paused;
 * use it on its context. The input stream is closed at the end, on a failure, or by {@link #close()}.
 */
public final class InputStreamBody implements ReadStream<Buffer> {
    private static final int PIECE = 64 * 1024;

    private final Context context;
    private final InputStream in;
    private Handler<Buffer> handler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> endHandler;
    private long demand;
    private boolean reading;
    /** The input ended; the end is told once there is demand. */
    private boolean atEnd;
    /** Ended, failed or closed: nothing more is told. */
    private boolean over;

    public InputStreamBody(Context context, InputStream in) {
        this.context = context;
        this.in = in;
    }

    @Override
    public InputStreamBody handler(Handler<Buffer> handler) {
        this.handler = handler;
        readMore();
        return this;
    }

    @Override
    public InputStreamBody exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public InputStreamBody endHandler(Handler<Void> handler) {
        this.endHandler = handler;
        return this;
    }

    @Override
    public InputStreamBody pause() {
        demand = 0;
        return this;
    }

    @Override
    public InputStreamBody resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public InputStreamBody fetch(long amount) {
        if (amount > 0) {
            demand = demand > Long.MAX_VALUE - amount ? Long.MAX_VALUE : demand + amount;
            readMore();
        }
        return this;
    }

    /**
     * Stops: the input stream is closed (an object store request is aborted), a read in progress ends with it, and
     * no handler is called any more. Safe to call more than once.
     */
    public void close() {
        if (!over) {
            over = true;
            closeQuietly();
        }
    }

    private void readMore() {
        if (over || reading || demand == 0 || handler == null) {
            return;
        }
        if (atEnd) {
            over = true;
            closeQuietly();
            if (endHandler != null) {
                endHandler.handle(null);
            }
            return;
        }
        reading = true;
        context.<byte[]>executeBlocking(() -> {
            byte[] piece = new byte[PIECE];
            int n = in.readNBytes(piece, 0, PIECE); // fewer only at the end
            return n == PIECE ? piece : Arrays.copyOf(piece, n);
        }, false).onComplete(ar -> {
            reading = false;
            if (over) {
                return;
            }
            if (ar.failed()) {
                over = true;
                closeQuietly();
                if (exceptionHandler != null) {
                    exceptionHandler.handle(ar.cause());
                }
                return;
            }
            byte[] piece = ar.result();
            atEnd = piece.length < PIECE;
            if (piece.length > 0) {
                if (demand > 0 && demand != Long.MAX_VALUE) {
                    demand--; // not below 0: a pause() while this piece was read must stay a pause
                }
                handler.handle(Buffer.buffer(piece));
            }
            readMore();
        });
    }

    private void closeQuietly() {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // aborting a request may complain; nothing more is read either way
        }
    }
}
