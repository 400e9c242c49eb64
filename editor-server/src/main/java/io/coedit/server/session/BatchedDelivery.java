package io.coedit.server.session;

import io.coedit.ot.Rope;
import io.coedit.server.store.StoredOp;
import java.util.ArrayList;
import java.util.List;

/**
 * What subscribers with batched delivery ({@link Peer#batched()}) are sent, and when. They get
 * no {@code op} or {@code ack}: committed operations gather in {@link #unsent} for a flush
 * window ({@link DocumentService.Settings#batchWindowMillis()}) and then go out as one
 * {@code ops} message, the same instance for every batched subscriber so that it is encoded
 * once, the sender's own operations standing for its acks.
 *
 * <p>What a batched subscriber must see in order with those operations is kept in order with
 * them: a broadcast made while operations are unsent (a presence placed at the committed head,
 * a leave, a chat line) is held and sent right after them, and a batched opener is given the
 * document at the version the next frame starts at ({@link #flushedText}), so that frame is the
 * one it shares with everyone, without a gap or a repeat, and its open does not end the window
 * for the others. The window only delays delivery after the commit: nothing gathers here before
 * it is durable.
 *
 * <p>Runs on the document's {@link SerialQueue}, like the rest of the session.
 */
final class BatchedDelivery {
    private final DocumentSession session;
    private final OpHistory history;
    private final Subscribers subscribers;
    private final DocumentService service;
    private final long windowMillis;

    /**
     * Committed operations not yet sent to the batched subscribers, oldest first, ending at
     * {@link OpHistory#committedVersion()}; empty when no batched subscriber was there to receive them.
     */
    private final List<StoredOp> unsent = new ArrayList<>();
    /** Broadcasts made while {@link #unsent} was not empty: batched subscribers get them right after it. */
    private final List<HeldBroadcast> heldForBatched = new ArrayList<>();
    /** Whether the end of the current flush window is scheduled. */
    private boolean flushScheduled;
    /**
     * The text at the version the next {@code ops} frame starts at ({@link OpHistory#committedVersion()}
     * minus {@link #unsent}): what a batched subscriber joining now is given, so that its open need
     * not end the window for everyone. Null while the document has no batched subscriber.
     */
    private Rope flushedText;

    private record HeldBroadcast(Outgoing message, Peer except) {}

    BatchedDelivery(DocumentSession session, OpHistory history, Subscribers subscribers, DocumentService service,
            long windowMillis) {
        this.session = session;
        this.history = history;
        this.subscribers = subscribers;
        this.service = service;
        this.windowMillis = windowMillis;
    }

    /** Forgets the text kept for batched openers (the document was reloaded); it is rebuilt when one opens. */
    void forgetFlushedText() {
        flushedText = null;
    }

    /** The version the next {@code ops} frame starts at. */
    long flushedVersion() {
        return history.committedVersion() - unsent.size();
    }

    /**
     * {@code ops} were just committed and sent to the subscribers without batched delivery: if
     * {@code anyBatched}, they gather for the batched ones until the window ends; else their
     * digests are no longer needed.
     */
    void committed(List<StoredOp> ops, boolean anyBatched) {
        if (anyBatched) {
            unsent.addAll(ops);
            endWindowLater();
        } else {
            history.forgetDigests(ops);
            flushedText = null; // nobody to start a frame for; rebuilt when a batched subscriber opens
        }
    }

    /**
     * Whether the batched subscribers must get {@code frame}, a broadcast to everyone but
     * {@code except}, after the unsent operations (a presence refers to the committed head); if
     * so it is kept and sent after them, and the caller sends it now to the others only.
     */
    boolean holdForBatched(Outgoing frame, Peer except) {
        boolean hold = !unsent.isEmpty();
        if (hold) {
            heldForBatched.add(new HeldBroadcast(frame, except));
        }
        return hold;
    }

    /**
     * The version a batched subscriber opening now is brought to (by {@code opened}, or by the
     * catch-up from {@code fromVersion}): the start of the next {@code ops} frame, so that frame
     * can be the one all batched subscribers share without skipping or repeating a version for
     * the newcomer. That is the last frame's end, the committed operations since then coming in
     * the next frame with everyone else's, unless the window holds broadcasts (which may refer to
     * versions after it) or the opener has already seen past it: then the window ends now, as it
     * does when the document had no batched subscriber to keep {@link #flushedText} for. Runs
     * when everything applied is committed.
     */
    long joinAt(Long fromVersion) {
        long flushed = flushedVersion();
        if (flushedText == null || !heldForBatched.isEmpty() || (fromVersion != null && fromVersion > flushed)) {
            flush();
            if (flushedText == null) {
                flushedText = Rope.of(history.text());
            }
            return history.committedVersion();
        }
        return flushed;
    }

    /** The text at {@code version}, which {@link #joinAt} returned: the head's, or the one kept for batched openers. */
    String textAt(long version) {
        return version == history.version() ? history.text() : flushedText.toString();
    }

    /** Schedules the flush of {@link #unsent} at the end of the window that its first operation opened. */
    private void endWindowLater() {
        if (windowMillis == 0) {
            flush();
        } else if (!flushScheduled) {
            flushScheduled = true;
            service.afterDelay(session, windowMillis, () -> {
                flushScheduled = false;
                flush();
            });
        }
    }

    /**
     * Sends every batched subscriber the operations committed since its last {@code ops}, as one
     * message shared by all of them, then the broadcasts held behind those operations.
     */
    void flush() {
        if (unsent.isEmpty()) {
            return; // nothing is held unless operations are unsent
        }
        List<ServerMessage.OpEntry> entries = new ArrayList<>(unsent.size());
        for (StoredOp op : unsent) {
            entries.add(new ServerMessage.OpEntry(op.version(), op.op(), op.clientId(), op.seq(),
                    history.digest(op.version())));
        }
        history.forgetDigests(unsent);
        Outgoing frame = new Outgoing(new ServerMessage.Ops(session.docId, entries));
        if (flushedText != null) {
            for (StoredOp op : unsent) {
                flushedText.apply(op.op());
            }
        }
        subscribers.forEachBatched(peer -> {
            peer.send(frame);
            for (HeldBroadcast h : heldForBatched) {
                if (peer != h.except) {
                    peer.send(h.message);
                }
            }
        });
        unsent.clear();
        heldForBatched.clear();
    }
}
