package io.coedit.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
    @Test
    void numberedThreadsCountFromOneAndAreDaemons() {
        ThreadFactory f = DaemonThreads.numbered("t-");
        List<Thread> made = List.of(f.newThread(() -> {}), f.newThread(() -> {}), f.newThread(() -> {}));
        assertEquals(List.of("t-1", "t-2", "t-3"), made.stream().map(Thread::getName).toList());
        assertTrue(made.stream().allMatch(Thread::isDaemon));
        assertEquals("u-1", DaemonThreads.numbered("u-").newThread(() -> {}).getName(), "each factory counts on its own");
    }

    @Test
    void namedThreadsShareTheirNameAndAreDaemons() {
        ThreadFactory f = DaemonThreads.named("timer");
        Thread a = f.newThread(() -> {});
        Thread b = f.newThread(() -> {});
        assertEquals(List.of("timer", "timer"), List.of(a.getName(), b.getName()));
        assertTrue(a.isDaemon() && b.isDaemon());
    }

    @Test
    void theThreadRunsTheTaskItWasMadeFor() throws InterruptedException {
        boolean[] ran = new boolean[1];
        Thread t = DaemonThreads.numbered("r-").newThread(() -> ran[0] = true);
        t.start();
        t.join(10_000);
        assertTrue(ran[0]);
    }
}
