package io.coedit.bench.jmh;

import io.coedit.ot.TextOperation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomOpsTest {

    @Test
    void operationsAreSmallNonEmptyAndFitTheDocument() {
        RandomOps random = new RandomOps(42);
        String document = "x".repeat(100);
        for (int k = 0; k < 10_000; k++) {
            TextOperation op = random.operation(document.length());
            String context = "operation " + k + ": " + op;
            assertFalse(op.isNoop(), context);
            assertTrue(op.components().size() <= RandomOps.MAX_COMPONENTS, context);
            assertTrue(op.baseLength() <= document.length(), context);
            op.apply(document); // throws if it does not fit
        }
    }

    @Test
    void anEmptyDocumentGetsInserts() {
        RandomOps random = new RandomOps(1);
        for (int k = 0; k < 100; k++) {
            assertEquals(0, random.operation(0).baseLength());
        }
    }

    @Test
    void theSameSeedGivesTheSameOperations() {
        RandomOps a = new RandomOps(7);
        RandomOps b = new RandomOps(7);
        for (int k = 0; k < 100; k++) {
            assertEquals(a.operation(50), b.operation(50));
        }
    }
}
