package dev.entrepot.proxy.cache;

import dev.entrepot.proxy.io.SerialExecutor;
import dev.entrepot.proxy.store.BlobWriter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.jboss.logging.Logger;

/**
 * The body of one {@link Download}, from its source (an upstream response, an object in the bucket) into a blob
 * writer: chunks go to the download's readers at once and to the disk in batches, one hand-off to the disk thread for
 * all the chunks of one event-loop turn (a socket read burst; at most {@link #WRITE_BATCH}), not one per chunk; the
 * source is paused while more than {@link #PAUSE_ABOVE} wait for the disk, and resumed (once) when the disk has
 * caught up. At the end the size and the digest are checked (readers may send the last byte from then on), and only
 * then is the blob committed. Runs on the context it is created on.
 */
final class Transfer {
    private static final Logger LOG = Logger.getLogger(Transfer.class);
    private static final long PAUSE_ABOVE = 4L << 20;
    private static final long RESUME_BELOW = 1L << 20;
    /** Most bytes handed to the disk thread at once. */
    private static final long WRITE_BATCH = 1L << 20;

    /** Where the bytes come from: a paused stream, the length it announced (-1: none), how to stop it early. */
    record Source(ReadStream<Buffer> body, long length, Runnable abort) {
    }

    /** Opens the writer the bytes go to; runs on the disk thread. */
    @FunctionalInterface
    interface WriterOpener {
        BlobWriter open() throws IOException;
    }

    /** Told once, on the disk thread: the stored file, or why nothing was stored. */
    @FunctionalInterface
    interface Outcome {
        void finished(Path stored, Throwable failure);
    }

    private final Download download;
    private final Source source;
    private final WriterOpener opener;
    private final LongConsumer received;
    private final Outcome outcome;
    private final Context context;
    private final SerialExecutor disk;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicBoolean paused = new AtomicBoolean();
    private List<Buffer> batch = new ArrayList<>();   // event loop only
    private long batchBytes;                          // event loop only
    private BlobWriter writer;                        // disk thread only (after the first task)
    private Throwable failure;                        // disk thread only
    private boolean completed;                        // disk thread only

    /**
     * @param pool     threads for disk writes (shared by all transfers; each one stays ordered)
     * @param received told the size of every chunk as it arrives (metrics)
     */
    Transfer(Vertx vertx, Executor pool, Download download, Source source, WriterOpener opener, LongConsumer received,
             Outcome outcome) {
        this.download = download;
        this.source = source;
        this.opener = opener;
        this.received = received;
        this.outcome = outcome;
        this.context = vertx.getOrCreateContext();
        this.disk = new SerialExecutor(pool);
    }

    /** Opens the writer (the download starts then) and resumes the source. */
    void begin() {
        ReadStream<Buffer> body = source.body();
        disk.execute(() -> {
            try {
                writer = opener.open();
                download.start(writer.path(), source.length());
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        });
        body.handler(this::chunk);
        body.exceptionHandler(e -> {
            flush();
            disk.execute(() -> {
                if (failure == null) {
                    failure = new IOException("transfer of " + download.digest() + " broke: " + e.getMessage(), e);
                }
                complete();
            });
        });
        body.endHandler(v -> {
            flush();
            disk.execute(this::complete);
        });
        body.resume();
    }

    private void chunk(Buffer chunk) {
        int size = chunk.length();
        received.accept(size);
        download.receive(chunk); // before the disk write: a follower gets each chunk before the download can end
        if (batch.isEmpty()) {
            context.runOnContext(v -> flush()); // after the chunks this turn brings
        }
        batch.add(chunk);
        batchBytes += size;
        // Pause before the flush: the flushed batch's disk task then sees the flag and resumes once it caught up.
        boolean pause = queued.addAndGet(size) > PAUSE_ABOVE && !paused.get();
        if (pause) {
            paused.set(true);
            source.body().pause();
        }
        if (batchBytes >= WRITE_BATCH || pause) {
            flush();
        }
    }

    /** Hands the chunks received since the last flush to the disk thread. */
    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<Buffer> chunks = batch;
        long bytes = batchBytes;
        batch = new ArrayList<>();
        batchBytes = 0;
        disk.execute(() -> {
            if (failure == null) {
                try {
                    for (Buffer chunk : chunks) {
                        writer.write(chunk.getByteBuf().nioBuffer());
                    }
                    download.progress(writer.written());
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            }
            if (queued.addAndGet(-bytes) < RESUME_BELOW && paused.compareAndSet(true, false)) {
                context.runOnContext(v -> source.body().resume());
            }
        });
    }

    /** On the disk thread: the writer cannot go on. The source is stopped and the download ends now. */
    private void fail(Throwable e) {
        failure = e;
        context.runOnContext(v -> source.abort().run());
        complete();
    }

    /** On the disk thread: verify and commit, or discard; once (a failure, an exception and the end may all come). */
    private void complete() {
        if (completed) {
            return;
        }
        completed = true;
        if (writer == null) {
            outcome.finished(null, failure);
            return;
        }
        Path stored = null;
        Throwable error = null;
        try (BlobWriter w = writer) {
            if (failure != null) {
                throw failure;
            }
            long expected = source.length();
            if (expected >= 0 && writer.written() != expected) {
                throw new IOException("received " + writer.written() + " bytes of " + download.digest()
                        + ", announced " + expected);
            }
            writer.verify();
            download.verify(); // the bytes are right: readers need not wait for fsync and rename to send the last one
            long commitStart = System.nanoTime();
            stored = writer.commit();
            LOG.debugf("stored %s (%d bytes): fsync and rename took %d ms", download.digest(), writer.written(),
                    (System.nanoTime() - commitStart) / 1_000_000);
        } catch (Throwable e) {
            error = e;
        }
        outcome.finished(stored, error);
    }
}
