package io.coedit.bench.trace;

import java.util.Arrays;

/**
 * The wall-clock times of repeated replays of one trace, summarised. The first third of
 * the runs is treated as warm-up and left out: those runs include class loading and
 * interpreted or partly compiled code, which says little about the steady state a
 * long-running server reaches. The median of the rest is the headline figure because,
 * unlike the mean, one run stalled by a garbage collection or the OS does not move it.
 */
final class ReplayTimes {
    private final long[] nanos;
    private final long[] warmSorted;

    /** Summarises run times in nanoseconds, in the order the runs happened. */
    ReplayTimes(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no runs to summarise");
        }
        this.nanos = nanos.clone();
        this.warmSorted = sorted(warmupRuns(nanos.length), nanos.length);
    }

    /** How many of {@code runs} runs count as warm-up: the first third, rounded down. */
    static int warmupRuns(int runs) {
        return runs / 3;
    }

    int runs() {
        return nanos.length;
    }

    int warmupRuns() {
        return warmupRuns(nanos.length);
    }

    /** The runs that are summarised: all but the warm-up. */
    int warmRuns() {
        return warmSorted.length;
    }

    /** The first run: cold, with the JIT compiler still at work. */
    long firstNanos() {
        return nanos[0];
    }

    /** The median of the warm runs; for an even count, the mean of the middle two. */
    double medianNanos() {
        return median(warmSorted);
    }

    /** The fastest warm run. */
    long minNanos() {
        return warmSorted[0];
    }

    /**
     * How much faster the second half of the warm runs is than the first: the ratio of
     * their medians, 1.0 when they agree. Well above 1, the runs had not settled after the
     * warm-up (the JIT compiler still at work, or other load easing off), and more runs
     * would give a truer median. A short trace replays in a millisecond or two, so its 50
     * runs may end before the compiler is done.
     */
    double warmDrift() {
        int start = warmupRuns();
        int half = start + warmRuns() / 2;
        if (half == start) {
            return 1.0;
        }
        return median(sorted(start, half)) / median(sorted(half, nanos.length));
    }

    private long[] sorted(int from, int to) {
        long[] part = Arrays.copyOfRange(nanos, from, to);
        Arrays.sort(part);
        return part;
    }

    private static double median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
