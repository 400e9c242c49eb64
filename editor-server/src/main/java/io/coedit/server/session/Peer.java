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
}
