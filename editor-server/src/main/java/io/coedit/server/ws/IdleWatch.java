package io.coedit.server.ws;

import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When one connection was last heard from, and what the gateway's timer does about a quiet
 * one: past half the idle timeout it is pinged once, past the whole it is dropped.
 *
 * <p>A client that vanished without a close (a laptop lid, a lost network) would otherwise
 * hold its documents' subscriptions and its place in the per-address count for as long as TCP
 * takes to notice, if it ever does. Every text or binary message counts as heard, and so does a
 * pong, so a client that only reads stays as long as it answers the pings.
 *
 * <p>Threads: {@link #heard} runs on the read thread, {@link #check} on the gateway's timer;
 * both fields are volatile and need no more: at worst a message that arrives during a check
 * costs the client one extra ping.
 */
final class IdleWatch {
    /** Logs as the connection it serves, so the log reads as before this was a class of its own. */
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final Connection connection;
    private final ConnectionLimits limits;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean pinged;

    IdleWatch(Connection connection, ConnectionLimits limits) {
        this.connection = connection;
        this.limits = limits;
    }

    /** A message or a pong came from the client. */
    void heard() {
        lastHeardNanos = System.nanoTime();
        pinged = false;
    }

    /** Called by the gateway's timer: pings a quiet client, closes a silent one. */
    void check(long nowNanos) {
        long silent = nowNanos - lastHeardNanos;
        long timeout = limits.idleTimeout().toNanos();
        if (silent > timeout) {
            connection.drop(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "idle for more than "
                    + limits.idleTimeout().toMillis() + " ms"), "idle");
        } else if (silent > timeout / 2 && !pinged && !connection.isGone()) {
            pinged = true;
            try {
                // Browsers answer pings themselves, even in a background tab whose timers are throttled.
                connection.session().getAsyncRemote().sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
                log.debug("ping to {} failed: {}", connection.remoteAddress(), e.toString());
            }
        }
    }
}
