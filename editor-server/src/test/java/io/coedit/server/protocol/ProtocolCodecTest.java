package io.coedit.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.TextOperation;
import io.coedit.server.session.ErrorCode;
import io.coedit.server.session.ServerMessage;
import io.coedit.server.session.User;
import org.junit.jupiter.api.Test;

/** The facade the transports hold; each half is tested on its own in ClientMessageDecoderTest and ServerMessageEncoderTest. */
class ProtocolCodecTest {
    private final ProtocolCodec codec = new ProtocolCodec(id -> "#123456");

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
    void passesEveryCallToTheRightHalfWithItsColours() {
        assertEquals("{\"type\":\"chat\",\"doc\":\"d\",\"id\":4,\"user\":{\"id\":\"u1\",\"name\":\"Ann\","
                + "\"color\":\"#123456\"},\"text\":\"<hi>\",\"ts\":1000}",
                codec.encode(new ServerMessage.Chat("d", new ServerMessage.ChatLine(4, "u1", "Ann", "<hi>", 1000))));
        assertEquals("{\"type\":\"welcome\",\"clientId\":\"c\",\"user\":{\"id\":\"u1\",\"name\":\"Ann\",\"color\":\"#ff0000\"},"
                + "\"batch\":true}", codec.welcome("c", new User("u1", "Ann", "#ff0000"), true));
        assertEquals("{\"type\":\"pong\"}", codec.pong());
        assertEquals(new ClientMessage.Close("d"), codec.decode("{\"type\":\"close\",\"doc\":\"d\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(ProtocolException.class, () -> codec.decode("{}")).code());
    }
}
