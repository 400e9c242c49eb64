package io.coedit.server.session;

import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.StoredOp;
import java.util.List;
import java.util.Map;

/** What the document service tells a peer; the transport encodes it (see docs/PROTOCOL.md). */
public sealed interface ServerMessage {

    /** {@code digest}: the {@link io.coedit.ot.TextDigest} of the text at {@code version}, or null. */
    record Opened(String doc, long version, String text, List<PeerPresence> peers, List<ChatMessage> chat,
            boolean readOnly, String digest) implements ServerMessage {
        public Opened(String doc, long version, String text, List<PeerPresence> peers, List<ChatMessage> chat,
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
     * {@code digests}: by an operation's version, the {@link io.coedit.ot.TextDigest} of the text
     * after it, for the operations that carry one.
     */
    record Ops(String doc, List<StoredOp> ops, Map<Long, String> digests) implements ServerMessage {
        public Ops {
            ops = List.copyOf(ops);
            digests = Map.copyOf(digests);
        }

        public Ops(String doc, List<StoredOp> ops) {
            this(doc, ops, Map.of());
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
