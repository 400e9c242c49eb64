package io.coedit.server.session;

import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.StoredOp;
import java.util.List;

/** What the document service tells a peer; the transport encodes it (see docs/PROTOCOL.md). */
public sealed interface ServerMessage {

    record Opened(String doc, long version, String text, List<PeerPresence> peers, List<ChatMessage> chat,
            boolean readOnly) implements ServerMessage {}

    record Op(String doc, long version, TextOperation op, String clientId, long seq) implements ServerMessage {}

    record Ack(String doc, long seq, long version) implements ServerMessage {}

    /**
     * Every operation committed since the last {@code Ops} of the document, oldest first, with
     * consecutive versions: what a batched subscriber receives instead of {@code Op} and
     * {@code Ack}. One instance goes to every batched subscriber, so it is encoded once.
     */
    record Ops(String doc, List<StoredOp> ops) implements ServerMessage {
        public Ops {
            ops = List.copyOf(ops);
        }
    }

    record Presence(String doc, String clientId, User user, long version, List<Selection> selection)
            implements ServerMessage {}

    record Leave(String doc, String clientId) implements ServerMessage {}

    record Chat(String doc, ChatMessage message) implements ServerMessage {}

    /** {@code doc} and {@code seq} are null when the error is not about one. */
    record Error(ErrorCode code, String message, String doc, Long seq) implements ServerMessage {}

    /** A peer on a document as {@code opened} lists it; {@code selection} may be null. */
    record PeerPresence(String clientId, User user, long version, List<Selection> selection) {}
}
