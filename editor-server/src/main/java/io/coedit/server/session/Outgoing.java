package io.coedit.server.session;

import java.util.function.Function;

/**
 * A message on its way to one or many peers. A broadcast is one {@code Outgoing} handed to
 * every subscriber, and the transport's encoding is computed by the first and reused by the
 * rest: encode once, send the same frame to all.
 */
public final class Outgoing {
    private final ServerMessage message;
    private volatile Object encoded;

    public Outgoing(ServerMessage message) {
        this.message = message;
    }

    public ServerMessage message() {
        return message;
    }

    /** The message encoded by {@code encoder}, computed at most about once per message. */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Function<ServerMessage, T> encoder) {
        Object e = encoded;
        if (e == null) {
            e = encoder.apply(message);
            encoded = e;
        }
        return (T) e;
    }
}
