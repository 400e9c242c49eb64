package io.coedit.bench.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EditingTraceTest {
    @TempDir
    Path dir;

    @Test
    void readsGzipAndPlainJsonAlike() throws IOException {
        TraceFixture fixture = TraceFixture.random(7, 200);
        // The names lie on purpose: the format is told by the content.
        EditingTrace gzip = EditingTrace.read(TraceFixture.write(dir.resolve("trace.json"), fixture.json(), true));
        EditingTrace plain = EditingTrace.read(TraceFixture.write(dir.resolve("trace.json.gz"), fixture.json(), false));
        for (EditingTrace trace : new EditingTrace[] {gzip, plain}) {
            assertEquals(TraceFixture.START, trace.startContent());
            assertEquals(fixture.endContent, trace.endContent());
            assertEquals(fixture.patches(), trace.patches());
            assertEquals(fixture.transactions.size(), trace.transactions());
            TraceFixture.Patch first = fixture.transactions.get(0).get(0);
            assertEquals(first.position(), trace.position(0));
            assertEquals(first.deleteCount(), trace.deleteCount(0));
            assertEquals(first.text(), trace.insertText(0));
        }
    }

    @Test
    void skipsFieldsItDoesNotUse() throws IOException {
        EditingTrace trace = EditingTrace.parse(new StringReader(
                "{\"meta\":{\"by\":[1,2]},\"startContent\":\"a\",\"txns\":[{\"patches\":[[1,0,\"😀\"]],\"agent\":3}],"
                        + "\"endContent\":\"a😀\"}"));
        assertEquals(1, trace.patches());
        assertEquals("😀", trace.insertText(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"startContent\":\"\",\"txns\":[]}                                                  | it needs startContent, endContent and txns",
        "{\"startContent\":\"\",\"endContent\":\"\"}                                          | it needs startContent, endContent and txns",
        "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":[{\"patches\":[[\"0\",0,\"a\"]]}]} | expected NUMBER but was STRING",
        "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":[{\"patches\":[[0,0,5]]}]}         | expected STRING but was NUMBER",
        "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":[{\"patches\":[[0,-1,\"\"]]}]}     | negative count -1",
        "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":[{\"patches\":[[0,1.5,\"\"]]}]}    | malformed trace",
        "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":[{\"patches\":[[0,0]]}]}           | expected STRING but was END_ARRAY",
        "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":[{\"patches\":[[0,0,\"\",1]]}]}    | malformed trace",
        "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":{}}                               | malformed trace",
        "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":[]} []                            | malformed trace",
        "[]                                                                                    | malformed trace"})
    void rejectsMalformedTraces(String json, String message) {
        IOException e = assertThrows(IOException.class, () -> EditingTrace.parse(new StringReader(json)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
