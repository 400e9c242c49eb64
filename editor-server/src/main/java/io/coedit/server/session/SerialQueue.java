package io.coedit.server.session;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one writer per
 * document without a thread per document. A drain runs every task queued so far, then lets
 * go of the thread; {@link #drained()} tells a drain's last task that nothing else is
 * waiting, which is where a document flushes its batch of operations.
 *
 * <p>The executor's threads are shared by every document, so a drain with a time slice lets
 * go of its thread once the slice is used up and queues itself behind the other documents'
 * drains: a document with a long queue of heavy work then holds one thread for a slice at a
 * time, not until its queue is empty (twenty costly submissions on four documents once held
 * all four threads for ~17 s, and every other document waited).
 */
final class SerialQueue {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Executor executor;
    private final Runnable onDrained;
    private final long sliceNanos;
    /** When the running task started (System.nanoTime()), or 0 while none runs: for the stall watchdog. */
    private volatile long taskStarted;

    /** A queue whose drains keep their thread until the queue is empty (a simulation's executor decides the order). */
    SerialQueue(Executor executor, Runnable onDrained) {
        this(executor, onDrained, Long.MAX_VALUE);
    }

    /** A queue whose drains give their thread back after {@code sliceNanos} of work if more is waiting. */
    SerialQueue(Executor executor, Runnable onDrained, long sliceNanos) {
        this.executor = executor;
        this.onDrained = onDrained;
        this.sliceNanos = sliceNanos;
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

    /** How long the running task has been running, in nanoseconds; 0 if none runs. */
    long runningFor(long nowNanos) {
        long started = taskStarted;
        return started == 0 ? 0 : Math.max(1, nowNanos - started);
    }

    private void drain() {
        long sliceStart = System.nanoTime();
        int done = 0;
        while (true) {
            Runnable task;
            boolean yielding = false;
            while (!yielding && (task = tasks.poll()) != null) {
                long started = System.nanoTime();
                taskStarted = started;
                try {
                    task.run();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(SerialQueue.class).error("document task failed", e);
                } finally {
                    taskStarted = 0;
                }
                done++;
                yielding = System.nanoTime() - sliceStart > sliceNanos && !tasks.isEmpty();
            }
            try {
                onDrained.run(); // when yielding too: what is applied so far goes to the committer now
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SerialQueue.class).error("document flush failed", e);
            }
            if (pending.addAndGet(-done) == 0) {
                return; // whoever submits next starts a drain
            }
            done = 0;
            if (yielding) {
                // Still this queue's drain (pending > 0): carry on behind the other documents' work.
                try {
                    executor.execute(this::drain);
                    return;
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    sliceStart = System.nanoTime(); // the pool is shutting down: finish here
                }
            }
        }
    }
}
