package io.coedit.server.session;

import io.coedit.ot.Selection;
import io.coedit.ot.Side;
import io.coedit.ot.TextDigest;
import io.coedit.ot.TextOperation;
import io.coedit.server.session.ServerMessage.PeerPresence;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.StoredOp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open document, and the coordinator every request on it enters. Every method runs on
 * the document's {@link SerialQueue}, so nothing here is shared between threads and a
 * document has exactly one writer.
 *
 * <p>The state lives in four parts, each the owner of one concept: {@link OpHistory} (the
 * text, its versions and the recent operations), {@link CommitPipeline} (the batch, the commit
 * in flight and the barrier for work that must see only committed state),
 * {@link BatchedDelivery} (the flush window of subscribers that asked for batched delivery) and
 * {@link Subscribers} (who has the document open, and their presence). This class checks each
 * request, moves it through the parts, and says what happens when a commit lands: the senders
 * are acknowledged and the operations broadcast only once they are durable.
 */
final class DocumentSession {
    private static final Logger log = LoggerFactory.getLogger(DocumentSession.class);

    final String docId;
    private final DocumentService service;
    private final DocumentStore store;
    private final DocumentService.Settings settings;

    private final OpHistory history;
    private final Subscribers subscribers = new Subscribers();
    private final CommitPipeline pipeline;
    private final BatchedDelivery delivery;
    private long lastActivity;

    DocumentSession(String docId, DocumentService service, DocumentStore store, DocumentService.Settings settings) {
        this.docId = docId;
        this.service = service;
        this.store = store;
        this.settings = settings;
        this.history = new OpHistory(docId, store, settings.historyInMemory());
        this.pipeline = new CommitPipeline(this, history, service, settings);
        this.delivery = new BatchedDelivery(this, history, subscribers, service, settings.batchWindowMillis());
        load();
    }

    private void load() {
        history.load();
        delivery.forgetFlushedText();
        touch();
    }

    private void touch() {
        lastActivity = service.nowMillis();
    }

    boolean idleSince(long cutoff) {
        return subscribers.isEmpty() && pipeline.durable() && pipeline.nothingHeld() && lastActivity < cutoff;
    }

    /** Runs a request now, or after the work waiting at the barrier. */
    void execute(Consumer<DocumentSession> work) {
        pipeline.execute(work);
    }

    /** Runs {@code then} once everything applied so far is durable (for shutdown and reads). */
    void afterCommit(Runnable then) {
        if (pipeline.whenDurable(s -> s.afterCommit(then))) {
            then.run();
        }
    }

    int subscriberCount() {
        return subscribers.size();
    }

    // ---- requests ----------------------------------------------------------------------

    void open(Peer peer, Long fromVersion) {
        touch();
        if (!peer.canRead(docId)) {
            error(peer, ErrorCode.FORBIDDEN, "you may not read document " + docId, null);
            return;
        }
        if (!pipeline.whenDurable(s -> s.open(peer, fromVersion))) {
            return; // whoever opens sees only committed operations
        }
        long version = history.version();
        if (fromVersion != null) {
            if (fromVersion > version) {
                error(peer, ErrorCode.VERSION_AHEAD, "version " + fromVersion + " is beyond the head " + version, null);
                return;
            }
            if (version - fromVersion > settings.maxCatchUp()) {
                error(peer, ErrorCode.HISTORY_GONE, "version " + fromVersion + " is " + (version - fromVersion)
                        + " operations behind, more than the " + settings.maxCatchUp() + " a catch-up replays: reload", null);
                return;
            }
        }
        // The next ops frame, which every batched subscriber shares, starts where the last one
        // ended: a batched opener is given the document there (see BatchedDelivery.joinAt), and a
        // plain one the head.
        long at = peer.batched() ? delivery.joinAt(fromVersion) : version;
        if (subscribers.add(peer)) {
            service.subscribed(peer, this);
            // Everyone present learns of the newcomer now, not at its first caret move (which may never come).
            broadcast(new ServerMessage.Presence(docId, peer.clientId(), peer.user(), history.committedVersion(), null), peer);
        }
        List<PeerPresence> peers = subscribers.presenceOfOthers(peer);
        List<ServerMessage.ChatLine> chat = new ArrayList<>();
        for (ChatMessage c : store.recentChat(docId, settings.chatHistory())) {
            chat.add(chatLine(c));
        }
        boolean readOnly = !peer.canWrite(docId);
        if (fromVersion == null) {
            String atText = delivery.textAt(at);
            peer.send(new Outgoing(new ServerMessage.Opened(docId, at, atText, peers, chat, readOnly,
                    TextDigest.of(atText))));
            return;
        }
        peer.send(new Outgoing(new ServerMessage.Opened(docId, fromVersion, null, peers, chat, readOnly)));
        for (StoredOp op : history.history(fromVersion, at)) {
            peer.send(new Outgoing(new ServerMessage.Op(docId, op.version(), op.op(), op.clientId(), op.seq())));
        }
    }

    void submit(Peer peer, long baseVersion, long seq, TextOperation op) {
        touch();
        if (!subscribers.contains(peer)) {
            error(peer, ErrorCode.NOT_OPEN, "open document " + docId + " before editing it", seq);
            return;
        }
        if (!peer.canWrite(docId)) {
            error(peer, ErrorCode.FORBIDDEN, "you may not edit document " + docId, seq);
            return;
        }
        String clientId = peer.clientId();
        long last = history.lastSeq(clientId);
        if (seq <= last) {
            acknowledgeDuplicate(peer, clientId, seq, last);
            return;
        }
        long version = history.version();
        if (baseVersion > version) {
            error(peer, ErrorCode.VERSION_AHEAD, "version " + baseVersion + " is beyond the head " + version, seq);
            return;
        }
        if (version - baseVersion > settings.maxCatchUp()) {
            error(peer, ErrorCode.HISTORY_GONE, "op is based on version " + baseVersion + ", "
                    + (version - baseVersion) + " operations behind the head: reload the document", seq);
            return;
        }
        List<StoredOp> behind = history.history(baseVersion, version);
        TextOperation transformed = transformAffordably(peer, op, behind, seq);
        if (transformed == null) {
            return;
        }
        int length = history.length();
        int lengthAtBase = length;
        for (StoredOp committed : behind) {
            lengthAtBase -= committed.op().lengthChange();
        }
        try {
            // The op must fit the document it was made on, a trailing retain included
            // ([4] on "abc" is refused, not a no-op), even where transforming drops what overreaches.
            op.resultLength(lengthAtBase);
            int after = transformed.resultLength(length);
            if (after > settings.maxDocumentCodePoints() && after > length) {
                error(peer, ErrorCode.TOO_LARGE, "the document would have " + after + " code points, more than the limit of "
                        + settings.maxDocumentCodePoints(), seq);
                return;
            }
        } catch (IllegalArgumentException e) {
            error(peer, ErrorCode.INVALID_OP, e.getMessage() + " (at version " + version + ")", seq);
            return;
        }
        StoredOp stored = new StoredOp(version, transformed, clientId, seq, peer.user().id(), service.nowMillis());
        history.apply(stored);
        pipeline.add(peer, stored);
    }

    /**
     * {@code op} transformed past {@code behind}, or null (the peer told {@code too_costly}) if
     * that would walk more components than {@link DocumentService.WorkLimits#maxTransformCost()}.
     * Each step walks the op as transformed so far plus the operation it passes, so the cost is
     * known before any work (n × K + the components of the K operations) unless the op grows
     * on the way; then the walk stops at the limit. Nothing is changed either way.
     */
    private TextOperation transformAffordably(Peer peer, TextOperation op, List<StoredOp> behind, long seq) {
        if (behind.isEmpty()) {
            return op;
        }
        long limit = service.maxTransformCost();
        int components = op.components().size();
        int[] sizes = new int[behind.size()];
        long cost = 0;
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = behind.get(i).op().components().size();
            cost += components + sizes[i];
        }
        TextOperation transformed = op;
        long walked = 0;
        for (int i = 0; i < sizes.length && cost <= limit; i++) {
            walked += transformed.components().size() + sizes[i];
            if (walked > limit) {
                cost = walked + (long) (sizes.length - i - 1) * transformed.components().size();
                break;
            }
            transformed = TextOperation.transform(transformed, behind.get(i).op(), Side.RIGHT);
        }
        if (cost > limit || walked > limit) {
            error(peer, ErrorCode.TOO_COSTLY, "an op of " + components + " components based " + behind.size()
                    + " versions behind the head costs at least " + Math.max(cost, walked) + " to transform, more than the "
                    + "limit of " + limit + " (components times versions behind): base it on a newer version, or send it "
                    + "in smaller parts", seq);
            return null;
        }
        return transformed;
    }

    private void acknowledgeDuplicate(Peer peer, String clientId, long seq, long last) {
        if (pipeline.awaitAck(peer, clientId, seq)) {
            return;
        }
        StoredOp original = history.submission(clientId, seq);
        if (original == null) {
            // A seq at or below one already committed, but never committed itself: it was rejected.
            error(peer, ErrorCode.BAD_REQUEST, "seq " + seq + " is not above this client's last committed seq "
                    + last, seq);
            return;
        }
        if (subscribers.batched(peer) && original.version() >= delivery.flushedVersion()) {
            return; // the next ops frame carries the original, which stands for the ack
        }
        peer.send(new Outgoing(new ServerMessage.Ack(docId, seq, original.version())));
    }

    void presence(Peer peer, long atVersion, List<Selection> selection) {
        touch();
        Subscribers.Subscriber me = subscribers.get(peer);
        if (me == null) {
            error(peer, ErrorCode.NOT_OPEN, "open document " + docId + " before sending presence", null);
            return;
        }
        // Peers know only committed versions, so presence is placed at the committed head.
        long head = history.committedVersion();
        if (atVersion > head) {
            error(peer, ErrorCode.VERSION_AHEAD, "version " + atVersion + " is beyond the head " + head, null);
            return;
        }
        if (head - atVersion > settings.maxCatchUp()) {
            return; // too stale to place; the next presence will do
        }
        List<Selection> moved = selection;
        if (selection != null) {
            List<StoredOp> since = history.history(atVersion, head);
            moved = new ArrayList<>(selection.size());
            for (Selection s : selection) {
                for (StoredOp op : since) {
                    s = op.op().transformSelection(s, Side.LEFT);
                }
                moved.add(clamp(s));
            }
            moved = List.copyOf(moved);
        }
        me.presenceVersion = head;
        me.selection = moved;
        broadcast(new ServerMessage.Presence(docId, peer.clientId(), peer.user(), head, moved), peer);
    }

    private Selection clamp(Selection s) {
        int max = Integer.MAX_VALUE; // placed by the ops; only a caret past the end needs care
        if (pipeline.durable()) {
            max = history.length();
        }
        return new Selection(Math.min(s.anchor(), max), Math.min(s.head(), max));
    }

    void chat(Peer peer, String message) {
        touch();
        if (!subscribers.contains(peer)) {
            error(peer, ErrorCode.NOT_OPEN, "open document " + docId + " before chatting in it", null);
            return;
        }
        // The chat is kept with the document, so adding to it is writing: a read-only user reads it.
        if (!peer.canWrite(docId)) {
            error(peer, ErrorCode.FORBIDDEN, "you may read document " + docId + " but not edit it, nor chat in it", null);
            return;
        }
        ChatMessage stored = store.addChat(docId, peer.user().id(), peer.user().name(), message, service.nowMillis());
        broadcast(new ServerMessage.Chat(docId, chatLine(stored)), null);
    }

    void close(Peer peer) {
        touch();
        if (subscribers.remove(peer)) {
            service.unsubscribed(peer, this);
            broadcast(new ServerMessage.Leave(docId, peer.clientId()), null);
        }
    }

    /** The text at {@code atVersion} (the head if null), or null if that version does not exist; once durable. */
    void textAt(Long atVersion, Consumer<DocumentService.DocumentText> result) {
        if (pipeline.whenDurable(s -> s.textAt(atVersion, result))) {
            long v = atVersion == null ? history.version() : atVersion;
            String t = history.textAt(v);
            result.accept(t == null ? null : new DocumentService.DocumentText(docId, v, t));
        }
    }

    long version() {
        return history.version();
    }

    // ---- commit ------------------------------------------------------------------------

    /**
     * Hands the batch to the committer unless a batch is already in flight (then it goes when
     * that one is done). Called when the queue has nothing else waiting.
     */
    void commitBatch() {
        pipeline.commitBatch();
    }

    /** The committer is done with {@code f}: acknowledge and broadcast it, or report its failure. */
    void committed(CommitPipeline.InFlight f, RuntimeException failure) {
        if (!pipeline.landed(f)) {
            return;
        }
        if (failure != null) {
            log.error("commit of {} ops to document {} failed; reloading it from the store", f.ops().size(), docId, failure);
            for (CommitPipeline.Pending p : f.pending()) {
                error(p.peer(), ErrorCode.INTERNAL, "the edit could not be saved; resubmit it", p.op().seq());
            }
            // Applied on top of what failed: not committed either.
            for (CommitPipeline.Pending p : pipeline.dropBatch()) {
                error(p.peer(), ErrorCode.INTERNAL, "the edit could not be saved; resubmit it", p.op().seq());
            }
            load();
        } else {
            history.committedUpTo(f.headVersion());
            service.committed(f.ops().size());
            // In version order, so that every subscriber sees the history without gaps: the
            // sender gets its ack where the others get the operation. A batched subscriber gets
            // neither now: its own operations in the next ops frame are its acks. A batched
            // sender that closed the document meanwhile will see no frame: it gets the ack.
            boolean anyBatched = false;
            for (StoredOp op : f.ops()) {
                String digest = history.digest(op.version());
                for (CommitPipeline.Pending p : f.pending()) {
                    if (p.op() == op && !subscribers.batched(p.peer())) {
                        p.peer().send(new Outgoing(new ServerMessage.Ack(docId, op.seq(), op.version(), digest)));
                    }
                }
                Outgoing frame = new Outgoing(new ServerMessage.Op(docId, op.version(), op.op(), op.clientId(), op.seq(),
                        digest));
                anyBatched |= subscribers.sendOp(frame, op.clientId());
            }
            delivery.committed(f.ops(), anyBatched);
        }
        pipeline.commitBatch();
        pipeline.releaseBarrier();
    }

    /**
     * Sends every batched subscriber the operations committed since its last {@code ops}, as one
     * message shared by all of them, then the broadcasts held behind those operations.
     */
    void flushBatched() {
        delivery.flush();
    }

    // ---- helpers -----------------------------------------------------------------------

    /**
     * Sends {@code message} to every subscriber but {@code except}; batched subscribers that
     * still have operations coming get it after them (a presence refers to the committed head).
     */
    private void broadcast(ServerMessage message, Peer except) {
        Outgoing frame = new Outgoing(message);
        boolean holdForBatched = delivery.holdForBatched(frame, except);
        subscribers.send(frame, except, holdForBatched);
    }

    /** A stored chat message as peers see it. */
    private static ServerMessage.ChatLine chatLine(ChatMessage c) {
        return new ServerMessage.ChatLine(c.id(), c.userId(), c.userName(), c.text(), c.timestamp());
    }

    private void error(Peer peer, ErrorCode code, String message, Long seq) {
        peer.send(new Outgoing(new ServerMessage.Error(code, message, docId, seq)));
    }
}
