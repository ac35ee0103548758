package dev.entrepot.proxy.io;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams a request body to disk off the event loop: chunks are handed to one {@link SerialExecutor} in order, and
 * the body is paused while more than a few MiB wait for the disk. After a failed write (disk full) or past
 * {@code maxBytes} the rest of the body is read and dropped, so the connection stays usable for the answer.
 */
public final class BodyPump {
    private static final long PAUSE_ABOVE = 4L << 20;
    private static final long RESUME_BELOW = 1L << 20;

    /** Where the bytes go; called on a pool thread, one chunk at a time. */
    @FunctionalInterface
    public interface Sink {
        void write(ByteBuffer bytes) throws IOException;
    }

    /** Thrown into the result when the body is longer than allowed. */
    public static final class TooLarge extends IOException {
        public TooLarge(long limit) {
            super("body longer than " + limit + " bytes", null);
        }
    }

    /** The body itself broke (the client went away or its connection failed): not the sink's fault. */
    public static final class BodyBroken extends IOException {
        public BodyBroken(Throwable cause) {
            super("request body broke off: " + cause.getMessage(), cause);
        }
    }

    private BodyPump() {
    }

    /**
     * Starts reading {@code body} (which the caller paused) on the current event-loop {@code context}; completes
     * with the bytes written once the body ended and every write finished, or fails with the first write failure,
     * {@link TooLarge}, or {@link BodyBroken} (client gone).
     */
    public static Future<Long> pump(ReadStream<Buffer> body, Sink sink, Executor pool, Context context, long maxBytes) {
        Promise<Long> result = Promise.promise();
        SerialExecutor disk = new SerialExecutor(pool);
        AtomicLong queued = new AtomicLong();
        long[] received = new long[1];            // event loop only
        long[] written = new long[1];             // disk thread only
        Throwable[] failure = new Throwable[1];   // disk thread only
        body.handler(chunk -> {
            int size = chunk.length();
            received[0] += size;
            boolean tooMuch = received[0] > maxBytes;
            if (queued.addAndGet(size) > PAUSE_ABOVE) {
                body.pause();
            }
            disk.execute(() -> {
                if (failure[0] == null && tooMuch) {
                    failure[0] = new TooLarge(maxBytes);
                }
                if (failure[0] == null) {
                    try {
                        sink.write(chunk.getByteBuf().nioBuffer());
                        written[0] += size;
                    } catch (IOException | RuntimeException e) {
                        failure[0] = e;
                    }
                }
                if (queued.addAndGet(-size) < RESUME_BELOW) {
                    context.runOnContext(v -> body.resume());
                }
            });
        });
        body.exceptionHandler(e -> disk.execute(() -> {
            if (failure[0] == null) {
                failure[0] = new BodyBroken(e);
            }
            result.tryFail(failure[0]);
        }));
        body.endHandler(v -> disk.execute(() -> {
            if (failure[0] != null) {
                result.tryFail(failure[0]);
            } else {
                result.tryComplete(written[0]);
            }
        }));
        body.resume();
        return result.future();
    }
}
