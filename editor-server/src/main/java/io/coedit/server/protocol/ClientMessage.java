package io.coedit.server.protocol;

import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import java.util.List;

/**
 * A client's request as protocol v1 defines it (docs/PROTOCOL.md), decoded and validated:
 * every field present, of its type and within its limits. Optional fields are null.
 */
public sealed interface ClientMessage {

    /**
     * The first message of a connection; every field is optional. {@code batch}: the client
     * asks for batched delivery (one {@code ops} message per flush window instead of an
     * {@code op} or {@code ack} per operation).
     */
    record Hello(String clientId, String token, String name, boolean batch) implements ClientMessage {}

    /** Subscribe; with a {@code version}, catch up from there instead of receiving the text. */
    record Open(String doc, Long version) implements ClientMessage {}

    /** An edit based on {@code version} (the version the op applies to), numbered {@code seq}. */
    record Op(String doc, long version, long seq, TextOperation op) implements ClientMessage {}

    /** The sender's selections at {@code version}; null {@code selection} means none. */
    record Presence(String doc, long version, List<Selection> selection) implements ClientMessage {}

    record Chat(String doc, String text) implements ClientMessage {}

    record Close(String doc) implements ClientMessage {}

    record Ping() implements ClientMessage {}

    /**
     * The client found its text at {@code version} unlike the server's: the server's
     * {@code digest} of it and the client's own {@code clientDigest} differ.
     */
    record Diverged(String doc, long version, String digest, String clientDigest) implements ClientMessage {}
}
