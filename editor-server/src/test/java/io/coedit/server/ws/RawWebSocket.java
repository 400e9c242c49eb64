package io.coedit.server.ws;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A bare WebSocket client over a plain socket, for what a well-behaved library will not do:
 * stop reading, never answer a ping, send an oversized frame. Text frames only; the test
 * decides when (and whether) to read.
 */
public final class RawWebSocket implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    /** A text or close frame as read: {@code opcode} 1 text, 8 close, 9 ping. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    /** Connects with a small receive buffer, so that not reading soon stops the server's writes. */
    public RawWebSocket(URI uri, int receiveBuffer) throws IOException {
        this(uri, receiveBuffer, null);
    }

    /**
     * Connects from the local address {@code from} (null: any), e.g. 127.0.0.2, which the
     * server sees as another remote address than the test's other clients on 127.0.0.1.
     */
    public RawWebSocket(URI uri, int receiveBuffer, java.net.InetAddress from) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET " + uri.getPath() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readHeaders();
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + status);
        }
    }

    private String readHeaders() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the handshake");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.indexOf('\r'));
    }

    public void sendText(String text) throws IOException {
        sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    void sendFrame(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Writes {@code bytes} as they are, e.g. a frame header announcing more than follows. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * The header of a frame (FIN set) with {@code opcode} announcing {@code payloadLength} bytes;
     * with {@code masked}, the mask bit and a zero masking key (so the payload goes as it is).
     */
    static byte[] header(boolean fin, int opcode, long payloadLength, boolean masked) {
        ByteArrayOutputStream h = new ByteArrayOutputStream(14);
        h.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payloadLength < 126) {
            h.write(maskBit | (int) payloadLength);
        } else if (payloadLength < 65_536) {
            h.write(maskBit | 126);
            h.write((int) (payloadLength >>> 8));
            h.write((int) (payloadLength & 0xff));
        } else {
            h.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                h.write((int) (payloadLength >>> shift) & 0xff);
            }
        }
        if (masked) {
            h.write(new byte[4], 0, 4);
        }
        return h.toByteArray();
    }

    /** The next frame from the server; throws on timeout or end of stream. */
    Frame read() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(first & 0x0f, payload);
    }

    /**
     * Reads the header of the next frame and at most {@code n} bytes of its payload, as text,
     * and leaves the rest of the frame unread: a client that stops reading in the middle of a
     * frame. Once these bytes have arrived, the server has begun writing that frame to its socket.
     */
    public String startOfNextFrame(int n) throws IOException {
        in.readUnsignedByte();
        long length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] start = new byte[(int) Math.min(n, length)];
        in.readFully(start);
        return new String(start, StandardCharsets.UTF_8);
    }

    /**
     * The next text frame's text; a close frame is returned as {@code "close <code>"}, the end
     * of the stream as {@code "end"}. Pings are skipped.
     */
    public String nextMessage() throws IOException {
        try {
            while (true) {
                Frame f = read();
                if (f.opcode() == 1) {
                    return f.text();
                }
                if (f.opcode() == 8) {
                    return "close " + f.closeCode();
                }
            }
        } catch (java.io.EOFException | java.net.SocketException e) {
            return "end";
        }
    }

    /** Reads until a close frame or the end of the stream; the close code, or -1 if the socket just ended. */
    public int readUntilClosed() throws IOException {
        try {
            while (true) {
                Frame f = read();
                if (f.opcode() == 8) {
                    return f.closeCode();
                }
            }
        } catch (java.io.EOFException | java.net.SocketException e) {
            return -1;
        }
    }

    InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
