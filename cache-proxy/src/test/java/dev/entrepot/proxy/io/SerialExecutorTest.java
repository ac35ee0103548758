package dev.entrepot.proxy.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.entrepot.proxy.testing.Await;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void tasksRunOneAtATimeInSubmissionOrder() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        List<Integer> ran = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CompletableFuture<Void> last = new CompletableFuture<>();

        for (int i = 0; i < 500; i++) {
            int n = i;
            serial.execute(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                ran.add(n);
                running.decrementAndGet();
                if (n == 499) {
                    last.complete(null);
                }
            });
        }
        Await.result(last);

        assertThat(ran).containsExactlyElementsOf(IntStream.range(0, 500).boxed().toList());
        assertThat(maxRunning).hasValue(1);
    }

    @Test
    void aFailingTaskDoesNotStopTheQueue() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool);
        CompletableFuture<String> after = new CompletableFuture<>();

        serial.execute(() -> {
            throw new IllegalStateException("boom");
        });
        serial.execute(() -> after.complete("ran"));

        assertThat(Await.result(after)).isEqualTo("ran");
    }

    @Test
    void separateSerialExecutorsShareThePoolConcurrently() throws Exception {
        SerialExecutor a = new SerialExecutor(pool);
        SerialExecutor b = new SerialExecutor(pool);
        CountDownLatch bothInside = new CountDownLatch(2);
        CompletableFuture<Boolean> aSawB = new CompletableFuture<>();

        a.execute(() -> {
            bothInside.countDown();
            try {
                aSawB.complete(bothInside.await(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                aSawB.completeExceptionally(e);
            }
        });
        b.execute(bothInside::countDown);

        assertThat(Await.result(aSawB)).as("b ran while a was still running").isTrue();
    }

    @Test
    void tasksQueuedWhileOneRunsGoInItsPoolTaskNotOneHandOffEach() throws Exception {
        AtomicInteger handOffs = new AtomicInteger();
        SerialExecutor serial = new SerialExecutor(task -> {
            handOffs.incrementAndGet();
            pool.execute(task);
        });
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> last = new CompletableFuture<>();

        serial.execute(() -> {
            try {
                release.await(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 100; i++) {
            serial.execute(() -> { });
        }
        serial.execute(() -> last.complete(null));
        release.countDown();
        Await.result(last);

        // 102 tasks: the first pool task runs a batch, then one more pool task per further batch
        assertThat(handOffs.get()).isLessThanOrEqualTo(1 + 102 / SerialExecutor.BATCH + 1);
    }

    @Test
    void aLongQueueGivesOtherExecutorsOnTheSamePoolTheirTurn() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            SerialExecutor busy = new SerialExecutor(single);
            SerialExecutor other = new SerialExecutor(single);
            CountDownLatch release = new CountDownLatch(1);
            List<String> ran = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> busyDone = new CompletableFuture<>();

            busy.execute(() -> {
                try {
                    release.await(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < 1000; i++) {
                busy.execute(() -> ran.add("busy"));
            }
            busy.execute(() -> busyDone.complete(null));
            other.execute(() -> ran.add("other"));
            release.countDown();
            Await.result(busyDone);

            assertThat(ran.indexOf("other")).as("the other executor ran before the busy one's queue was empty")
                    .isBetween(0, 999);
        } finally {
            single.shutdownNow();
        }
    }
}
