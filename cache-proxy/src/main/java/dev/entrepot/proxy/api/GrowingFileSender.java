package dev.entrepot.proxy.api;

import dev.entrepot.proxy.cache.Download;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.LongConsumer;

/**
 * Streams a blob that is still arriving from upstream: reads the temp file up to what has been written, waits
 * for more, and finishes only when the download is verified. The last byte is held back until then, so a
 * client never receives a complete-looking body whose digest turned out wrong: on failure the connection is
 * reset instead. Honours back-pressure (a slow client does not make us read ahead into memory).
 */
final class GrowingFileSender {
    private static final int CHUNK = 64 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final HttpServerResponse response;
    private final Download download;
    private final LongConsumer onFinished;
    private AsyncFile file;
    private long position;
    private boolean finished;

    /** @param onFinished told the bytes sent, once, however the transfer ends */
    GrowingFileSender(Vertx vertx, Context context, HttpServerResponse response, Download download,
                      LongConsumer onFinished) {
        this.vertx = vertx;
        this.context = context;
        this.response = response;
        this.download = download;
        this.onFinished = onFinished;
    }

    void start() {
        response.closeHandler(v -> finish(false));
        open(true);
    }

    private void open(boolean firstAttempt) {
        vertx.fileSystem().open(download.path().toString(), new OpenOptions().setRead(true).setWrite(false)
                .setCreate(false)).onComplete(ar -> context.runOnContext(v -> {
            if (ar.succeeded()) {
                file = ar.result();
                pump();
            } else if (firstAttempt) {
                // Renamed into the store (or discarded) between our look and our open. The rename comes before
                // the download publishes its final path, so wait for the outcome, then try the stored file.
                download.done().onComplete(done -> context.runOnContext(x -> {
                    if (done.succeeded()) {
                        open(false);
                    } else {
                        finish(false);
                    }
                }));
            } else {
                finish(false);
            }
        }));
    }

    private void pump() {
        if (finished) {
            return;
        }
        long written = download.written();
        boolean complete = download.succeeded();
        if (download.failed()) {
            finish(false);
            return;
        }
        long limit = complete ? written : written - 1;
        if (position < limit) {
            int length = (int) Math.min(CHUNK, limit - position);
            file.read(Buffer.buffer(length), 0, position, length).onComplete(ar -> context.runOnContext(v -> {
                if (finished) {
                    return;
                }
                if (ar.failed()) {
                    finish(false);
                    return;
                }
                position += ar.result().length();
                response.write(ar.result());
                if (response.writeQueueFull()) {
                    response.drainHandler(d -> pump());
                } else {
                    pump();
                }
            }));
        } else if (complete) {
            finish(true);
        } else {
            download.whenProgressed(written, context, this::pump);
        }
    }

    private void finish(boolean success) {
        if (finished) {
            return;
        }
        finished = true;
        if (file != null) {
            file.close();
        }
        if (success) {
            response.end();
        } else if (!response.closed()) {
            response.reset();
        }
        onFinished.accept(position);
    }
}
