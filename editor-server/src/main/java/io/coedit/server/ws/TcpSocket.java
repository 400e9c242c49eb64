package io.coedit.server.ws;

import jakarta.websocket.Session;
import java.lang.reflect.Field;
import org.glassfish.tyrus.container.grizzly.client.GrizzlyWriter;
import org.glassfish.tyrus.core.TyrusRemoteEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP connection under one WebSocket session: Grizzly's {@code Connection}, which Tyrus
 * keeps to itself.
 *
 * <p>Closing a session only queues a close frame behind what is being written; Tyrus then
 * waits for the client's close, and Grizzly's own close waits for its write queue to empty.
 * A client that never reads (measured: 70 sockets from one address, each holding the ~8 MB
 * frame of a 3-million-character document) therefore keeps its socket and that frame for as
 * long as it likes. The gateway needs the socket itself to cut it after a grace period, and
 * to know when it is really gone, so that the per-address limit counts it until then.
 *
 * <p>Tyrus offers no way to it: it is reached reflectively through the session's remote
 * endpoint ({@code TyrusRemoteEndpoint.webSocket}, as for the raw frame path), its protocol
 * handler and that handler's {@link GrizzlyWriter}. If any step fails (another Tyrus), {@link #of}
 * says null and the gateway falls back to what Tyrus does alone.
 */
final class TcpSocket {
    private static final Logger log = LoggerFactory.getLogger(TcpSocket.class);
    /** remote endpoint → TyrusWebSocket → ProtocolHandler → Writer → Grizzly connection; null if unreachable. */
    private static final Field[] PATH = path();

    private final org.glassfish.grizzly.Connection<?> connection;

    private TcpSocket(org.glassfish.grizzly.Connection<?> connection) {
        this.connection = connection;
    }

    /** The socket under {@code session}, or null if this Tyrus does not let us reach it. */
    static TcpSocket of(Session session) {
        if (PATH == null) {
            return null;
        }
        try {
            Object o = session.getAsyncRemote();
            for (Field f : PATH) {
                o = o == null ? null : f.get(o);
            }
            return o instanceof org.glassfish.grizzly.Connection<?> c ? new TcpSocket(c) : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    boolean isOpen() {
        return connection.isOpen();
    }

    /** Runs {@code then} once the socket is closed (now, if it already is), on whichever thread closes it. */
    void whenClosed(Runnable then) {
        connection.addCloseListener((org.glassfish.grizzly.CloseListener) (closeable, type) -> then.run());
    }

    /**
     * Closes the socket now, discarding whatever is still queued for it: its pending writes
     * fail and their buffers are let go.
     */
    void cut() {
        connection.terminateSilently();
    }

    private static Field[] path() {
        try {
            Field socket = TyrusRemoteEndpoint.class.getDeclaredField("webSocket");
            Field handler = org.glassfish.tyrus.core.TyrusWebSocket.class.getDeclaredField("protocolHandler");
            Field writer = org.glassfish.tyrus.core.ProtocolHandler.class.getDeclaredField("writer");
            Field connection = GrizzlyWriter.class.getDeclaredField("connection");
            Field[] path = {socket, handler, writer, connection};
            for (Field f : path) {
                f.setAccessible(true);
            }
            return path;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Tyrus's TCP connections are not reachable ({}): a closed client that never reads keeps its socket "
                    + "until it goes, and the per-address limit counts sessions only", e.toString());
            return null;
        }
    }
}
