package io.coedit.server.session;

/**
 * One connected client as the document service sees it, whatever carries its messages.
 * {@link #send} must not block: a transport queues the message and, if the peer has stopped
 * reading and its queue is full, closes the connection.
 */
public interface Peer {
    /** The client id from hello; stable across the client's reconnects. */
    String clientId();

    User user();

    boolean canRead(String docId);

    boolean canWrite(String docId);

    void send(Outgoing message);

    /**
     * Whether the peer asked for batched delivery: per document, one {@link ServerMessage.Ops}
     * per flush window carrying every committed operation, its own included (which stand for
     * its acks), instead of an {@code Op} or {@code Ack} per operation. Fixed for the peer's
     * lifetime.
     */
    default boolean batched() {
        return false;
    }
}
