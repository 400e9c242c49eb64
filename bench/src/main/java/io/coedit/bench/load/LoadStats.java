package io.coedit.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What every client of a run adds to: counters, latencies, and the same per time window. */
final class LoadStats {
    /** One slice of the run's timeline. */
    static final class Window {
        final LatencyHistogram delivery = new LatencyHistogram();
        final LatencyHistogram ack = new LatencyHistogram();
        final LongAdder acked = new LongAdder();
        volatile int writers;
        volatile int connections;
    }

    /** Where window 0 starts: the start of the run, moved to the moment editing begins. */
    volatile long startNanos;
    final long windowNanos;
    final Window[] windows;
    final LongAdder keystrokes = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder resent = new LongAdder();
    /** Writers whose text the server's digest showed to differ from the server's (each healed itself). */
    final LongAdder divergences = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LatencyHistogram ack = new LatencyHistogram();
    final LatencyHistogram delivery = new LatencyHistogram();
    /** The deliveries again, split by whether sender and receiver are connected to one server node. */
    final LatencyHistogram sameNodeDelivery = new LatencyHistogram();
    final LatencyHistogram crossNodeDelivery = new LatencyHistogram();
    final AtomicInteger editing = new AtomicInteger();
    final AtomicInteger connected = new AtomicInteger();
    final AtomicInteger connectFailures = new AtomicInteger();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    final Map<String, String> firstErrorMessages = new ConcurrentHashMap<>();

    LoadStats(long startNanos, long windowNanos, long runNanos) {
        this.startNanos = startNanos;
        this.windowNanos = windowNanos;
        int n = (int) Math.min(100_000, runNanos / windowNanos + 2);
        windows = new Window[Math.max(1, n)];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = new Window();
        }
    }

    Window window(long nowNanos) {
        long i = (nowNanos - startNanos) / windowNanos;
        return windows[(int) Math.max(0, Math.min(windows.length - 1, i))];
    }

    void acked(long submittedNanos, long nowNanos) {
        acked.increment();
        Window w = window(nowNanos);
        w.acked.increment();
        if (submittedNanos > 0) {
            ack.recordNanos(nowNanos - submittedNanos);
            w.ack.recordNanos(nowNanos - submittedNanos);
        }
    }

    void delivered(long submittedNanos, long nowNanos, boolean crossNode) {
        delivered.increment();
        delivery.recordNanos(nowNanos - submittedNanos);
        (crossNode ? crossNodeDelivery : sameNodeDelivery).recordNanos(nowNanos - submittedNanos);
        window(nowNanos).delivery.recordNanos(nowNanos - submittedNanos);
    }

    void error(String code, String message) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
        if (message != null) {
            firstErrorMessages.putIfAbsent(code, message);
        }
    }

    void closed(int code) {
        closes.computeIfAbsent(Integer.toString(code), c -> new LongAdder()).increment();
    }

    Map<String, Long> errors() {
        return snapshot(errors);
    }

    Map<String, Long> closes() {
        return snapshot(closes);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
