package io.coedit.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import io.coedit.server.session.DisplayName;
import io.coedit.server.session.ErrorCode;
import io.coedit.server.session.ServerMessage;
import io.coedit.server.session.User;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.StoredOp;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolCodecTest {
    private final ProtocolCodec codec = new ProtocolCodec(id -> "#123456");

    @Test
    void decodesEveryClientMessage() {
        assertEquals(new ClientMessage.Hello("c-1", "t", "Ann", false),
                codec.decode("{\"type\":\"hello\",\"clientId\":\"c-1\",\"token\":\"t\",\"name\":\" Ann \"}"));
        assertEquals(new ClientMessage.Hello(null, null, null, false), codec.decode("{\"type\":\"hello\"}"));
        assertEquals(new ClientMessage.Hello(null, null, null, true), codec.decode("{\"type\":\"hello\",\"batch\":true}"));
        assertEquals(new ClientMessage.Hello(null, null, null, false),
                codec.decode("{\"type\":\"hello\",\"batch\":false}"));
        assertEquals(new ClientMessage.Open("notes", null), codec.decode("{\"type\":\"open\",\"doc\":\"notes\"}"));
        assertEquals(new ClientMessage.Open("notes", 7L),
                codec.decode("{\"type\":\"open\",\"doc\":\"notes\",\"version\":7}"));
        assertEquals(new ClientMessage.Op("d", 3, 1, TextOperation.insert(2, "😀x")),
                codec.decode("{\"type\":\"op\",\"doc\":\"d\",\"version\":3,\"seq\":1,\"op\":[2,\"😀\",\"x\"]}"));
        assertEquals(new ClientMessage.Presence("d", 4, List.of(new Selection(1, 3))),
                codec.decode("{\"type\":\"presence\",\"doc\":\"d\",\"version\":4,\"selection\":[{\"anchor\":1,\"head\":3}]}"));
        assertEquals(new ClientMessage.Presence("d", 4, null),
                codec.decode("{\"type\":\"presence\",\"doc\":\"d\",\"version\":4,\"selection\":null}"));
        assertEquals(new ClientMessage.Chat("d", "hi"), codec.decode("{\"type\":\"chat\",\"doc\":\"d\",\"text\":\"hi\"}"));
        assertEquals(new ClientMessage.Close("d"), codec.decode("{\"type\":\"close\",\"doc\":\"d\"}"));
        assertEquals(new ClientMessage.Ping(), codec.decode("{\"type\":\"ping\",\"extra\":[1,2]}"));
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
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(frame));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(e.getMessage().contains(expected), () -> "\"" + e.getMessage() + "\" should contain \"" + expected + "\"");
    }

    @Test
    void aNumberTooLongToParseIsSaidToBeOne() {
        for (String frame : List.of(
                "{\"type\":\"open\",\"doc\":\"d\",\"version\":1" + "0".repeat(10_000) + "}",
                "{\"type\":\"op\",\"doc\":\"d\",\"version\":0,\"seq\":1,\"op\":[" + "9".repeat(5_000) + "]}",
                "{\"type\":\"open\",\"doc\":\"d\",\"version\":-" + "1".repeat(2_000) + ".5e7}")) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(frame));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(!e.getMessage().startsWith("malformed JSON") && e.getMessage().contains("number")
                    && e.getMessage().contains("too long"), e::getMessage);
            assertTrue(e.getMessage().length() < 300, () -> "the number is not echoed whole: " + e.getMessage().length());
        }
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"open\",\"doc\":\"d\",\"version\":1" + "0".repeat(10_000) + "}"));
        assertTrue(e.getMessage().contains("$.version"), e::getMessage);
        // A string full of digits is no number; malformed JSON elsewhere is still said to be that.
        ProtocolException other = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"chat\",\"doc\":\"d\",\"text\":\"" + "1".repeat(5_000) + "\", x}"));
        assertTrue(other.getMessage().startsWith("malformed JSON"), other::getMessage);
        // Long but parseable: out of range, not echoed in full.
        ProtocolException range = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"open\",\"doc\":\"d\",\"version\":1" + "0".repeat(500) + "}"));
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
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(hello.toString()));
        assertEquals(ErrorCode.INVALID_NAME, e.code());
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> DisplayName.check(name));
        assertTrue(direct.getMessage().contains(expected), direct::getMessage);
        assertTrue(e.getMessage().endsWith(direct.getMessage()), () -> e.getMessage() + " / " + direct.getMessage());
    }

    @Test
    void aLoneSurrogateInANameIsMalformedJsonOnTheWireAndRefusedByTheValidator() {
        // Gson's strict reader refuses it before any field is read; a token's claims are read elsewhere.
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"hello\",\"name\":\"\\ud800x\"}")).code());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DisplayName.check("\ud800x")).getMessage()
                .contains("lone surrogate"));
    }

    @Test
    void helloNamesWithinTheRulesPass() {
        for (String name : List.of("Zoë", "李小龙", "👩‍💻 Ann", "مريم", "x".repeat(64), "😀".repeat(64), "Ann\u200dBen")) {
            assertEquals(new ClientMessage.Hello(null, null, name, false), codec.decode(helloNamed(name)), name);
        }
        assertEquals(new ClientMessage.Hello(null, null, "Ann", false), codec.decode(helloNamed("  Ann\t")));
        assertEquals(new ClientMessage.Hello(null, null, null, false), codec.decode(helloNamed("")), "empty is no name");
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(helloNamed("😀".repeat(65))));
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
                () -> codec.decode("{\"type\":\"op\",\"doc\":\"d\",\"version\":0,\"seq\":4,\"op\":[\"\"]}"));
        assertEquals("d", e.error().doc());
        assertEquals(4L, e.error().seq());
        ProtocolException noSeq = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"op\",\"doc\":\"d\",\"version\":0,\"op\":[1]}"));
        assertEquals("d", noSeq.error().doc());
        assertNull(noSeq.error().seq());
    }

    @Test
    void overlongChatIsTooLarge() {
        String text = "x".repeat(ProtocolCodec.MAX_CHAT_CODE_POINTS + 1);
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> codec.decode("{\"type\":\"chat\",\"doc\":\"d\",\"text\":\"" + text + "\"}"));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
    }

    @Test
    void encodesServerMessagesWithProtocolFieldNames() {
        User ann = new User("u1", "Ann", "#ff0000");
        assertEquals("{\"type\":\"op\",\"doc\":\"d\",\"version\":5,\"op\":[1,\"a\",{\"d\":2}],\"clientId\":\"c\",\"seq\":9}",
                codec.encode(new ServerMessage.Op("d", 5,
                        TextOperation.builder().retain(1).insert("a").delete(2).build(), "c", 9)));
        assertEquals("{\"type\":\"ack\",\"doc\":\"d\",\"seq\":9,\"version\":5}",
                codec.encode(new ServerMessage.Ack("d", 9, 5)));
        assertEquals("{\"type\":\"leave\",\"doc\":\"d\",\"clientId\":\"c\"}",
                codec.encode(new ServerMessage.Leave("d", "c")));
        assertEquals("{\"type\":\"presence\",\"doc\":\"d\",\"clientId\":\"c\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\","
                + "\"color\":\"#ff0000\"},\"version\":3,\"selection\":[{\"anchor\":1,\"head\":2}]}",
                codec.encode(new ServerMessage.Presence("d", "c", ann, 3, List.of(new Selection(1, 2)))));
        assertEquals("{\"type\":\"chat\",\"doc\":\"d\",\"id\":4,\"user\":{\"id\":\"u1\",\"name\":\"Ann\","
                + "\"color\":\"#123456\"},\"text\":\"<hi>\",\"ts\":1000}",
                codec.encode(new ServerMessage.Chat("d", new ChatMessage(4, "d", "u1", "Ann", "<hi>", 1000))));
        assertEquals("{\"type\":\"error\",\"code\":\"not_open\",\"message\":\"m\",\"doc\":\"d\",\"seq\":2}",
                codec.encode(new ServerMessage.Error(ErrorCode.NOT_OPEN, "m", "d", 2L)));
        assertEquals("{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"m\"}",
                codec.encode(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "m", null, null)));
        assertEquals("{\"type\":\"welcome\",\"clientId\":\"c\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\",\"color\":\"#ff0000\"}}",
                codec.welcome("c", ann, false));
        assertEquals("{\"type\":\"welcome\",\"clientId\":\"c\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\",\"color\":\"#ff0000\"},"
                + "\"batch\":true}", codec.welcome("c", ann, true));
        assertEquals("{\"type\":\"ops\",\"doc\":\"d\",\"ops\":[{\"version\":3,\"op\":[2,\"hi\"],\"clientId\":\"c\",\"seq\":5},"
                + "{\"version\":4,\"op\":[{\"d\":1}],\"clientId\":\"e\",\"seq\":1}]}",
                codec.encode(new ServerMessage.Ops("d", List.of(
                        new StoredOp(3, TextOperation.insert(2, "hi"), "c", 5, "u1", 10),
                        new StoredOp(4, TextOperation.delete(0, 1), "e", 1, "u2", 11)))));
        assertEquals("{\"type\":\"pong\"}", codec.pong());
    }

    @Test
    void encodesOpenedWithAndWithoutText() {
        User ann = new User("u1", "Ann", "#ff0000");
        ServerMessage.Opened full = new ServerMessage.Opened("d", 2, "ab",
                List.of(new ServerMessage.PeerPresence("c2", ann, -1, null)),
                List.of(new ChatMessage(1, "d", "u1", "Ann", "yo", 5)), true);
        JsonObject json = JsonParser.parseString(codec.encode(full)).getAsJsonObject();
        assertEquals("opened", json.get("type").getAsString());
        assertEquals("ab", json.get("text").getAsString());
        assertEquals(2, json.get("version").getAsLong());
        assertTrue(json.get("readOnly").getAsBoolean());
        JsonObject peer = json.getAsJsonArray("peers").get(0).getAsJsonObject();
        assertEquals("c2", peer.get("clientId").getAsString());
        assertTrue(peer.get("selection").isJsonNull());
        assertTrue(!peer.has("version"), "a peer that sent no presence has no version");
        assertEquals("yo", json.getAsJsonArray("chat").get(0).getAsJsonObject().get("text").getAsString());

        ServerMessage.Opened catchUp = new ServerMessage.Opened("d", 1, null, List.of(), List.of(), false);
        assertTrue(!JsonParser.parseString(codec.encode(catchUp)).getAsJsonObject().has("text"));
    }

    @Test
    void roundTripsAstralTextInOps() {
        TextOperation op = TextOperation.insert(0, "a😀\u2028b");
        String frame = codec.encode(new ServerMessage.Op("d", 0, op, "c", 1));
        JsonObject json = JsonParser.parseString(frame).getAsJsonObject();
        json.addProperty("type", "op");
        json.remove("clientId");
        ClientMessage.Op back = (ClientMessage.Op) codec.decode(json.toString());
        assertEquals(op, back.op());
    }

    @Test
    void digestsAreSentWhereTheServerHasThemAndDivergedReportsAreRead() {
        assertEquals("{\"type\":\"op\",\"doc\":\"d\",\"version\":15,\"op\":[1,\"a\"],\"clientId\":\"c\",\"seq\":9,"
                + "\"digest\":\"0123456789abcdef\"}",
                codec.encode(new ServerMessage.Op("d", 15, TextOperation.insert(1, "a"), "c", 9, "0123456789abcdef")));
        assertEquals("{\"type\":\"ack\",\"doc\":\"d\",\"seq\":9,\"version\":15,\"digest\":\"0123456789abcdef\"}",
                codec.encode(new ServerMessage.Ack("d", 9, 15, "0123456789abcdef")));
        assertEquals("{\"type\":\"ops\",\"doc\":\"d\",\"ops\":[{\"version\":15,\"op\":[2,\"hi\"],\"clientId\":\"c\",\"seq\":5,"
                + "\"digest\":\"0123456789abcdef\"},{\"version\":16,\"op\":[{\"d\":1}],\"clientId\":\"e\",\"seq\":1}]}",
                codec.encode(new ServerMessage.Ops("d", List.of(
                        new StoredOp(15, TextOperation.insert(2, "hi"), "c", 5, "u1", 10),
                        new StoredOp(16, TextOperation.delete(0, 1), "e", 1, "u2", 11)),
                        java.util.Map.of(15L, "0123456789abcdef"))));
        String opened = codec.encode(new ServerMessage.Opened("d", 2, "ab", List.of(), List.of(), false, "1a47e90bb8feb701"));
        assertEquals("1a47e90bb8feb701", JsonParser.parseString(opened).getAsJsonObject().get("digest").getAsString());

        assertEquals(new ClientMessage.Diverged("d", 16, "0123456789abcdef", "fedcba9876543210"),
                codec.decode("{\"type\":\"diverged\",\"doc\":\"d\",\"version\":16,\"digest\":\"0123456789abcdef\","
                        + "\"clientDigest\":\"fedcba9876543210\"}"));
        for (String[] bad : new String[][] {
                {"\"version\":16,\"digest\":\"0123456789ABCDEF\",\"clientDigest\":\"fedcba9876543210\"",
                        "diverged: field \"digest\" must be 16 lowercase hexadecimal digits"},
                {"\"version\":16,\"digest\":\"0123456789abcdef\",\"clientDigest\":\"fedcba98\"",
                        "diverged: field \"clientDigest\" must be 16 lowercase hexadecimal digits"},
                {"\"digest\":\"0123456789abcdef\",\"clientDigest\":\"fedcba9876543210\"", "diverged: field \"version\" is missing"},
                {"\"version\":16,\"clientDigest\":\"fedcba9876543210\"", "diverged: field \"digest\" is missing"}}) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> codec.decode("{\"type\":\"diverged\",\"doc\":\"d\"," + bad[0] + "}"));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
            assertEquals("d", e.error().doc());
        }
    }
}
