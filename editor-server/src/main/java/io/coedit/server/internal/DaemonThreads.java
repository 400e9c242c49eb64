package io.coedit.server.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the server's executors. Their threads are daemons: the server's
 * {@code close} stops its work, and a thread left behind must not keep the process alive.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Threads named {@code prefix1}, {@code prefix2}, … in the order they are made. */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + n.incrementAndGet());
    }

    /** Threads all named {@code name}, for an executor of one thread. */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
