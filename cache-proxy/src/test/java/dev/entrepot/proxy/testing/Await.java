package dev.entrepot.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for Vert.x futures with a timeout, so a hang fails the test instead of the build. */
public final class Await {
    public static final long TIMEOUT_SECONDS = 10;

    private Await() {
    }

    public static <T> T result(Future<T> future) throws Exception {
        return result(future.toCompletionStage().toCompletableFuture());
    }

    public static <T> T result(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
        }
    }

    /** The failure of {@code future}; an assertion error when it succeeds. */
    public static Throwable failure(Future<?> future) throws Exception {
        try {
            Object value = future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, succeeded with " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isNotNull();
            return e.getCause();
        }
    }

    /** Polls {@code condition} until it holds; an assertion error when it does not within the timeout. */
    public static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition not met in time").isNegative();
            Thread.sleep(10);
        }
    }
}
