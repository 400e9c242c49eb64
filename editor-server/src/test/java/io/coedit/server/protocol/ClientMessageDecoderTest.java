package io.coedit.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import io.coedit.server.session.DisplayName;
import io.coedit.server.session.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientMessageDecoderTest {
    private final ClientMessageDecoder decoder = new ClientMessageDecoder(OpJson.standard());

    @Test
    void decodesEveryClientMessage() {
        assertEquals(new ClientMessage.Hello("c-1", "t", "Ann", false),
                decoder.decode("{\"type\":\"hello\",\"clientId\":\"c-1\",\"token\":\"t\",\"name\":\" Ann \"}"));
        assertEquals(new ClientMessage.Hello(null, null, null, false), decoder.decode("{\"type\":\"hello\"}"));
        assertEquals(new ClientMessage.Hello(null, null, null, true), decoder.decode("{\"type\":\"hello\",\"batch\":true}"));
        assertEquals(new ClientMessage.Hello(null, null, null, false),
                decoder.decode("{\"type\":\"hello\",\"batch\":false}"));
        assertEquals(new ClientMessage.Open("notes", null), decoder.decode("{\"type\":\"open\",\"doc\":\"notes\"}"));
        assertEquals(new ClientMessage.Open("notes", 7L),
                decoder.decode("{\"type\":\"open\",\"doc\":\"notes\",\"version\":7}"));
        assertEquals(new ClientMessage.Op("d", 3, 1, TextOperation.insert(2, "😀x")),
                decoder.decode("{\"type\":\"op\",\"doc\":\"d\",\"version\":3,\"seq\":1,\"op\":[2,\"😀\",\"x\"]}"));
        assertEquals(new ClientMessage.Presence("d", 4, List.of(new Selection(1, 3))),
                decoder.decode("{\"type\":\"presence\",\"doc\":\"d\",\"version\":4,\"selection\":[{\"anchor\":1,\"head\":3}]}"));
        assertEquals(new ClientMessage.Presence("d", 4, null),
                decoder.decode("{\"type\":\"presence\",\"doc\":\"d\",\"version\":4,\"selection\":null}"));
        assertEquals(new ClientMessage.Chat("d", "hi"), decoder.decode("{\"type\":\"chat\",\"doc\":\"d\",\"text\":\"hi\"}"));
        assertEquals(new ClientMessage.Close("d"), decoder.decode("{\"type\":\"close\",\"doc\":\"d\"}"));
        assertEquals(new ClientMessage.Ping(), decoder.decode("{\"type\":\"ping\",\"extra\":[1,2]}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"type":"hello"                                                | malformed JSON
            {"type":"ping"} x                                               | content after the message object
            [1,2]                                                            | a message must be a JSON object, got an array
            {}                                                               | message has no "type" field
            {"type":3}                                                       | "type" must be a string, got the number 3
            {"type":"shout"}                                                 | unknown message type "shout"
            {"type":"open"}                                                  | open: field "doc" is missing
            {"type":"open","doc":5}                                          | open: field "doc" must be a string, got the number 5
            {"type":"open","doc":"a/b"}                                      | open: field "doc" must be 1 to 128 letters
            {"type":"open","doc":"d","version":-1}                           | open: field "version" must be a non-negative integer, got -1
            {"type":"open","doc":"d","version":1.5}                          | open: field "version" must be a non-negative integer, got 1.5
            {"type":"open","doc":"d","version":"3"}                          | open: field "version" must be a non-negative integer, got the string "3"
            {"type":"op","doc":"d","version":0,"seq":1}                      | op: field "op" is missing
            {"type":"op","doc":"d","version":0,"seq":0,"op":[]}              | op: field "seq" must be a positive integer, got 0
            {"type":"op","doc":"d","version":0,"seq":1,"op":[0]}             | op: op[0]: retain count must be a positive integer, got 0
            {"type":"op","doc":"d","version":0,"seq":1,"op":"abc"}           | op: op must be a JSON array, got a string
            {"type":"op","doc":"d","version":0,"seq":1,"op":[{"x":1}]}       | op: op[0]: delete object has unknown key "x"
            {"type":"op","doc":"d","version":99999999999999999999,"seq":1,"op":[]} | op: field "version" must be a non-negative integer below 2^63
            {"type":"presence","doc":"d","version":0}                        | presence: field "selection" is missing
            {"type":"presence","doc":"d","version":0,"selection":[{"anchor":1}]} | presence: selection[0].head must be a non-negative integer, got null
            {"type":"presence","doc":"d","version":0,"selection":{}}         | presence: field "selection" must be an array
            {"type":"chat","doc":"d","text":"  "}                            | chat: field "text" must not be blank
            {"type":"hello","clientId":"has space"}                          | hello: field "clientId" must be 1 to 64 letters, digits or ._:-, got "has space"
            {"type":"hello","name":true}                                     | hello: field "name" must be a string, got true
            {"type":"hello","batch":"yes"}                                   | hello: field "batch" must be true or false, got the string "yes"
            {"type":"hello","batch":1}                                       | hello: field "batch" must be true or false, got the number 1
            {"type":"hello","batch":[true]}                                  | hello: field "batch" must be true or false, got an array
            """)
    void rejectsWithPreciseBadRequest(String frame, String expected) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.decode(frame));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(e.getMessage().contains(expected), () -> "\"" + e.getMessage() + "\" should contain \"" + expected + "\"");
    }

    @Test
    void aNumberTooLongToParseIsSaidToBeOne() {
        for (String frame : List.of(
                "{\"type\":\"open\",\"doc\":\"d\",\"version\":1" + "0".repeat(10_000) + "}",
                "{\"type\":\"op\",\"doc\":\"d\",\"version\":0,\"seq\":1,\"op\":[" + "9".repeat(5_000) + "]}",
                "{\"type\":\"open\",\"doc\":\"d\",\"version\":-" + "1".repeat(2_000) + ".5e7}")) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.decode(frame));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(!e.getMessage().startsWith("malformed JSON") && e.getMessage().contains("number")
                    && e.getMessage().contains("too long"), e::getMessage);
            assertTrue(e.getMessage().length() < 300, () -> "the number is not echoed whole: " + e.getMessage().length());
        }
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> decoder.decode("{\"type\":\"open\",\"doc\":\"d\",\"version\":1" + "0".repeat(10_000) + "}"));
        assertTrue(e.getMessage().contains("$.version"), e::getMessage);
        // A string full of digits is no number; malformed JSON elsewhere is still said to be that.
        ProtocolException other = assertThrows(ProtocolException.class,
                () -> decoder.decode("{\"type\":\"chat\",\"doc\":\"d\",\"text\":\"" + "1".repeat(5_000) + "\", x}"));
        assertTrue(other.getMessage().startsWith("malformed JSON"), other::getMessage);
        // Long but parseable: out of range, not echoed in full.
        ProtocolException range = assertThrows(ProtocolException.class,
                () -> decoder.decode("{\"type\":\"open\",\"doc\":\"d\",\"version\":1" + "0".repeat(500) + "}"));
        assertTrue(range.getMessage().contains("below 2^63") && range.getMessage().length() < 300, range::getMessage);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            \\u0041\\u0007nn          | control character
            Ann\\nBen                 | control character
            A\\u0085                  | control character
            \\u202Egnp.exe            | bidirectional
            x\\u202Ay                 | bidirectional
            \\u2066Ann                | bidirectional
            Ann\\u2069                | bidirectional
            \\u200B                   | shows nothing
            \\u200B\\u200D\\u2060     | shows nothing
            \\u3164                   | shows nothing
            \\u00A0\\u2800\\uFEFF     | shows nothing
            '   '                     | shows nothing
            \\u115F\\u0301            | shows nothing
            """)
    void helloRefusesNamesThatHideOrMisleadWithTheValidatorsMessage(String escaped, String expected) {
        String name = JsonParser.parseString("\"" + escaped + "\"").getAsString();
        JsonObject hello = new JsonObject();
        hello.addProperty("type", "hello");
        hello.addProperty("name", name);
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.decode(hello.toString()));
        assertEquals(ErrorCode.INVALID_NAME, e.code());
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> DisplayName.check(name));
        assertTrue(direct.getMessage().contains(expected), direct::getMessage);
        assertTrue(e.getMessage().endsWith(direct.getMessage()), () -> e.getMessage() + " / " + direct.getMessage());
    }

    @Test
    void aLoneSurrogateInANameIsMalformedJsonOnTheWireAndRefusedByTheValidator() {
        // Gson's strict reader refuses it before any field is read; a token's claims are read elsewhere.
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(ProtocolException.class,
                () -> decoder.decode("{\"type\":\"hello\",\"name\":\"\\ud800x\"}")).code());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DisplayName.check("\ud800x")).getMessage()
                .contains("lone surrogate"));
    }

    @Test
    void helloNamesWithinTheRulesPass() {
        for (String name : List.of("Zoë", "李小龙", "👩‍💻 Ann", "مريم", "x".repeat(64), "😀".repeat(64), "Ann\u200dBen")) {
            assertEquals(new ClientMessage.Hello(null, null, name, false), decoder.decode(helloNamed(name)), name);
        }
        assertEquals(new ClientMessage.Hello(null, null, "Ann", false), decoder.decode(helloNamed("  Ann\t")));
        assertEquals(new ClientMessage.Hello(null, null, null, false), decoder.decode(helloNamed("")), "empty is no name");
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.decode(helloNamed("😀".repeat(65))));
        assertEquals(ErrorCode.INVALID_NAME, e.code());
        assertTrue(e.getMessage().contains("65 characters") && e.getMessage().contains("64"), e::getMessage);
    }

    private static String helloNamed(String name) {
        JsonObject hello = new JsonObject();
        hello.addProperty("type", "hello");
        hello.addProperty("name", name);
        return hello.toString();
    }

    @Test
    void opErrorsNameTheDocAndSeq() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> decoder.decode("{\"type\":\"op\",\"doc\":\"d\",\"version\":0,\"seq\":4,\"op\":[\"\"]}"));
        assertEquals("d", e.error().doc());
        assertEquals(4L, e.error().seq());
        ProtocolException noSeq = assertThrows(ProtocolException.class,
                () -> decoder.decode("{\"type\":\"op\",\"doc\":\"d\",\"version\":0,\"op\":[1]}"));
        assertEquals("d", noSeq.error().doc());
        assertNull(noSeq.error().seq());
    }

    @Test
    void overlongChatIsTooLarge() {
        String text = "x".repeat(ClientMessageDecoder.MAX_CHAT_CODE_POINTS + 1);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> decoder.decode("{\"type\":\"chat\",\"doc\":\"d\",\"text\":\"" + text + "\"}"));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
    }

    @Test
    void divergedReportsAreRead() {
        assertEquals(new ClientMessage.Diverged("d", 16, "0123456789abcdef", "fedcba9876543210"),
                decoder.decode("{\"type\":\"diverged\",\"doc\":\"d\",\"version\":16,\"digest\":\"0123456789abcdef\","
                        + "\"clientDigest\":\"fedcba9876543210\"}"));
        for (String[] bad : new String[][] {
                {"\"version\":16,\"digest\":\"0123456789ABCDEF\",\"clientDigest\":\"fedcba9876543210\"",
                        "diverged: field \"digest\" must be 16 lowercase hexadecimal digits"},
                {"\"version\":16,\"digest\":\"0123456789abcdef\",\"clientDigest\":\"fedcba98\"",
                        "diverged: field \"clientDigest\" must be 16 lowercase hexadecimal digits"},
                {"\"digest\":\"0123456789abcdef\",\"clientDigest\":\"fedcba9876543210\"", "diverged: field \"version\" is missing"},
                {"\"version\":16,\"clientDigest\":\"fedcba9876543210\"", "diverged: field \"digest\" is missing"}}) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> decoder.decode("{\"type\":\"diverged\",\"doc\":\"d\"," + bad[0] + "}"));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
            assertEquals("d", e.error().doc());
        }
    }
}
