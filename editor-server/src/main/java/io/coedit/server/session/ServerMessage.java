package io.coedit.server.session;

import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import java.util.List;

/**
 * What the document service tells a peer; the transport encodes it (see docs/PROTOCOL.md).
 * These are the wire's own types: the session builds them from what the store keeps, and
 * carries only what the protocol says (no user id or time of an operation, no document id in
 * each chat line), so the transport never sees a storage record.
 */
public sealed interface ServerMessage {

    /** {@code digest}: the {@link io.coedit.ot.TextDigest} of the text at {@code version}, or null. */
    record Opened(String doc, long version, String text, List<PeerPresence> peers, List<ChatLine> chat,
            boolean readOnly, String digest) implements ServerMessage {
        public Opened(String doc, long version, String text, List<PeerPresence> peers, List<ChatLine> chat,
                boolean readOnly) {
            this(doc, version, text, peers, chat, readOnly, null);
        }
    }

    /** {@code digest}: the {@link io.coedit.ot.TextDigest} of the text after the operation, or null. */
    record Op(String doc, long version, TextOperation op, String clientId, long seq, String digest)
            implements ServerMessage {
        public Op(String doc, long version, TextOperation op, String clientId, long seq) {
            this(doc, version, op, clientId, seq, null);
        }
    }

    /** {@code digest}: the {@link io.coedit.ot.TextDigest} of the text after the operation, or null. */
    record Ack(String doc, long seq, long version, String digest) implements ServerMessage {
        public Ack(String doc, long seq, long version) {
            this(doc, seq, version, null);
        }
    }

    /**
     * Every operation committed since the last {@code Ops} of the document, oldest first, with
     * consecutive versions: what a batched subscriber receives instead of {@code Op} and
     * {@code Ack}. One instance goes to every batched subscriber, so it is encoded once.
     */
    record Ops(String doc, List<OpEntry> ops) implements ServerMessage {
        public Ops {
            ops = List.copyOf(ops);
        }
    }

    /**
     * One operation of an {@link Ops} frame: {@code op} applies to the document at
     * {@code version}; {@code clientId} and {@code seq} name the submission. {@code digest}: the
     * {@link io.coedit.ot.TextDigest} of the text after the operation, or null.
     */
    record OpEntry(long version, TextOperation op, String clientId, long seq, String digest) {}

    record Presence(String doc, String clientId, User user, long version, List<Selection> selection)
            implements ServerMessage {}

    record Leave(String doc, String clientId) implements ServerMessage {}

    record Chat(String doc, ChatLine message) implements ServerMessage {}

    /**
     * A chat message as peers see it: {@code id} grows with each message, {@code timestamp} in
     * milliseconds since the epoch; the sender by id and name (the transport adds its colour).
     */
    record ChatLine(long id, String userId, String userName, String text, long timestamp) {}

    /** {@code doc} and {@code seq} are null when the error is not about one. */
    record Error(ErrorCode code, String message, String doc, Long seq) implements ServerMessage {}

    /** A peer on a document as {@code opened} lists it; {@code selection} may be null. */
    record PeerPresence(String clientId, User user, long version, List<Selection> selection) {}
}
