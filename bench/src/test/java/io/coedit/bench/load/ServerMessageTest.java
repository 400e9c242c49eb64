package io.coedit.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coedit.ot.TextOperation;
import java.nio.CharBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerMessageTest {
    private static final String OPS = "{\"type\":\"ops\",\"doc\":\"d-0\",\"ops\":["
            + "{\"version\":17,\"op\":[3,\"h\\\"i\",{\"d\":2}],\"clientId\":\"w0-1\",\"seq\":5},"
            + "{\"version\":18,\"op\":[{\"d\":1}],\"clientId\":\"w0-2\",\"seq\":41}]}";

    @Test
    void readsEveryEntryOfAnOpsMessageAndItsOperationOnlyWhenAsked() {
        ServerMessage m = ServerMessage.parse(CharBuffer.wrap(OPS), true);
        assertEquals("ops", m.type());
        assertEquals("d-0", m.doc());
        assertEquals(2, m.ops().size());
        ServerMessage first = m.ops().get(0);
        assertEquals(17, first.version());
        assertEquals("w0-1", first.clientId());
        assertEquals(5, first.seq());
        assertEquals(TextOperation.builder().retain(3).insert("h\"i").delete(2).build(), first.op());
        assertEquals(List.of(18L, 41L), List.of(m.ops().get(1).version(), m.ops().get(1).seq()));

        // In place: a heap buffer's characters between its position and limit, at any array offset.
        CharBuffer inPlace = CharBuffer.wrap(("[[" + OPS + "]]").toCharArray()).position(1).slice().position(1).limit(1 + OPS.length());
        assertEquals(m, ServerMessage.parse(inPlace, true));

        ServerMessage lurker = ServerMessage.parse(OPS, false);
        assertNull(lurker.ops().get(0).op());
        assertEquals(17, lurker.ops().get(0).version());
    }

    @Test
    void skipsFieldsItDoesNotUseOfAnyShapeAndUnescapesStrings() {
        ServerMessage m = ServerMessage.parse(" { \"type\" : \"opened\", \"doc\":\"d\", \"version\": 4, \"text\": \"a\\nb\\u00e9\","
                + " \"peers\": [{\"clientId\":\"x\",\"user\":{\"id\":\"u\"},\"version\":-1,\"selection\":null,"
                + "\"n\":1.5e3,\"t\":true,\"f\":false}], \"chat\": [], \"readOnly\": false } ", false);
        assertEquals("opened", m.type());
        assertEquals(4, m.version());
        assertEquals("a\nbé", m.text());
        ServerMessage error = ServerMessage.parse("{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow\","
                + "\"doc\":\"d\",\"seq\":null}", false);
        assertEquals("rate_limited", error.code());
        assertEquals("slow", error.text());
        assertEquals(-1, error.seq());
    }

    @Test
    void refusesWhatIsNotOneJsonObject() {
        for (String bad : List.of("", "{", "{\"type\":\"op\"", "{\"type\":\"op\"} x", "{\"version\":1.5}", "[1]",
                "{\"type\":\"op\",\"op\":[1,}", "{\"type\":\"a")) {
            assertThrows(IllegalArgumentException.class, () -> ServerMessage.parse(bad, false), bad);
        }
    }

    @Test
    void readsTheDigestWhereTheServerSendsOne() {
        ServerMessage m = ServerMessage.parse("{\"type\":\"ops\",\"doc\":\"d\",\"ops\":[{\"version\":15,\"op\":[1],"
                + "\"clientId\":\"c\",\"seq\":1,\"digest\":\"0123456789abcdef\"},{\"version\":16,\"op\":[1],"
                + "\"clientId\":\"c\",\"seq\":2}]}", false);
        assertEquals("0123456789abcdef", m.ops().get(0).digest());
        assertEquals(null, m.ops().get(1).digest());
        assertEquals("1a47e90bb8feb701",
                ServerMessage.parse("{\"type\":\"ack\",\"doc\":\"d\",\"seq\":3,\"version\":15,\"digest\":\"1a47e90bb8feb701\"}", false)
                        .digest());
    }
}
