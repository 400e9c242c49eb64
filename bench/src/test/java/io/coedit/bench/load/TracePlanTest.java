package io.coedit.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coedit.bench.trace.EditingTrace;
import io.coedit.ot.Rope;
import io.coedit.ot.TextOperation;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class TracePlanTest {
    private static final String TRACE = """
            {"startContent": "", "endContent": "héllo world!",
             "txns": [{"patches": [[0, 0, "h"], [1, 0, "ello"], [1, 1, "é"], [5, 0, " "], [6, 0, "world"], [11, 0, "!"]]}]}
            """;

    @Test
    void oneWriterTypesTheWholeTraceIntoAnEmptyDocument() throws Exception {
        TracePlan plan = new TracePlan(EditingTrace.parse(new StringReader(TRACE)), 1);
        assertEquals("", plan.seed);
        assertEquals("héllo world!", plan.expected);
        assertEquals(6, plan.parts.get(0).keystrokes());
    }

    @Test
    void writersTypingTheirPartsInTheirRegionsGiveTheExpectedText() throws Exception {
        EditingTrace trace = EditingTrace.parse(new StringReader(TRACE));
        TracePlan plan = new TracePlan(trace, 3);
        assertEquals("\nhello\nhéllo ", plan.seed);
        assertEquals("hello\nhéllo \nhéllo world!", plan.expected);
        // The writers' keystrokes applied one writer after another (backwards, so that each
        // writer's region start stays where the plan says) reach the expected text.
        Rope doc = Rope.of(plan.seed);
        for (int k = plan.parts.size() - 1; k >= 0; k--) {
            EditSource.TraceEdits edits = new EditSource.TraceEdits(plan.parts.get(k), plan.regionStarts[k]);
            TextOperation op;
            while ((op = edits.next(doc.length())) != null) {
                doc.apply(op);
            }
        }
        assertEquals(plan.expected, doc.toString());
    }

    @Test
    void aRegionStartFollowsInsertsBeforeItAndIgnoresThoseAfter() {
        EditSource.TraceEdits edits = new EditSource.TraceEdits(new TracePlan.Part(null, 0, 0), 10);
        edits.remote(TextOperation.insert(9, "abc")); // end of the region before, ahead of the separator
        assertEquals(13, edits.regionStart());
        edits.remote(TextOperation.insert(20, "zzz"));
        assertEquals(13, edits.regionStart());
        edits.remote(TextOperation.delete(2, 5));
        assertEquals(8, edits.regionStart());
    }
}
