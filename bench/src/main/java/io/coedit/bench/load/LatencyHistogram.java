package io.coedit.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Latencies in microseconds, counted in buckets of bounded relative error (HdrHistogram's
 * layout, hand-rolled to keep the generator free of another dependency): values below
 * {@value #SUB_BUCKETS} µs are exact, each later power of two is cut into
 * {@value #SUB_BUCKETS}/2 equal buckets, so a reported percentile is within 1/64 (1.6%)
 * of the true value. Thread-safe; recording is one short synchronized increment.
 */
final class LatencyHistogram {
    private static final int SUB_BUCKETS = 128;
    private static final int HALF = SUB_BUCKETS / 2;
    /** Enough powers of two for an hour in microseconds. */
    private static final int MAGNITUDES = 26;

    private final long[] counts = new long[SUB_BUCKETS + MAGNITUDES * HALF];
    private long total;
    private long max;
    private double sum;

    synchronized void recordMicros(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        total++;
        sum += v;
        if (v > max) {
            max = v;
        }
    }

    void recordNanos(long nanos) {
        recordMicros(nanos / 1_000);
    }

    synchronized void add(LatencyHistogram other) {
        synchronized (other) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += other.counts[i];
            }
            total += other.total;
            sum += other.sum;
            max = Math.max(max, other.max);
        }
    }

    synchronized long count() {
        return total;
    }

    synchronized long maxMicros() {
        return max;
    }

    /**
     * The smallest recorded value such that at least {@code p} percent of the values are at or
     * below it (the upper edge of its bucket, capped at the maximum); 0 when empty.
     */
    synchronized long percentileMicros(double p) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, upperEdge(i));
            }
        }
        return max;
    }

    /** count, mean, p50, p95, p99 and max in milliseconds, for the JSON summary. */
    synchronized Map<String, Object> summaryMillis() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", total);
        m.put("mean", total == 0 ? 0.0 : round(sum / total / 1_000.0));
        m.put("p50", round(percentileMicros(50) / 1_000.0));
        m.put("p95", round(percentileMicros(95) / 1_000.0));
        m.put("p99", round(percentileMicros(99) / 1_000.0));
        m.put("max", round(max / 1_000.0));
        return m;
    }

    static double round(double millis) {
        return Math.round(millis * 1_000.0) / 1_000.0;
    }

    static int index(long v) {
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(v) - 6; // v in [64·2^m, 128·2^m)
        int sub = (int) (v >>> magnitude) - HALF; // 0 … 63 within that range
        int i = SUB_BUCKETS + (magnitude - 1) * HALF + sub;
        return Math.min(i, SUB_BUCKETS + MAGNITUDES * HALF - 1);
    }

    /** The largest value that falls in bucket {@code i}. */
    static long upperEdge(int i) {
        if (i < SUB_BUCKETS) {
            return i;
        }
        int magnitude = (i - SUB_BUCKETS) / HALF + 1;
        int sub = (i - SUB_BUCKETS) % HALF;
        return ((long) (sub + HALF + 1) << magnitude) - 1;
    }
}
