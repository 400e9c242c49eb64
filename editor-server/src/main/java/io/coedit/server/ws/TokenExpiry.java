package io.coedit.server.ws;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timer that ends a connection when the token it said hello with expires.
 *
 * <p>A token's {@code exp} holds for as long as the connection lasts, not only at hello (see
 * the protocol's notes on expiry), but the token is verified only at hello: without a timer a
 * connection would outlive its token for as long as its client kept it open. The timer runs on
 * the gateway's scheduler, so a client that sends nothing is still ended on time; a frame that
 * arrives after the expiry but before the timer fires is refused by the connection itself.
 *
 * <p>Threads: {@link #start} runs on the read thread (at hello), {@link #cancel} on whichever
 * thread closes the connection; the timer is published through a volatile field, and a close
 * that lands between scheduling and publishing is caught by the check after it.
 */
final class TokenExpiry {
    private final Connection connection;
    private final WebSocketGateway gateway;
    /** Ends the connection when its token expires; null if it does not. */
    private volatile ScheduledFuture<?> expiry;

    TokenExpiry(Connection connection, WebSocketGateway gateway) {
        this.connection = connection;
        this.gateway = gateway;
    }

    /** Ends the connection at {@code expires} (at once if that has passed). */
    void start(Instant expires) {
        long in = Math.max(0, expires.toEpochMilli() - System.currentTimeMillis());
        expiry = gateway.timer().schedule(connection::expire, in, TimeUnit.MILLISECONDS);
        if (connection.isGone()) {
            expiry.cancel(false); // closed meanwhile: onClose found nothing to cancel
        }
    }

    /** The connection closed: the timer has nothing left to end. */
    void cancel() {
        ScheduledFuture<?> pendingExpiry = expiry;
        if (pendingExpiry != null) {
            pendingExpiry.cancel(false);
        }
    }
}
