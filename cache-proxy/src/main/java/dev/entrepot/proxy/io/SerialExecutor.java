package dev.entrepot.proxy.io;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: one per download keeps its writes ordered. The
 * tasks queued meanwhile run in the same pool task, up to {@link #BATCH} of them, so a busy stream costs one hand-off
 * between threads per batch instead of one per chunk; after a batch the executor queues itself again and other
 * executors sharing the pool get their turn.
 */
public final class SerialExecutor implements Executor {
    /** Tasks run back to back before the pool thread is given up (64 chunks of 64 KiB: 4 MiB of writes). */
    static final int BATCH = 64;
    private static final Logger LOG = Logger.getLogger(SerialExecutor.class);

    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor pool;
    private boolean scheduled;

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        pool.execute(this::drain);
    }

    private void drain() {
        boolean more = true;
        try {
            for (int i = 0; i < BATCH; i++) {
                Runnable task;
                synchronized (this) {
                    task = tasks.poll();
                    if (task == null) {
                        scheduled = false;
                        more = false;
                        return;
                    }
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.errorf(e, "a serial task failed");
                }
            }
        } finally {
            if (more) {
                pool.execute(this::drain); // a full batch (or an Error): queue again behind other executors' work
            }
        }
    }
}
