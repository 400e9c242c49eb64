package io.coedit.server.faults;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Live heap of this JVM, as near as System.gc() gets it. */
final class Heap {
    private Heap() {}

    /** Used heap after a few collections (the least seen), in bytes. */
    static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
