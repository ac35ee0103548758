package dev.entrepot.proxy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.oci.Digest;
import dev.entrepot.proxy.repository.GrowingBlob.Chunk;
import dev.entrepot.proxy.repository.GrowingBlob.Feed;
import dev.entrepot.proxy.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a download hands its readers from memory, and when it wakes them. */
class DownloadTest {
    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final Download download = new Download(Digest.sha256("abcdefghij".getBytes(StandardCharsets.UTF_8)));

    @AfterEach
    void close() throws Exception {
        Await.result(vertx.close());
    }

    private static Buffer bytes(String s) {
        return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs {@code follow} on the context (as a reader must) and waits for its answer. */
    private Feed followOnContext(long position, List<Chunk> sink) throws Exception {
        Promise<Feed> feed = Promise.promise();
        context.runOnContext(v -> feed.complete(download.follow(position, context, sink::add)));
        return Await.result(feed.future());
    }

    /** Completes once every task queued on the context so far has run. */
    private void drainContext() throws Exception {
        Promise<Void> queued = Promise.promise();
        context.runOnContext(v -> queued.complete());
        Await.result(queued.future());
    }

    private static String text(List<Chunk> chunks) {
        StringBuilder all = new StringBuilder();
        for (Chunk chunk : chunks) {
            all.append(chunk.bytes().toString(StandardCharsets.UTF_8));
        }
        return all.toString();
    }

    @Test
    void aReaderAtTheFileEndGetsTheUnwrittenChunksThenEveryNewOneInOrder() throws Exception {
        download.start(Path.of("unused"), 10);
        download.receive(bytes("abc"));
        download.receive(bytes("def"));
        download.progress(3); // "abc" on disk, "def" only in memory
        List<Chunk> live = new CopyOnWriteArrayList<>();

        Feed feed = followOnContext(3, live);
        download.receive(bytes("ghij"));
        drainContext();

        assertThat(feed).isNotNull();
        assertThat(feed.backlog()).extracting(Chunk::offset).containsExactly(3L);
        assertThat(text(feed.backlog())).isEqualTo("def");
        assertThat(live).extracting(Chunk::offset).containsExactly(6L);
        assertThat(text(live)).isEqualTo("ghij");
    }

    @Test
    void aReaderAheadOfTheFileGetsTheChunkItIsInFromMemory() throws Exception {
        download.start(Path.of("unused"), 10);
        download.receive(bytes("abc"));
        download.receive(bytes("def"));

        Feed feed = followOnContext(4, new CopyOnWriteArrayList<>());

        assertThat(feed.backlog()).extracting(Chunk::offset).containsExactly(3L);
    }

    @Test
    void aReaderBehindTheFileOrWithoutAKnownSizeMustReadTheFile() throws Exception {
        download.start(Path.of("unused"), 10);
        download.receive(bytes("abc"));
        download.progress(3);
        assertThat(followOnContext(2, new CopyOnWriteArrayList<>())).as("behind the file").isNull();
        assertThat(followOnContext(4, new CopyOnWriteArrayList<>())).as("ahead of what arrived").isNull();

        Download unknownSize = new Download(download.digest());
        unknownSize.start(Path.of("unused"), -1);
        Promise<Feed> feed = Promise.promise();
        context.runOnContext(v -> feed.complete(unknownSize.follow(0, context, chunk -> { })));
        assertThat(Await.result(feed.future())).isNull();
    }

    @Test
    void aStoppedFeedGetsNoMoreChunks() throws Exception {
        download.start(Path.of("unused"), 10);
        List<Chunk> live = new CopyOnWriteArrayList<>();
        Feed feed = followOnContext(0, live);
        download.receive(bytes("abc"));
        drainContext();

        feed.stop();
        download.receive(bytes("def"));
        drainContext();

        assertThat(text(live)).isEqualTo("abc");
    }

    @Test
    void verificationWakesWaitersBeforeTheBlobIsStoredAndEndsFollowing() throws Exception {
        download.start(Path.of("unused"), 10);
        download.receive(bytes("abcdefghij"));
        download.progress(10);
        Promise<Boolean> woken = Promise.promise();
        download.whenProgressed(10, context, () -> woken.complete(download.verified()));
        assertThat(woken.future().isComplete()).isFalse();

        download.verify();

        assertThat(Await.result(woken.future())).isTrue();
        assertThat(download.done().isComplete()).as("not stored yet").isFalse();
        assertThat(download.failed()).isFalse();
        assertThat(followOnContext(10, new CopyOnWriteArrayList<>())).isNull();
    }

    @Test
    void aStoreFailureAfterVerificationDoesNotMakeTheBytesWrong() throws Exception {
        download.start(Path.of("unused"), 10);
        download.receive(bytes("abcdefghij"));
        download.progress(10);
        download.verify();

        download.fail(new IllegalStateException("disk full"));

        assertThat(download.failed()).as("the bytes were right").isFalse();
        assertThat(download.verified()).isTrue();
        assertThat(Await.failure(download.done())).hasMessageContaining("disk full");
    }
    @Test
    void verificationCompletesBeforeTheCommitAndBeforeAnyReaderIsWoken() throws Exception {
        download.start(Path.of("unused"), 10);
        download.receive(bytes("abcdefghij"));
        download.progress(10);
        List<String> order = new CopyOnWriteArrayList<>();
        download.verification().onComplete(ar -> order.add("verification " + ar.succeeded()));
        Promise<Void> woken = Promise.promise();
        context.runOnContext(v -> download.whenProgressed(10, context, () -> {
            order.add("reader woken");
            woken.complete();
        }));
        drainContext();

        download.verify();
        Await.result(woken.future());

        assertThat(order).containsExactly("verification true", "reader woken");
        assertThat(download.done().isComplete()).as("not stored yet").isFalse();
        download.fail(new IOException("disk full on rename"));
        assertThat(download.verification().succeeded()).as("a store failure after it leaves the body verified").isTrue();
    }

    @Test
    void verificationFailsWithABrokenTransfer() {
        download.start(Path.of("unused"), 10);
        download.receive(bytes("abc"));
        download.fail(new IOException("connection reset"));

        assertThat(download.verification().failed()).isTrue();
        assertThat(download.failed()).isTrue();
    }
}
