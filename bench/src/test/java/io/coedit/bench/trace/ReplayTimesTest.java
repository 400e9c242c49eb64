package io.coedit.bench.trace;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReplayTimesTest {

    @Test
    void theFirstThirdIsWarmUp() {
        // Runs 1-3 are slow warm-up; the warm ones are 10, 30, 20, 40, 50, 60 in that order.
        ReplayTimes times = new ReplayTimes(new long[] {900, 500, 300, 10, 30, 20, 40, 50, 60});
        assertEquals(9, times.runs());
        assertEquals(3, times.warmupRuns());
        assertEquals(6, times.warmRuns());
        assertEquals(900, times.firstNanos());
        assertEquals(35.0, times.medianNanos());
        assertEquals(10, times.minNanos());
    }

    @Test
    void oddCountHasAMiddleRun() {
        ReplayTimes times = new ReplayTimes(new long[] {100, 100, 7, 3, 5, 9, 1});
        assertEquals(2, times.warmupRuns());
        assertEquals(5.0, times.medianNanos());
        assertEquals(1, times.minNanos());
    }

    @Test
    void fewRunsAreAllCounted() {
        ReplayTimes times = new ReplayTimes(new long[] {8, 4});
        assertEquals(0, times.warmupRuns());
        assertEquals(6.0, times.medianNanos());
        assertEquals(4, times.minNanos());
    }

    @Test
    void driftComparesTheTwoHalvesOfTheWarmRuns() {
        // Warm runs: 40, 40, 42 then 20, 20, 22 -> medians 40 and 20.
        assertEquals(2.0, new ReplayTimes(new long[] {99, 99, 99, 40, 40, 42, 20, 20, 22}).warmDrift());
        assertEquals(1.0, new ReplayTimes(new long[] {99, 99, 99, 20, 21, 20, 21, 20, 21}).warmDrift(), 0.06);
        assertEquals(1.0, new ReplayTimes(new long[] {5}).warmDrift());
    }

    @Test
    void noRunsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> new ReplayTimes(new long[0]));
    }
}
