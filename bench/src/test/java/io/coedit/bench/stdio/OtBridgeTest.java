package io.coedit.bench.stdio;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OtBridgeTest {
    private final OtBridge bridge = new OtBridge();

    /** The response to {@code request}, checked to be one line of one JSON object. */
    private JsonObject respond(String request) {
        String line = bridge.handle(request);
        assertFalse(line.contains("\n") || line.contains("\r"), () -> "response spans lines: " + line);
        return JsonParser.parseString(line).getAsJsonObject();
    }

    private String result(String request) {
        JsonObject response = respond(request);
        assertTrue(response.has("result"), () -> "expected a result for " + request + ", got " + response);
        assertEquals(1, response.size(), response::toString);
        return response.get("result").toString();
    }

    private String error(String request) {
        JsonObject response = respond(request);
        assertTrue(response.has("error"), () -> "expected an error for " + request + ", got " + response);
        assertEquals(1, response.size(), response::toString);
        return response.get("error").getAsString();
    }

    @Nested
    class Commands {
        @Test
        void apply() {
            assertEquals("\"hello world\"", result("{\"cmd\":\"apply\",\"doc\":\"hello\",\"op\":[5,\" world\"]}"));
            assertEquals("\"hxo\"", result("{\"cmd\":\"apply\",\"doc\":\"hello\",\"op\":[1,\"x\",{\"d\":3}]}"));
        }

        @Test
        void applyAcceptsAnEmptyOpAndEmptyDocument() {
            assertEquals("\"\"", result("{\"cmd\":\"apply\",\"doc\":\"\",\"op\":[]}"));
        }

        @Test
        void composeGivesTheCanonicalForm() {
            assertEquals("[1,\"xy\"]", result("{\"cmd\":\"compose\",\"a\":[1,\"x\"],\"b\":[2,\"y\"]}"));
            // b deletes what a inserted: nothing is left to do.
            assertEquals("[]", result("{\"cmd\":\"compose\",\"a\":[\"abc\"],\"b\":[{\"d\":3}]}"));
        }

        @Test
        void transformBreaksTiesBySide() {
            assertEquals("[\"a\"]", result("{\"cmd\":\"transform\",\"op\":[\"a\"],\"other\":[\"b\"],\"side\":\"left\"}"));
            assertEquals("[1,\"a\"]", result("{\"cmd\":\"transform\",\"op\":[\"a\"],\"other\":[\"b\"],\"side\":\"right\"}"));
        }

        @Test
        void transformAgainstADelete() {
            assertEquals("[2,\"x\"]", result("{\"cmd\":\"transform\",\"op\":[4,\"x\"],\"other\":[1,{\"d\":2}],\"side\":\"left\"}"));
        }

        @Test
        void invertRestoresTheDeletedText() {
            assertEquals("[1,{\"d\":1},\"bc\"]", result("{\"cmd\":\"invert\",\"op\":[1,\"X\",{\"d\":2}],\"doc\":\"abcd\"}"));
        }

        @Test
        void transformPosition() {
            String insertAtTwo = "\"op\":[2,\"xyz\"]";
            assertEquals("2", result("{\"cmd\":\"transformPosition\",\"pos\":2," + insertAtTwo + ",\"side\":\"left\"}"));
            assertEquals("5", result("{\"cmd\":\"transformPosition\",\"pos\":2," + insertAtTwo + ",\"side\":\"right\"}"));
            assertEquals("1", result("{\"cmd\":\"transformPosition\",\"pos\":3,\"op\":[1,{\"d\":5}],\"side\":\"left\"}"));
        }

        @Test
        void fieldOrderDoesNotMatter() {
            assertEquals("\"ab\"", result("{\"op\":[1,\"b\"],\"doc\":\"a\",\"cmd\":\"apply\"}"));
        }

        @Test
        void nonCanonicalInputIsAccepted() {
            // Delete before insert (kept in that order), split retains: read in normal form.
            assertEquals("\"aXd\"", result("{\"cmd\":\"apply\",\"doc\":\"abcd\",\"op\":[1,{\"d\":2},\"X\"]}"));
            assertEquals("[2,{\"d\":1},\"X\"]", result("{\"cmd\":\"compose\",\"a\":[1,1],\"b\":[2,{\"d\":1},\"X\"]}"));
        }
    }

    @Nested
    class Unicode {
        @Test
        void positionsCountCodePointsNotUtf16Units() {
            // "😀" is one code point, two UTF-16 units: retaining 2 keeps "a😀".
            assertEquals("\"a😀!b\"", result("{\"cmd\":\"apply\",\"doc\":\"a😀b\",\"op\":[2,\"!\"]}"));
            assertEquals("\"ab\"", result("{\"cmd\":\"apply\",\"doc\":\"a😀b\",\"op\":[1,{\"d\":1}]}"));
        }

        @Test
        void escapedSurrogatePairsAreOneCodePoint() {
            assertEquals("\"x\"", result("{\"cmd\":\"apply\",\"doc\":\"\\ud83d\\ude00x\",\"op\":[{\"d\":1}]}"));
        }

        @Test
        void emojiInsertsAndDeletesRoundTrip() {
            assertEquals("[1,\"é🎉\",{\"d\":1}]",
                    result("{\"cmd\":\"compose\",\"a\":[1,\"é\"],\"b\":[2,\"🎉\",{\"d\":1}]}"));
            assertEquals("[1,{\"d\":1},\"😀👍🏽\"]",
                    result("{\"cmd\":\"invert\",\"op\":[1,\"z\",{\"d\":3}],\"doc\":\"a😀👍🏽\"}"));
        }

        @Test
        void transformAndPositionsAcrossAstralText() {
            // "👩‍👧" is three code points (woman, zero-width joiner, girl).
            assertEquals("[4,\"x\"]", result("{\"cmd\":\"transform\",\"op\":[1,\"x\"],\"other\":[\"👩‍👧\"],\"side\":\"left\"}"));
            assertEquals("4", result("{\"cmd\":\"transformPosition\",\"pos\":1,\"op\":[\"👩‍👧\"],\"side\":\"right\"}"));
        }

        @Test
        void resultsAreUtf8TextNotEscapes() {
            String line = bridge.handle("{\"cmd\":\"apply\",\"doc\":\"\",\"op\":[\"日本😀\"]}");
            assertEquals("{\"result\":\"日本😀\"}", line);
        }

        @Test
        void aLoneSurrogateIsRejected() {
            assertTrue(error("{\"cmd\":\"apply\",\"doc\":\"\\ud800\",\"op\":[]}").contains("surrogate"));
            assertTrue(error("{\"cmd\":\"apply\",\"doc\":\"\",\"op\":[\"\\udc00\"]}").contains("surrogate"));
        }
    }

    @Nested
    class Errors {
        @ParameterizedTest
        @ValueSource(strings = {"nope", "{", "{\"cmd\":\"apply\"", "{'cmd':'apply'}", "{\"cmd\":\"apply\",}", "NaN",
            "{\"cmd\":\"apply\",\"doc\":\"abc}", "{\"cmd\":\"apply\" /* comment */}"})
        void badJson(String line) {
            String message = error(line);
            assertTrue(message.startsWith("request is not valid JSON: "), message);
            assertFalse(message.contains("setStrictness") || message.contains("\n"), message);
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"cmd\":\"apply\",\"doc\":\"\",\"op\":[]} x", "{} {}", "{}]", "[] []"})
        void contentAfterTheRequest(String line) {
            assertEquals("request has content after the JSON value", error(line));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   ", "\t"})
        void emptyLine(String line) {
            assertEquals("empty line: expected a JSON request object", error(line));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "[1]             | an array",
            "\"apply\"       | the string \"apply\"",
            "42              | the number 42",
            "null            | null"})
        void notAnObject(String line, String described) {
            assertEquals("request must be a JSON object, got " + described, error(line));
        }

        @Test
        void unknownCommand() {
            assertEquals("unknown cmd \"foo\"; expected one of apply, compose, transform, invert, transformPosition",
                    error("{\"cmd\":\"foo\"}"));
            assertTrue(error("{\"cmd\":\"Apply\",\"doc\":\"\",\"op\":[]}").startsWith("unknown cmd \"Apply\""));
        }

        @Test
        void missingOrIllTypedCommand() {
            assertEquals("missing field \"cmd\"", error("{\"doc\":\"\",\"op\":[]}"));
            assertEquals("field \"cmd\" must be a string, got the number 1", error("{\"cmd\":1}"));
            assertEquals("field \"cmd\" must be a string, got null", error("{\"cmd\":null}"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "{\"cmd\":\"apply\",\"op\":[]}                                 | missing field \"doc\"",
            "{\"cmd\":\"apply\",\"doc\":\"\"}                              | missing field \"op\"",
            "{\"cmd\":\"compose\",\"a\":[]}                                | missing field \"b\"",
            "{\"cmd\":\"transform\",\"op\":[],\"other\":[]}                | missing field \"side\"",
            "{\"cmd\":\"transform\",\"op\":[],\"side\":\"left\"}           | missing field \"other\"",
            "{\"cmd\":\"invert\",\"op\":[]}                                | missing field \"doc\"",
            "{\"cmd\":\"transformPosition\",\"op\":[],\"side\":\"left\"}   | missing field \"pos\""})
        void missingField(String line, String message) {
            assertEquals(message, error(line));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "{\"cmd\":\"apply\",\"doc\":1,\"op\":[]}            | field \"doc\" must be a string, got the number 1",
            "{\"cmd\":\"apply\",\"doc\":null,\"op\":[]}         | field \"doc\" must be a string, got null",
            "{\"cmd\":\"apply\",\"doc\":[\"a\"],\"op\":[]}      | field \"doc\" must be a string, got an array",
            "{\"cmd\":\"apply\",\"doc\":\"\",\"op\":\"x\"}      | field \"op\": op must be a JSON array, got a string",
            "{\"cmd\":\"compose\",\"a\":{},\"b\":[]}            | field \"a\": op must be a JSON array, got an object",
            "{\"cmd\":\"transform\",\"op\":[],\"other\":[],\"side\":\"up\"}    | field \"side\" must be \"left\" or \"right\", got the string \"up\"",
            "{\"cmd\":\"transform\",\"op\":[],\"other\":[],\"side\":\"LEFT\"}  | field \"side\" must be \"left\" or \"right\", got the string \"LEFT\"",
            "{\"cmd\":\"transform\",\"op\":[],\"other\":[],\"side\":true}      | field \"side\" must be \"left\" or \"right\", got true",
            "{\"cmd\":\"transformPosition\",\"pos\":1.5,\"op\":[],\"side\":\"left\"}   | field \"pos\" must be an integer, got the number 1.5",
            "{\"cmd\":\"transformPosition\",\"pos\":\"1\",\"op\":[],\"side\":\"left\"} | field \"pos\" must be an integer, got the string \"1\"",
            "{\"cmd\":\"transformPosition\",\"pos\":3e9,\"op\":[],\"side\":\"left\"}   | field \"pos\" is out of range: 3e9"})
        void illTypedField(String line, String message) {
            assertEquals(message, error(line));
        }

        @Test
        void wholeNumbersWrittenAsDecimalsAreIntegers() {
            assertEquals("2", result("{\"cmd\":\"transformPosition\",\"pos\":2.0,\"op\":[],\"side\":\"left\"}"));
        }

        @Test
        void unexpectedField() {
            assertEquals("unexpected field \"sides\" for cmd \"transform\", which takes op, other, side",
                    error("{\"cmd\":\"transform\",\"op\":[],\"other\":[],\"side\":\"left\",\"sides\":\"left\"}"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "[0]              | field \"op\": op[0]: retain count must be a positive integer, got 0",
            "[1,-2]           | field \"op\": op[1]: retain count must be a positive integer, got -2",
            "[1.5]            | field \"op\": op[0]: retain count must be a whole number, got 1.5",
            "[\"\"]           | field \"op\": op[0]: insert must be a non-empty string",
            "[{\"d\":0}]      | field \"op\": op[0]: delete count must be a positive integer, got 0",
            "[{\"d\":\"ab\"}] | field \"op\": op[0]: delete count must be a positive integer, got a string",
            "[{\"x\":1}]      | field \"op\": op[0]: delete object has unknown key \"x\"; the only key is \"d\"",
            "[null]           | field \"op\": op[0]: expected a positive integer, a non-empty string or {\"d\": n}, got null",
            "[[1]]            | field \"op\": op[0]: expected a positive integer, a non-empty string or {\"d\": n}, got an array"})
        void malformedOperationUsesTheCodecsMessage(String op, String message) {
            assertEquals(message, error("{\"cmd\":\"apply\",\"doc\":\"abc\",\"op\":" + op + "}"));
        }

        @Test
        void theFieldOfTheBadOperationIsNamed() {
            assertTrue(error("{\"cmd\":\"compose\",\"a\":[1],\"b\":[0]}").startsWith("field \"b\": op[0]: "));
            assertTrue(error("{\"cmd\":\"transform\",\"op\":[],\"other\":[\"\"],\"side\":\"left\"}")
                    .startsWith("field \"other\": op[0]: "));
        }

        @Test
        void operationThatDoesNotFitTheDocumentUsesTheEnginesMessage() {
            assertEquals("op deletes past the end of a 3-code-point document: component 1 deletes 5 from position 1",
                    error("{\"cmd\":\"apply\",\"doc\":\"abc\",\"op\":[1,{\"d\":5}]}"));
            assertEquals("op retains past the end of a 2-code-point document: component 0 retains 3 from position 0",
                    error("{\"cmd\":\"invert\",\"op\":[3,\"x\"],\"doc\":\"a😀\"}"));
        }

        @Test
        void negativePositionUsesTheEnginesMessage() {
            assertEquals("position must not be negative, got -1",
                    error("{\"cmd\":\"transformPosition\",\"pos\":-1,\"op\":[],\"side\":\"left\"}"));
        }

        @Test
        void anErrorDoesNotSpoilTheNextRequest() {
            error("{\"cmd\":\"apply\",\"doc\":\"abc\",\"op\":[9,\"x\"]}");
            assertEquals("\"abcx\"", result("{\"cmd\":\"apply\",\"doc\":\"abc\",\"op\":[3,\"x\"]}"));
        }
    }
}
