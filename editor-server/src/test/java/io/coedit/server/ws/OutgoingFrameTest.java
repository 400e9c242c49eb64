package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The frame built once for every subscriber: RFC 6455 section 5.2, unmasked, one final text frame. */
class OutgoingFrameTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 200_000})
    void aTextFrameCarriesItsLengthInTheShortestForm(int length) {
        String text = "é".repeat(length / 2) + "x".repeat(length % 2); // UTF-8 bytes = length
        OutgoingFrame frame = new OutgoingFrame(text);
        ByteBuffer wire = ByteBuffer.wrap(frame.wire());
        assertEquals(0x81, wire.get() & 0xFF, "FIN and the text opcode, no reserved bits");
        int second = wire.get() & 0xFF;
        assertEquals(0, second & 0x80, "a server's frames are not masked");
        long declared = second & 0x7F;
        if (declared == 126) {
            declared = wire.getShort() & 0xFFFF;
            assertEquals(true, length > 125, "the 16-bit form only when 7 bits do not do");
        } else if (declared == 127) {
            declared = wire.getLong();
            assertEquals(true, length > 65_535, "the 64-bit form only when 16 bits do not do");
        }
        assertEquals(length, declared);
        byte[] payload = Arrays.copyOfRange(wire.array(), wire.position(), wire.limit());
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), payload);
        assertSame(frame.wire(), frame.wire(), "built once");
    }

    @Test
    void theTyrusInUseOffersItsRawFramePath() {
        assertTrue(RawFrameSocket.sharedFramesReachable(), "else every connection falls back to framing its own text");
    }
}
