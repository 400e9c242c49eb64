package io.coedit.server.ws;

import io.coedit.server.session.ErrorCode;
import io.coedit.server.session.ServerMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.memory.Buffers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the header of every frame a WebSocket client sends, as the bytes arrive and before
 * Tyrus sees them, and refuses what RFC 6455 says a server must not take:
 * <ul>
 * <li>a data frame, or a fragmented message, longer than the message size limit: error
 *     {@code too_large}, then close 1009 (section 7.4.1), judged from the length in the header,
 *     so the payload is never buffered. Tyrus itself would buffer up to its
 *     {@code incomingBufferSize} per frame and then give up with 1011 "Buffer overflow" and a
 *     stack trace in the log, for each such frame, or wait for a payload announced but never
 *     sent until the idle timeout;</li>
 * <li>a frame without a mask (section 5.1: a server must close the connection; 1002). Tyrus
 *     takes them as if masked;</li>
 * <li>a reserved opcode, or a control frame over 125 bytes (5.2, 5.5; 1002): Tyrus would
 *     wait for (and buffer) the payload of the first before refusing it.</li>
 * </ul>
 * Either costs one log line. Nothing else is checked here: Tyrus parses the frames it is given.
 *
 * <p>Sits in the Grizzly filter chain right before Tyrus's filter, and looks only at the
 * content of a request whose upgrade to WebSocket succeeded (response 101): the handshake, plain
 * HTTP and refused upgrades pass untouched. A read costs a few comparisons per frame header in
 * it; payload bytes are skipped by arithmetic, not looked at.
 */
final class FrameGuard extends BaseFilter {
    private static final Logger log = LoggerFactory.getLogger(FrameGuard.class);
    private static final Attribute<FrameReader> READER =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(FrameGuard.class.getName() + ".reader");

    private final WebSocketGateway gateway;

    FrameGuard(WebSocketGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        if (!(ctx.getMessage() instanceof HttpContent content)
                || !(content.getHttpHeader() instanceof HttpRequestPacket request)
                || !request.isUpgrade() || !"websocket".equalsIgnoreCase(request.getUpgrade())
                || request.getResponse().getStatus() != 101) {
            return ctx.getInvokeAction();
        }
        Connection<?> connection = ctx.getConnection();
        FrameReader reader = READER.get(connection);
        if (reader == null) {
            reader = new FrameReader(gateway.limits.maxMessageBytes());
            READER.set(connection, reader);
        }
        Buffer bytes = content.getContent();
        if (reader.refused) {
            bytes.tryDispose();
            return ctx.getStopAction();
        }
        FrameReader.Refusal refusal = reader.read(bytes);
        if (refusal == null) {
            return ctx.getInvokeAction();
        }
        refuse(connection, refusal);
        if (refusal.at() > bytes.position()) {
            // The frames before the refused one are whole and well formed: Tyrus may have them.
            Buffer rest = bytes.split(refusal.at());
            rest.tryDispose();
            return ctx.getInvokeAction();
        }
        bytes.tryDispose();
        return ctx.getStopAction();
    }

    /** Writes the error (for an oversized message) and the close frame, then closes the connection. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private void refuse(Connection<?> connection, FrameReader.Refusal refusal) {
        log.info("closing connection from {} ({}): {}", remoteAddress(connection), refusal.closeCode(), refusal.reason());
        gateway.metrics.dropped(refusal.closeCode() == 1009 ? "too_large" : "protocol_error");
        byte[] error = new byte[0];
        if (refusal.closeCode() == 1009) {
            gateway.metrics.error(ErrorCode.TOO_LARGE);
            error = OutgoingFrame.frame(gateway.codec.encode(new ServerMessage.Error(ErrorCode.TOO_LARGE,
                    refusal.reason(), null, null)).getBytes(StandardCharsets.UTF_8));
        }
        byte[] close = closeFrame(refusal.closeCode(), refusal.closeCode() == 1009 ? "message too large" : "protocol error");
        byte[] both = new byte[error.length + close.length];
        System.arraycopy(error, 0, both, 0, error.length);
        System.arraycopy(close, 0, both, error.length, close.length);
        Buffer out = Buffers.wrap(connection.getMemoryManager(), both);
        Connection raw = connection; // Grizzly's write is generic in the peer address type; Tyrus writes the same way
        raw.write(out, new EmptyCompletionHandler<WriteResult>() {
            @Override
            public void completed(WriteResult result) {
                connection.closeSilently();
            }

            @Override
            public void failed(Throwable throwable) {
                connection.closeSilently();
            }
        });
    }

    private static byte[] closeFrame(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8); // short and ASCII: well under 123 bytes
        byte[] frame = new byte[4 + text.length];
        frame[0] = (byte) 0x88; // FIN, close
        frame[1] = (byte) (2 + text.length);
        frame[2] = (byte) (code >>> 8);
        frame[3] = (byte) code;
        System.arraycopy(text, 0, frame, 4, text.length);
        return frame;
    }

    private static String remoteAddress(Connection<?> connection) {
        Object peer = connection.getPeerAddress();
        return peer instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() : String.valueOf(peer);
    }

    /**
     * The frame boundaries of one client's byte stream: the header being read, the payload
     * bytes still to skip, and the length of the data message so far (its fragments added up).
     */
    static final class FrameReader {
        /** Why and where the stream is refused: {@code at} is where the refused frame starts. */
        record Refusal(int closeCode, String reason, int at) {}

        private final long limit;
        private final byte[] header = new byte[14];
        private int headerBytes;
        private int frameStart = -1; // where the header being read began in the current buffer, or -1 if in an earlier one
        private long payloadLeft;
        private long messageBytes;
        boolean refused;

        FrameReader(long limit) {
            this.limit = limit;
        }

        /** Follows {@code bytes} (from position to limit, which are not moved); the refusal, if a frame breaks the rules. */
        Refusal read(Buffer bytes) {
            int i = bytes.position();
            int end = bytes.limit();
            while (i < end) {
                if (payloadLeft > 0) {
                    long skip = Math.min(payloadLeft, end - i);
                    payloadLeft -= skip;
                    i += (int) skip;
                    continue;
                }
                if (headerBytes == 0) {
                    frameStart = i;
                }
                header[headerBytes++] = bytes.get(i++);
                Refusal refusal = headerRead();
                if (refusal != null) {
                    refused = true;
                    return refusal;
                }
            }
            frameStart = -1;
            return null;
        }

        /** After each header byte: null while the frame is acceptable so far (or incomplete). */
        private Refusal headerRead() {
            if (headerBytes < 2) {
                return null;
            }
            int at = Math.max(frameStart, 0);
            if ((header[1] & 0x80) == 0) {
                return new Refusal(1002, "a frame without a mask; a client must mask every frame (RFC 6455, 5.1)", at);
            }
            int code = header[1] & 0x7f;
            int extended = code == 126 ? 2 : code == 127 ? 8 : 0;
            if (headerBytes < 2 + extended + 4) {
                return null;
            }
            long length = code < 126 ? code : 0;
            for (int k = 0; k < extended; k++) {
                length = (length << 8) | (header[2 + k] & 0xff);
            }
            if (length < 0) {
                return new Refusal(1002, "a frame length with its most significant bit set (RFC 6455, 5.2)", at);
            }
            int opcode = header[0] & 0x0f;
            if ((opcode > 2 && opcode < 8) || opcode > 10) {
                return new Refusal(1002, "a frame with the reserved opcode " + opcode + " (RFC 6455, 5.2)", at);
            }
            if (opcode >= 8 && length > 125) {
                return new Refusal(1002, "a control frame of " + length + " bytes; at most 125 (RFC 6455, 5.5)", at);
            }
            if (opcode <= 2) { // continuation, text, binary: part of a data message
                messageBytes = opcode == 0 ? messageBytes + length : length;
                if (messageBytes > limit) {
                    return new Refusal(1009, String.format(Locale.ROOT, "a message of %s%d bytes is larger than the limit of %d bytes",
                            opcode == 0 ? "at least " : "", messageBytes, limit), at);
                }
            }
            headerBytes = 0;
            payloadLeft = length;
            return null;
        }
    }
}
