package io.coedit.server.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Stopping an executor and waiting, within a limit, for what it runs to finish. */
public final class Shutdown {
    private Shutdown() {}

    /**
     * Lets {@code executor} finish the tasks it holds, takes no new ones, and waits up to
     * {@code timeout} for them; an interrupt ends the wait and is kept for the caller.
     *
     * @return whether the executor ended within the time
     */
    public static boolean andAwait(ExecutorService executor, long timeout, TimeUnit unit) {
        executor.shutdown();
        return await(executor, timeout, unit);
    }

    /**
     * Drops the tasks {@code executor} has not started, interrupts those it runs, and waits up
     * to {@code timeout} for them to end; an interrupt ends the wait and is kept for the caller.
     *
     * @return whether the executor ended within the time
     */
    public static boolean nowAndAwait(ExecutorService executor, long timeout, TimeUnit unit) {
        executor.shutdownNow();
        return await(executor, timeout, unit);
    }

    private static boolean await(ExecutorService executor, long timeout, TimeUnit unit) {
        try {
            return executor.awaitTermination(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
