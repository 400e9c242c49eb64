package io.coedit.server.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ShutdownAndAwaitTest {
    @Test
    void andAwaitLetsQueuedTasksFinishAndRefusesNewOnes() throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("shutdown-test"));
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean queuedRan = new AtomicBoolean();
        executor.execute(() -> await(release));
        executor.execute(() -> queuedRan.set(true));
        // Not released: the wait runs out and says so, and the executor takes no more work.
        assertFalse(Shutdown.andAwait(executor, 50, TimeUnit.MILLISECONDS));
        assertTrue(executor.isShutdown());
        release.countDown();
        assertTrue(Shutdown.andAwait(executor, 10, TimeUnit.SECONDS));
        assertTrue(queuedRan.get(), "the task queued before the shutdown still ran");
    }

    @Test
    void nowAndAwaitInterruptsTheRunningTaskAndDropsTheQueuedOnes() {
        ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("shutdown-test"));
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean queuedRan = new AtomicBoolean();
        executor.execute(() -> {
            started.countDown();
            await(new CountDownLatch(1)); // ends only when interrupted
        });
        executor.execute(() -> queuedRan.set(true));
        await(started);
        assertTrue(Shutdown.nowAndAwait(executor, 10, TimeUnit.SECONDS));
        assertFalse(queuedRan.get());
    }

    @Test
    void anInterruptEndsTheWaitAndIsKept() {
        ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("shutdown-test"));
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> await(release));
        Thread.currentThread().interrupt();
        try {
            assertFalse(Shutdown.andAwait(executor, 10, TimeUnit.SECONDS));
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller (and cleared here)");
        } finally {
            release.countDown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
