package io.coedit.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Queues sharing a pool: heavy queues give their threads back, so another queue is not starved. */
class SerialQueueTest {
    private static final int THREADS = 4;
    private static final int TASKS = 40;

    @Test
    void aQueueWithWorkWaitingIsServedBeforeBusyQueuesDrain() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            long slice = TimeUnit.MILLISECONDS.toNanos(5);
            List<SerialQueue> busy = new ArrayList<>();
            List<AtomicInteger> done = new ArrayList<>();
            CountDownLatch allStarted = new CountDownLatch(THREADS);
            for (int q = 0; q < THREADS; q++) {
                SerialQueue queue = new SerialQueue(pool, () -> { }, slice);
                AtomicInteger count = new AtomicInteger();
                busy.add(queue);
                done.add(count);
                for (int i = 0; i < TASKS; i++) {
                    int task = i;
                    queue.submit(() -> {
                        if (task == 0) {
                            allStarted.countDown();
                        }
                        sleep(10); // each task longer than the slice
                        count.incrementAndGet();
                    });
                }
            }
            // Every pool thread is in a busy queue's drain; now another queue gets one task.
            assertTrue(allStarted.await(10, TimeUnit.SECONDS));
            SerialQueue other = new SerialQueue(pool, () -> { }, slice);
            CountDownLatch ran = new CountDownLatch(1);
            int[] doneWhenItRan = new int[THREADS];
            other.submit(() -> {
                for (int q = 0; q < THREADS; q++) {
                    doneWhenItRan[q] = done.get(q).get();
                }
                ran.countDown();
            });
            assertTrue(ran.await(30, TimeUnit.SECONDS), "the other queue's task never ran");
            for (int q = 0; q < THREADS; q++) {
                assertTrue(doneWhenItRan[q] < TASKS, "busy queue " + q + " had run all its " + TASKS
                        + " tasks before the other queue's one task had a thread");
            }
            // Yielding loses nothing and keeps each queue's order and single writer.
            for (int q = 0; q < THREADS; q++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (busy.get(q).busy()) {
                    assertTrue(System.nanoTime() < deadline, "queue " + q + " never drained");
                    Thread.sleep(5);
                }
                assertEquals(TASKS, done.get(q).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void yieldingKeepsOrderAndOneTaskAtATime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            SerialQueue queue = new SerialQueue(pool, () -> { }, 0); // yields after every task
            List<Integer> order = new ArrayList<>();
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            CountDownLatch finished = new CountDownLatch(1);
            int n = 2_000;
            for (int i = 0; i < n; i++) {
                int task = i;
                queue.submit(() -> {
                    if (running.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    order.add(task); // unsynchronised on purpose: one writer at a time
                    running.decrementAndGet();
                    if (task == n - 1) {
                        finished.countDown();
                    }
                });
            }
            assertTrue(finished.await(30, TimeUnit.SECONDS));
            assertEquals(0, overlaps.get(), "two tasks of one queue ran at once");
            for (int i = 0; i < n; i++) {
                assertEquals(i, order.get(i).intValue());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
