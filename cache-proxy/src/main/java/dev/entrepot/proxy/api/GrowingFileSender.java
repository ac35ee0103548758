package dev.entrepot.proxy.api;

import dev.entrepot.proxy.oci.OciErrorCode;
import dev.entrepot.proxy.oci.OciException;
import dev.entrepot.proxy.repository.GrowingBlob;
import dev.entrepot.proxy.repository.GrowingBlob.Chunk;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Streams a blob that is still arriving from upstream. Behind the download it reads the temp file up to what has been
 * written; caught up with it, it follows the download's chunks in memory as they arrive (no read-back, no thread hop
 * per chunk), and falls back to the file whenever the client is slower than the upstream. The blob's last byte is
 * held back until the digest verified, so a client never receives a complete-looking body whose digest turned out
 * wrong: on failure the connection is reset instead. Honours back-pressure (a slow client does not make us read
 * ahead into memory).
 */
final class GrowingFileSender {
    /**
     * Piece read from the file at a time, into direct memory (which the Deployment bounds with
     * {@code -XX:MaxDirectMemorySize=64m}): two per client at most, 256 KiB for each client reading behind a download.
     */
    private static final int CHUNK = 128 * 1024;
    private static final int BUFFERS = 2;

    private final Vertx vertx;
    private final Context context;
    private final HttpServerResponse response;
    private final GrowingBlob download;
    private final LongConsumer onFinished;
    private final Runnable serveStored;
    private final ByteBufAllocator allocator;
    private FileChannel file;
    private long position;
    private boolean finished;
    /** Following the download in memory; null while reading the file or waiting. */
    private GrowingBlob.Feed feed;
    /** Tells chunks of the current feed from late ones of an earlier feed. */
    private int feedNumber;
    /** The blob's last byte, taken from memory and held until the digest verified. */
    private Buffer lastByte;
    /** For reading the file: at most {@link #BUFFERS}, allocated as needed; the ones no read or write uses. */
    private final ArrayDeque<ByteBuf> spare = new ArrayDeque<>(BUFFERS);
    private int buffers;
    /** Both buffers were in use when the next piece could have been read: the next completed write goes on. */
    private boolean waitingForBuffer;

    /**
     * @param onFinished  told the bytes sent, once, however the transfer ends (unless handed over)
     * @param serveStored when the temp file was renamed into the store before we could open it, hands the request
     *                    over to the stored-blob path (which pins the blob against eviction)
     */
    GrowingFileSender(Vertx vertx, Context context, HttpServerResponse response, GrowingBlob download,
                      LongConsumer onFinished, Runnable serveStored) {
        this(vertx, context, response, download, PooledByteBufAllocator.DEFAULT, onFinished, serveStored);
    }

    /** @param allocator where the read buffer comes from (pooled, direct) */
    GrowingFileSender(Vertx vertx, Context context, HttpServerResponse response, GrowingBlob download,
                      ByteBufAllocator allocator, LongConsumer onFinished, Runnable serveStored) {
        this.allocator = allocator;
        this.serveStored = serveStored;
        this.vertx = vertx;
        this.context = context;
        this.response = response;
        this.download = download;
        this.onFinished = onFinished;
    }

    void start() {
        if (response.closed()) {
            finish(false); // the client left while the download was starting
            return;
        }
        response.closeHandler(v -> finish(false));
        // A follower waits for chunks, not for progress on disk: the end (or a failure) must reach it as well.
        download.done().onComplete(ar -> context.runOnContext(v -> {
            if (!finished && feed != null) {
                stopFollowing();
                pump();
            }
        }));
        open();
    }

    private void open() {
        Path path = download.path();
        vertx.executeBlocking(() -> FileChannel.open(path, StandardOpenOption.READ), false)
                .onComplete(ar -> context.runOnContext(v -> {
            if (finished) {
                if (ar.succeeded()) {
                    closeQuietly(ar.result()); // the client left while we were opening
                }
                return;
            }
            if (ar.succeeded()) {
                file = ar.result();
                pump();
            } else {
                // Renamed into the store (or discarded) between our look and our open. The rename comes before
                // the download publishes its final path, so wait for the outcome, then serve the stored file.
                download.done().onComplete(done -> context.runOnContext(x -> {
                    if (finished) {
                        return;
                    }
                    if (done.failed()) {
                        finish(false);
                    } else {
                        finished = true;
                        serveStored.run();
                    }
                }));
            }
        }));
    }

    private void pump() {
        if (finished) {
            return;
        }
        if (response.closed()) {
            finish(false);
            return;
        }
        if (lastByte != null) {
            sendLastByte();
            return;
        }
        // Verification first: once it is seen, the size read after it is final (progress precedes it). Read the
        // other way round, a download finishing in between would make a stale size look like the end.
        boolean complete = download.verified();
        long written = download.written();
        if (download.failed()) {
            finish(false);
            return;
        }
        long size = download.size();
        // Until verified, everything but the blob's last byte (the last written one when the size is unknown)
        long limit = complete ? written : size >= 0 ? Math.min(written, size - 1) : written - 1;
        if (position < limit) {
            readAndSend(limit);
        } else if (complete) {
            finish(true);
        } else if (!follow()) {
            download.whenProgressed(written, context, this::pump);
        }
    }

    /**
     * Reads the next piece of the file (on a worker) into one of this sender's two buffers and sends it. While one
     * piece is being written the next is read into the other; with both in use, the next write to complete goes on.
     */
    private void readAndSend(long limit) {
        ByteBuf buffer = spare.poll();
        if (buffer == null && buffers == BUFFERS) {
            waitingForBuffer = true;
            return;
        }
        if (buffer == null) {
            buffer = allocator.directBuffer(CHUNK, CHUNK);
            buffers++;
        }
        ByteBuf into = buffer;
        int length = (int) Math.min(CHUNK, limit - position);
        read(into, position, length).onComplete(ar -> context.runOnContext(v -> {
            if (finished || ar.failed()) {
                giveBack(into);
                finish(false);
                return;
            }
            position += length;
            response.write(Buffer.buffer(into.slice(0, length))).onComplete(w -> {
                giveBack(into);
                if (w.failed()) {
                    finish(false);
                } else if (waitingForBuffer) {
                    waitingForBuffer = false;
                    pump();
                }
            });
            if (response.writeQueueFull()) {
                whenDrained();
            } else {
                pump();
            }
        }));
    }

    /** A buffer no read or write uses any more: kept for the next piece, or given back to the pool once finished. */
    private void giveBack(ByteBuf buffer) {
        if (finished) {
            buffer.release();
            buffers--;
        } else {
            spare.push(buffer);
        }
    }

    private void releaseSpareBuffers() {
        for (ByteBuf buffer = spare.poll(); buffer != null; buffer = spare.poll()) {
            buffer.release();
            buffers--;
        }
    }

    /** One pump chain at a time: a handler left registered would start a second one on a later drain. */
    private void whenDrained() {
        response.drainHandler(d -> {
            response.drainHandler(null);
            pump();
        });
    }

    /** Starts taking chunks from memory, if the download allows it where we are; false to read or wait instead. */
    private boolean follow() {
        int number = ++feedNumber;
        GrowingBlob.Feed started = download.follow(position, context, chunk -> {
            if (number == feedNumber) {
                take(chunk);
            }
        });
        if (started == null) {
            return false;
        }
        feed = started;
        for (Chunk chunk : started.backlog()) {
            if (feed != started) {
                break; // stopped by back-pressure or the last byte: the rest comes later, from memory or the file
            }
            take(chunk);
        }
        return true;
    }

    private void stopFollowing() {
        if (feed != null) {
            feed.stop();
            feed = null;
            feedNumber++;
        }
    }

    /** One chunk from memory: the part not yet sent goes out, except the blob's last byte. */
    private void take(Chunk chunk) {
        if (finished || feed == null) {
            return;
        }
        if (chunk.offset() > position) {
            stopFollowing(); // a gap cannot happen; should it, the file has every byte
            pump();
            return;
        }
        if (chunk.end() <= position) {
            return;
        }
        Buffer bytes = chunk.bytes();
        int from = (int) (position - chunk.offset());
        int to = bytes.length();
        boolean holdsLast = chunk.end() == download.size();
        if (holdsLast) {
            to--;
        }
        if (from < to) {
            response.write(bytes.slice(from, to));
            position += to - from;
        }
        if (holdsLast) {
            stopFollowing();
            lastByte = bytes.slice(to, to + 1);
            download.whenProgressed(download.size(), context, this::pump);
        } else if (response.writeQueueFull()) {
            stopFollowing();
            whenDrained();
        }
    }

    /** The held last byte goes out once the digest verified, never for a blob that failed it. */
    private void sendLastByte() {
        if (download.failed()) {
            finish(false);
        } else if (download.verified()) {
            finish(true);
        } else {
            download.whenProgressed(download.size(), context, this::pump);
        }
    }

    /**
     * Fills the start of {@code into} (a pooled direct buffer, one per sender and reused: no heap garbage, no pool
     * churn) from the file, on a worker.
     */
    private io.vertx.core.Future<Void> read(ByteBuf into, long at, int length) {
        FileChannel channel = file;
        return vertx.executeBlocking(() -> {
            ByteBuffer target = into.nioBuffer(0, length);
            while (target.hasRemaining()) {
                if (channel.read(target, at + target.position()) < 0) {
                    throw new EOFException("temp file shorter than its download reported");
                }
            }
            return null;
        }, false);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only: nothing to lose
        }
    }

    private void closeFile() {
        stopFollowing();
        if (file != null) {
            closeQuietly(file);
        }
        releaseSpareBuffers(); // the ones a read or write still uses go back once that is over
    }

    private void finish(boolean success) {
        if (finished) {
            return;
        }
        finished = true;
        Buffer last = lastByte;
        lastByte = null;
        closeFile();
        if (success && last != null) {
            position += last.length();
            response.end(last);
        } else if (success) {
            response.end();
        } else if (!response.closed() && !response.headWritten()) {
            // Nothing sent yet: the client can still get a proper error instead of a dropped connection.
            Throwable cause = download.failed() ? download.done().cause()
                    : new OciException(OciErrorCode.UNAVAILABLE, 502, "transfer of " + download.digest()
                    + " failed", Map.of());
            response.headers().remove("Docker-Content-Digest").remove(HttpHeaders.ETAG)
                    .remove(HttpHeaders.ACCEPT_RANGES).remove(HttpHeaders.CONTENT_LENGTH);
            response.setChunked(false);
            OciErrors.send(response, HttpMethod.GET, cause);
        } else if (!response.closed()) {
            response.reset();
        }
        onFinished.accept(position);
    }
}
