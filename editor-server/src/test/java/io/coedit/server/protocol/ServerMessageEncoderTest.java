package io.coedit.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import io.coedit.server.session.ErrorCode;
import io.coedit.server.session.ServerMessage;
import io.coedit.server.session.User;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerMessageEncoderTest {
    private final ServerMessageEncoder encoder = new ServerMessageEncoder(OpJson.standard(), id -> "#123456");

    @Test
    void encodesServerMessagesWithProtocolFieldNames() {
        User ann = new User("u1", "Ann", "#ff0000");
        assertEquals("{\"type\":\"op\",\"doc\":\"d\",\"version\":5,\"op\":[1,\"a\",{\"d\":2}],\"clientId\":\"c\",\"seq\":9}",
                encoder.encode(new ServerMessage.Op("d", 5,
                        TextOperation.builder().retain(1).insert("a").delete(2).build(), "c", 9)));
        assertEquals("{\"type\":\"ack\",\"doc\":\"d\",\"seq\":9,\"version\":5}",
                encoder.encode(new ServerMessage.Ack("d", 9, 5)));
        assertEquals("{\"type\":\"leave\",\"doc\":\"d\",\"clientId\":\"c\"}",
                encoder.encode(new ServerMessage.Leave("d", "c")));
        assertEquals("{\"type\":\"presence\",\"doc\":\"d\",\"clientId\":\"c\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\","
                + "\"color\":\"#ff0000\"},\"version\":3,\"selection\":[{\"anchor\":1,\"head\":2}]}",
                encoder.encode(new ServerMessage.Presence("d", "c", ann, 3, List.of(new Selection(1, 2)))));
        assertEquals("{\"type\":\"chat\",\"doc\":\"d\",\"id\":4,\"user\":{\"id\":\"u1\",\"name\":\"Ann\","
                + "\"color\":\"#123456\"},\"text\":\"<hi>\",\"ts\":1000}",
                encoder.encode(new ServerMessage.Chat("d", new ServerMessage.ChatLine(4, "u1", "Ann", "<hi>", 1000))));
        assertEquals("{\"type\":\"error\",\"code\":\"not_open\",\"message\":\"m\",\"doc\":\"d\",\"seq\":2}",
                encoder.encode(new ServerMessage.Error(ErrorCode.NOT_OPEN, "m", "d", 2L)));
        assertEquals("{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"m\"}",
                encoder.encode(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "m", null, null)));
        assertEquals("{\"type\":\"welcome\",\"clientId\":\"c\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\",\"color\":\"#ff0000\"}}",
                encoder.welcome("c", ann, false));
        assertEquals("{\"type\":\"welcome\",\"clientId\":\"c\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\",\"color\":\"#ff0000\"},"
                + "\"batch\":true}", encoder.welcome("c", ann, true));
        assertEquals("{\"type\":\"ops\",\"doc\":\"d\",\"ops\":[{\"version\":3,\"op\":[2,\"hi\"],\"clientId\":\"c\",\"seq\":5},"
                + "{\"version\":4,\"op\":[{\"d\":1}],\"clientId\":\"e\",\"seq\":1}]}",
                encoder.encode(new ServerMessage.Ops("d", List.of(
                        new ServerMessage.OpEntry(3, TextOperation.insert(2, "hi"), "c", 5, null),
                        new ServerMessage.OpEntry(4, TextOperation.delete(0, 1), "e", 1, null)))));
        assertEquals("{\"type\":\"pong\"}", encoder.pong());
    }

    @Test
    void encodesOpenedWithAndWithoutText() {
        User ann = new User("u1", "Ann", "#ff0000");
        ServerMessage.Opened full = new ServerMessage.Opened("d", 2, "ab",
                List.of(new ServerMessage.PeerPresence("c2", ann, -1, null)),
                List.of(new ServerMessage.ChatLine(1, "u1", "Ann", "yo", 5)), true);
        JsonObject json = JsonParser.parseString(encoder.encode(full)).getAsJsonObject();
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
        assertTrue(!JsonParser.parseString(encoder.encode(catchUp)).getAsJsonObject().has("text"));
    }

    @Test
    void digestsAreSentWhereTheServerHasThem() {
        assertEquals("{\"type\":\"op\",\"doc\":\"d\",\"version\":15,\"op\":[1,\"a\"],\"clientId\":\"c\",\"seq\":9,"
                + "\"digest\":\"0123456789abcdef\"}",
                encoder.encode(new ServerMessage.Op("d", 15, TextOperation.insert(1, "a"), "c", 9, "0123456789abcdef")));
        assertEquals("{\"type\":\"ack\",\"doc\":\"d\",\"seq\":9,\"version\":15,\"digest\":\"0123456789abcdef\"}",
                encoder.encode(new ServerMessage.Ack("d", 9, 15, "0123456789abcdef")));
        assertEquals("{\"type\":\"ops\",\"doc\":\"d\",\"ops\":[{\"version\":15,\"op\":[2,\"hi\"],\"clientId\":\"c\",\"seq\":5,"
                + "\"digest\":\"0123456789abcdef\"},{\"version\":16,\"op\":[{\"d\":1}],\"clientId\":\"e\",\"seq\":1}]}",
                encoder.encode(new ServerMessage.Ops("d", List.of(
                        new ServerMessage.OpEntry(15, TextOperation.insert(2, "hi"), "c", 5, "0123456789abcdef"),
                        new ServerMessage.OpEntry(16, TextOperation.delete(0, 1), "e", 1, null)))));
        String opened = encoder.encode(new ServerMessage.Opened("d", 2, "ab", List.of(), List.of(), false, "1a47e90bb8feb701"));
        assertEquals("1a47e90bb8feb701", JsonParser.parseString(opened).getAsJsonObject().get("digest").getAsString());
    }
}
