package io.coedit.bench.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.StringReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TraceReplayTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void replayMatchesTheReferenceModel(long seed) throws IOException {
        TraceFixture fixture = TraceFixture.random(seed, 3_000);
        EditingTrace trace = EditingTrace.parse(new StringReader(fixture.json()));
        assertEquals(fixture.endContent, TraceReplay.replay(trace).toString(), "seed " + seed);
    }

    @Test
    void aPatchThatDoesNotFitIsNamed() throws IOException {
        EditingTrace trace = EditingTrace.parse(new StringReader(
                "{\"startContent\":\"ab\",\"endContent\":\"\",\"txns\":[{\"patches\":[[2,0,\"😀\"],[1,5,\"x\"]]}]}"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceReplay.replay(trace));
        assertEquals("patch 1 [1, 5, \"x\"] does not apply: op deletes past the end of a 3-code-point document:"
                + " component 1 deletes 5 from position 1", e.getMessage());
    }
}
