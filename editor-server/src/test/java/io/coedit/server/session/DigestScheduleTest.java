package io.coedit.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which versions carry a digest (docs/PROTOCOL.md, "Digests"): often on small documents, rarely on large ones. */
class DigestScheduleTest {

    @Test
    void everySixteenVersionsOnASmallDocument() {
        for (int length : new int[] {0, 1, 1_024}) {
            assertTrue(OpHistory.digestDue(16, length));
            assertTrue(OpHistory.digestDue(32, length));
            assertFalse(OpHistory.digestDue(8, length));
            assertFalse(OpHistory.digestDue(17, length));
        }
    }

    @Test
    void largerDocumentsAtPowersOfTwoThatKeepTheHashingPerOperationBounded() {
        assertTrue(OpHistory.digestDue(256, 10_000));
        assertFalse(OpHistory.digestDue(128, 10_000));
        assertTrue(OpHistory.digestDue(65_536, 3_000_000));
        assertFalse(OpHistory.digestDue(32_768, 3_000_000));
        for (int length = 0; length < 5_000_000; length += 9_973) {
            long interval = 0;
            for (long v = 1; v <= 1L << 20 && interval == 0; v++) {
                if (OpHistory.digestDue(v, length)) {
                    interval = v;
                }
            }
            long hashedPerOp = length / interval;
            assertTrue(hashedPerOp <= OpHistory.DIGEST_POINTS_PER_OP, length + " code points every " + interval);
            assertEquals(interval, Long.highestOneBit(interval), "a power of two");
        }
    }
}
