package io.coedit.server.ws;

import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.glassfish.tyrus.core.TyrusRemoteEndpoint;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyrus's raw-frame path for one session: where a connection writes whole frames, built once
 * per message ({@link OutgoingFrame}) and shared by every connection a broadcast goes to.
 *
 * <p>Tyrus's {@code sendText} would encode and frame the same text again for every subscriber;
 * its own broadcast avoids that through {@code TyrusWebSocket.sendRawFrame}, but offers it to
 * endpoints only through a package-private field, read reflectively once. If that fails
 * (another Tyrus), if an extension was negotiated, or with {@code -Dcoedit.ws.sharedFrames=false},
 * {@link #of} says null and the connection sends text through {@code sendText} as before.
 * Either way frames go through the same capped queue ({@link OutboundQueue}).
 *
 * <p>Immutable once made; {@link OutboundQueue} writes one frame at a time through it.
 */
final class RawFrameSocket {
    /** Logs as the connection it serves, so the log reads as before this was a class of its own. */
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /** Tyrus's socket behind an endpoint's remote, for {@code sendRawFrame}; null if unreachable or turned off. */
    private static final Field TYRUS_SOCKET = sharedFramesField();

    private final TyrusWebSocket socket;

    private RawFrameSocket(TyrusWebSocket socket) {
        this.socket = socket;
    }

    /** Where this session's whole frames can be written, or null (see the class comment). */
    static RawFrameSocket of(Session session) {
        if (TYRUS_SOCKET == null || !session.getNegotiatedExtensions().isEmpty()) {
            return null;
        }
        try {
            return TYRUS_SOCKET.get(session.getAsyncRemote()) instanceof TyrusWebSocket socket
                    ? new RawFrameSocket(socket) : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether connections write shared frames (Tyrus's raw frame path was found and is not turned off). */
    static boolean sharedFramesReachable() {
        return TYRUS_SOCKET != null;
    }

    /** Writes one whole frame; the future is a TyrusFuture, completed by the write's completion handler like sendText's. */
    CompletableFuture<?> send(byte[] wire) {
        return (CompletableFuture<?>) socket.sendRawFrame(ByteBuffer.wrap(wire));
    }

    private static Field sharedFramesField() {
        if (!Boolean.parseBoolean(System.getProperty("coedit.ws.sharedFrames", "true"))) {
            return null;
        }
        try {
            Field f = TyrusRemoteEndpoint.class.getDeclaredField("webSocket");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Tyrus's raw frame path is not reachable ({}): each connection frames its own text", e.toString());
            return null;
        }
    }
}
