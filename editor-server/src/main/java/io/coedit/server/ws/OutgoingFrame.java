package io.coedit.server.ws;

import java.nio.charset.StandardCharsets;

/**
 * One outgoing protocol message as a connection queues it: its JSON text and, built the first
 * time a connection asks, the whole WebSocket frame that carries it.
 *
 * <p>A broadcast is one {@link io.coedit.server.session.Outgoing} handed to every subscriber,
 * and every subscriber's connection gets this same object from it, so the UTF-8 encoding and
 * the frame header are computed once for all of them instead of once per subscriber by
 * Tyrus's {@code sendText}. That is sound because a server's frames are not masked (RFC 6455,
 * 5.1) and no extension is negotiated (the endpoint configures none: nothing like
 * permessage-deflate rewrites the payload per connection): the bytes of a text frame depend on
 * the text alone. The bytes are never modified once built, so connections write them
 * concurrently.
 */
final class OutgoingFrame {
    private static final int FIN_TEXT = 0x81;

    final String text;
    private volatile byte[] wire;

    OutgoingFrame(String text) {
        this.text = text;
    }

    /** The unmasked, unfragmented text frame of {@link #text}, header included. */
    byte[] wire() {
        byte[] w = wire;
        if (w == null) {
            w = frame(text.getBytes(StandardCharsets.UTF_8));
            wire = w; // two threads may both build it: same bytes, no harm
        }
        return w;
    }

    /** What the frame counts against a connection's outgoing cap: 2 bytes per UTF-16 unit, as documented. */
    long queuedBytes() {
        return 2L * text.length();
    }

    static byte[] frame(byte[] payload) {
        int n = payload.length;
        int header = n <= 125 ? 2 : n <= 0xFFFF ? 4 : 10;
        byte[] out = new byte[header + n];
        out[0] = (byte) FIN_TEXT;
        if (n <= 125) {
            out[1] = (byte) n;
        } else if (n <= 0xFFFF) {
            out[1] = 126;
            out[2] = (byte) (n >>> 8);
            out[3] = (byte) n;
        } else {
            out[1] = 127;
            long length = n;
            for (int i = 0; i < 8; i++) {
                out[2 + i] = (byte) (length >>> (8 * (7 - i)));
            }
        }
        System.arraycopy(payload, 0, out, header, n);
        return out;
    }
}
