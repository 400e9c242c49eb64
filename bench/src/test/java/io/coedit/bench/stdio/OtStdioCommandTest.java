package io.coedit.bench.stdio;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OtStdioCommandTest {

    private static List<String> serve(byte[] input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OtStdioCommand.serve(new ByteArrayInputStream(input), out);
        String text = out.toString(StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return List.of();
        }
        assertEquals('\n', text.charAt(text.length() - 1), "every response ends its line");
        return List.of(text.substring(0, text.length() - 1).split("\n", -1));
    }

    private static List<String> serve(String input) throws IOException {
        return serve(input.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneResponseLinePerRequestLineInOrder() throws IOException {
        List<String> responses = serve("""
                {"cmd":"apply","doc":"ab","op":[1,"😀"]}
                not json
                {"cmd":"transformPosition","pos":0,"op":["x"],"side":"right"}
                """);
        assertEquals(List.of(
                "{\"result\":\"a😀b\"}",
                "{\"error\":\"request is not valid JSON: malformed JSON at line 1 column 1 path $\"}",
                "{\"result\":1}"), responses);
    }

    @Test
    void emptyInputGivesNoOutput() throws IOException {
        assertEquals(List.of(), serve(""));
    }

    @Test
    void lastLineWithoutTerminatorAndCrlfLines() throws IOException {
        List<String> responses = serve("{\"cmd\":\"apply\",\"doc\":\"\",\"op\":[\"a\"]}\r\n"
                + "{\"cmd\":\"apply\",\"doc\":\"\",\"op\":[\"b\"]}");
        assertEquals(List.of("{\"result\":\"a\"}", "{\"result\":\"b\"}"), responses);
    }

    @Test
    void blankLinesAreAnsweredToo() throws IOException {
        assertEquals(List.of(
                "{\"error\":\"empty line: expected a JSON request object\"}",
                "{\"error\":\"empty line: expected a JSON request object\"}"), serve("\n\r\n"));
    }

    @Test
    void malformedUtf8CostsOnlyItsLine() throws IOException {
        byte[] bad = "{\"cmd\":\"apply\",\"doc\":\"".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.write(bad);
        input.write(0xC3); // a lead byte without its continuation
        input.write("\",\"op\":[]}\n{\"cmd\":\"apply\",\"doc\":\"é\",\"op\":[]}\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(
                "{\"error\":\"line is not valid UTF-8: malformed byte sequence at byte offset " + bad.length + "\"}",
                "{\"result\":\"é\"}"), serve(input.toByteArray()));
    }

    @Test
    void anEncodedSurrogateIsNotUtf8() throws IOException {
        // CESU-8 style encoding of U+D800: valid in neither UTF-8 nor JSON text.
        byte[] line = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '\n'};
        assertEquals(List.of("{\"error\":\"line is not valid UTF-8: malformed byte sequence at byte offset 1\"}"),
                serve(line));
    }
}
