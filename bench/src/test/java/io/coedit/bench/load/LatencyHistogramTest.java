package io.coedit.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void smallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 100; v++) {
            h.recordMicros(v);
        }
        assertEquals(50, h.percentileMicros(50));
        assertEquals(95, h.percentileMicros(95));
        assertEquals(99, h.percentileMicros(99));
        assertEquals(100, h.percentileMicros(100));
        assertEquals(100, h.maxMicros());
        assertEquals(100, h.count());
    }

    @Test
    void emptyHistogramReportsZeros() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.percentileMicros(99));
        Map<String, Object> s = h.summaryMillis();
        assertEquals(0L, s.get("count"));
        assertEquals(0.0, s.get("p95"));
    }

    @Test
    void percentilesOfRandomValuesAreWithinTheBucketError() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        long[] values = new long[20_000];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(random.nextDouble() * 16); // 1 µs to ~9 s
            h.recordMicros(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {50, 90, 95, 99, 99.9}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            long reported = h.percentileMicros(p);
            assertTrue(reported >= exact && reported <= exact * 1.016 + 1,
                    "p" + p + ": exact " + exact + ", reported " + reported + " (seed " + seed + ")");
        }
        assertEquals(values[values.length - 1], h.maxMicros());
    }

    @Test
    void bucketsCoverEveryValueWithoutGaps() {
        long previousEdge = -1;
        for (int i = 0; i < 128 + 26 * 64; i++) {
            long edge = LatencyHistogram.upperEdge(i);
            assertEquals(i, LatencyHistogram.index(previousEdge + 1), "first value of bucket " + i);
            assertEquals(i, LatencyHistogram.index(edge), "last value of bucket " + i);
            previousEdge = edge;
        }
    }

    @Test
    void addMergesCountsAndMaximum() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.recordMicros(10);
        b.recordMicros(1_000_000);
        a.add(b);
        assertEquals(2, a.count());
        assertEquals(1_000_000, a.maxMicros());
        assertEquals(10, a.percentileMicros(50));
    }

    @Test
    void summaryIsInMilliseconds() {
        LatencyHistogram h = new LatencyHistogram();
        h.recordNanos(2_000_000);
        h.recordNanos(4_000_000);
        Map<String, Object> s = h.summaryMillis();
        assertEquals(3.0, s.get("mean"));
        assertEquals(2.0, (double) s.get("p50"), 0.05);
        assertEquals(4.0, s.get("max"));
    }
}
