package dev.entrepot.proxy.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A pause() that arrives while a read is on the worker must stop the stream after that piece. */
class InputStreamBodyTest {

    @Test
    void aPauseWhileAReadIsInFlightStopsTheStream() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            CountDownLatch firstReadStarted = new CountDownLatch(1);
            CountDownLatch releaseFirstRead = new CountDownLatch(1);
            InputStream slowFirst = new FilterInputStream(new ByteArrayInputStream(new byte[10 * 64 * 1024])) {
                private boolean first = true;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (first) {
                        first = false;
                        firstReadStarted.countDown();
                        try {
                            releaseFirstRead.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    return super.read(b, off, len);
                }
            };
            Context context = vertx.getOrCreateContext();
            AtomicInteger pieces = new AtomicInteger();
            Promise<Void> ended = Promise.promise();
            Promise<InputStreamBody> made = Promise.promise();
            context.runOnContext(v -> {
                InputStreamBody body = new InputStreamBody(context, slowFirst);
                body.handler(piece -> pieces.incrementAndGet());
                body.endHandler(x -> ended.tryComplete());
                body.resume();
                made.complete(body);
            });
            InputStreamBody body = Await.result(made.future());
            assertThat(firstReadStarted.await(10, TimeUnit.SECONDS)).isTrue();
            Promise<Void> paused = Promise.promise();
            context.runOnContext(v -> { // e.g. a consumer whose own sink filled up, outside the data handler
                body.pause();
                paused.complete();
            });
            Await.result(paused.future());
            releaseFirstRead.countDown();
            Thread.sleep(500); // no wall-clock assert: only gives a broken stream time to run on
            assertThat(ended.future().isComplete()).as("a paused stream must not run to its end").isFalse();
            assertThat(pieces.get()).as("at most the piece in flight after pause()").isLessThanOrEqualTo(1);
        } finally {
            Await.result(vertx.close());
        }
    }
}
