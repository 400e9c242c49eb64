package io.coedit.server.ws;

import java.time.Duration;

/**
 * What one WebSocket connection may cost the server; {@link #defaults()} unless configured.
 *
 * @param maxMessageBytes largest client frame, in UTF-8 bytes; bigger ones get
 *     {@code too_large} and close 1009
 * @param maxOpsPerSecond op, presence and chat messages per second per connection; beyond
 *     it, {@code rate_limited}
 * @param maxSessionsPerAddress open connections from one remote address; beyond it the new
 *     one closes 1013
 * @param maxQueuedBytes frames waiting to be written to one client (2 bytes per UTF-16 unit,
 *     what they may hold on the heap); beyond it the client is not reading and is closed 1008
 * @param idleTimeout a client that sends nothing (not even a pong to the server's pings) for
 *     this long is closed 1001 and leaves its documents
 * @param closeGrace how long a connection the server has closed may keep its TCP socket, waiting
 *     for the client to read what is still being written and to answer the close; then the socket
 *     is cut, with whatever was being written to it. Until then it still counts against
 *     {@code maxSessionsPerAddress}
 */
public record ConnectionLimits(
        int maxMessageBytes, int maxOpsPerSecond, int maxSessionsPerAddress, long maxQueuedBytes, Duration idleTimeout,
        Duration closeGrace) {

    /** Long next to a close handshake, short next to what a socket that never reads may hold. */
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(2);

    public ConnectionLimits {
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("max message bytes must be at least 1024, got " + maxMessageBytes);
        }
        if (maxOpsPerSecond < 1 || maxSessionsPerAddress < 1) {
            throw new IllegalArgumentException("ops per second and sessions per address must be positive");
        }
        if (maxQueuedBytes < maxMessageBytes) {
            throw new IllegalArgumentException("the outgoing queue cap (" + maxQueuedBytes
                    + " bytes) must hold at least one message of the maximum size (" + maxMessageBytes + ")");
        }
        if (idleTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("idle timeout must be at least 100 ms, got " + idleTimeout);
        }
        if (closeGrace.isNegative()) {
            throw new IllegalArgumentException("the close grace must not be negative, got " + closeGrace);
        }
    }

    /** Limits with the {@link #DEFAULT_CLOSE_GRACE default close grace}. */
    public ConnectionLimits(
            int maxMessageBytes, int maxOpsPerSecond, int maxSessionsPerAddress, long maxQueuedBytes, Duration idleTimeout) {
        this(maxMessageBytes, maxOpsPerSecond, maxSessionsPerAddress, maxQueuedBytes, idleTimeout, DEFAULT_CLOSE_GRACE);
    }

    public static ConnectionLimits defaults() {
        return new ConnectionLimits(1 << 20, 100, 64, 16L << 20, Duration.ofSeconds(60));
    }

    public ConnectionLimits withMaxMessageBytes(int n) {
        return new ConnectionLimits(n, maxOpsPerSecond, maxSessionsPerAddress, Math.max(n, maxQueuedBytes), idleTimeout, closeGrace);
    }

    public ConnectionLimits withMaxOpsPerSecond(int n) {
        return new ConnectionLimits(maxMessageBytes, n, maxSessionsPerAddress, maxQueuedBytes, idleTimeout, closeGrace);
    }

    public ConnectionLimits withMaxSessionsPerAddress(int n) {
        return new ConnectionLimits(maxMessageBytes, maxOpsPerSecond, n, maxQueuedBytes, idleTimeout, closeGrace);
    }

    public ConnectionLimits withMaxQueuedBytes(long n) {
        return new ConnectionLimits(maxMessageBytes, maxOpsPerSecond, maxSessionsPerAddress, n, idleTimeout, closeGrace);
    }

    public ConnectionLimits withIdleTimeout(Duration d) {
        return new ConnectionLimits(maxMessageBytes, maxOpsPerSecond, maxSessionsPerAddress, maxQueuedBytes, d, closeGrace);
    }

    public ConnectionLimits withCloseGrace(Duration d) {
        return new ConnectionLimits(maxMessageBytes, maxOpsPerSecond, maxSessionsPerAddress, maxQueuedBytes, idleTimeout, d);
    }
}
