package io.coedit.server.session;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one writer per
 * document without a thread per document. A drain runs every task queued so far, then lets
 * go of the thread; {@link #drained()} tells a drain's last task that nothing else is
 * waiting, which is where a document flushes its batch of operations.
 */
final class SerialQueue {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Executor executor;
    private final Runnable onDrained;

    SerialQueue(Executor executor, Runnable onDrained) {
        this.executor = executor;
        this.onDrained = onDrained;
    }

    void submit(Runnable task) {
        tasks.add(task);
        if (pending.getAndIncrement() == 0) {
            executor.execute(this::drain);
        }
    }

    /** Whether tasks are queued or running. */
    boolean busy() {
        return pending.get() > 0;
    }

    private void drain() {
        int done = 0;
        while (true) {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(SerialQueue.class).error("document task failed", e);
                }
                done++;
            }
            try {
                onDrained.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SerialQueue.class).error("document flush failed", e);
            }
            if (pending.addAndGet(-done) == 0) {
                return;
            }
            done = 0;
        }
    }
}
