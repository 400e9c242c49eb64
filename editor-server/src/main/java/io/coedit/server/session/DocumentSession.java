package io.coedit.server.session;

import io.coedit.ot.Selection;
import io.coedit.ot.Side;
import io.coedit.ot.TextDigest;
import io.coedit.ot.TextOperation;
import io.coedit.server.session.ServerMessage.PeerPresence;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.StoredOp;
import io.coedit.server.store.VersionConflictException;
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
 *
 * <p><b>Other nodes.</b> When several nodes share the store ({@link Cluster#shared()}), another
 * node may commit to this document first. The store then refuses this node's batch, and
 * {@link #rebase} applies its submissions again after the other node's operations; those are
 * read from the store and delivered here by {@link #catchUp}, on a hint from the other node, a
 * periodic check, or before an open or a read. Presence, leaves and chat travel between the
 * nodes as {@link Cluster.Event}s. docs/SCALING.md tells the whole design.
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
    /** Set when the reload after a failed commit failed: see {@link #reloadIfStale()}. */
    private boolean stale;

    /** The other nodes; {@link Cluster#NONE} when this node is alone. */
    private final Cluster cluster;
    /** The highest head another node said the store has: above the committed head, catch up once durable. */
    private long heardHead;
    /** Presences of other nodes' subscribers placed at versions this node has not read yet. */
    private final List<Cluster.Event.Presence> early = new ArrayList<>();

    DocumentSession(String docId, DocumentService service, DocumentStore store, DocumentService.Settings settings) {
        this.docId = docId;
        this.service = service;
        this.store = store;
        this.settings = settings;
        this.history = new OpHistory(docId, store, settings.historyInMemory());
        this.pipeline = new CommitPipeline(this, history, service, settings);
        this.delivery = new BatchedDelivery(this, history, subscribers, service, settings.batchWindowMillis());
        this.cluster = service.cluster();
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
        pipeline.execute(s -> {
            s.reloadIfStale();
            work.accept(s);
        });
    }

    /**
     * Reloads the document if the reload after a failed commit failed too (the database was
     * still away): until then the text and version still hold what was never committed, which
     * no request may see. Throws, and the request gets {@code internal}, while it still fails.
     */
    void reloadIfStale() {
        if (stale) {
            load();
            stale = false;
        }
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
        if (cluster.shared()) {
            catchUp(); // what the other nodes committed, which this client may have seen there
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
            if (subscribers.size() == 1) {
                cluster.publish(new Cluster.Event.Who(cluster.node(), docId)); // the first here: who is there elsewhere?
            }
            cluster.publish(new Cluster.Event.Presence(cluster.node(), docId, peer.clientId(), peer.user(),
                    history.committedVersion(), null));
        }
        List<PeerPresence> peers = subscribers.presenceOfOthers(peer, at);
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
        submit(peer, baseVersion, seq, op, false);
    }

    /**
     * {@code again}: the submission was applied before, and is applied again after another
     * node's commit ({@link #rebase}); its peer was subscribed then, and may have left since (its
     * edit is still committed, as it would have been).
     */
    private void submit(Peer peer, long baseVersion, long seq, TextOperation op, boolean again) {
        touch();
        if (!again && !subscribers.contains(peer)) {
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
        if (baseVersion > history.version() && cluster.shared()) {
            // Based on a version another node committed that this one has not read yet.
            if (!pipeline.whenDurable(s -> s.submit(peer, baseVersion, seq, op, again))) {
                return;
            }
            catchUp();
            last = history.lastSeq(clientId);
            if (seq <= last) {
                acknowledgeDuplicate(peer, clientId, seq, last); // the other node committed it
                return;
            }
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
        pipeline.add(peer, stored, baseVersion, op);
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
        if (original != null && original.version() >= history.committedVersion() && cluster.shared()) {
            // Another node committed it, past what this node has delivered: an ack now would skip
            // the versions before it. Deliver the history up to it first (its op is then the ack).
            if (!pipeline.whenDurable(s -> s.acknowledgeDuplicate(peer, clientId, seq, last))) {
                return;
            }
            catchUp();
        }
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
        cluster.publish(new Cluster.Event.Presence(cluster.node(), docId, peer.clientId(), peer.user(), head, moved));
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
        cluster.publish(new Cluster.Event.Chat(docId, stored.id(), stored));
    }

    void close(Peer peer) {
        touch();
        if (subscribers.remove(peer)) {
            service.unsubscribed(peer, this);
            broadcast(new ServerMessage.Leave(docId, peer.clientId()), null);
            cluster.publish(new Cluster.Event.Leave(cluster.node(), docId, peer.clientId()));
        }
    }

    /** The text at {@code atVersion} (the head if null), or null if that version does not exist; once durable. */
    void textAt(Long atVersion, Consumer<DocumentService.DocumentText> result) {
        if (pipeline.whenDurable(s -> s.textAt(atVersion, result))) {
            if (cluster.shared()) {
                catchUp(); // a read sees what every node committed before it
            }
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
        if (failure instanceof VersionConflictException && cluster.shared()) {
            rebase(f); // another node committed first
        } else if (failure != null) {
            log.error("commit of {} ops to document {} failed; reloading it from the store", f.ops().size(), docId, failure);
            for (CommitPipeline.Pending p : f.pending()) {
                error(p.peer(), ErrorCode.INTERNAL, "the edit could not be saved; resubmit it", p.op().seq());
            }
            // Applied on top of what failed: not committed either.
            for (CommitPipeline.Pending p : pipeline.dropBatch()) {
                error(p.peer(), ErrorCode.INTERNAL, "the edit could not be saved; resubmit it", p.op().seq());
            }
            try {
                load();
            } catch (RuntimeException e) {
                stale = true;
                log.error("reloading document {} failed too; it reloads before its next request", docId, e);
            }
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
            cluster.publish(new Cluster.Event.Committed(docId, history.committedVersion()));
            placeEarlyPresences();
        }
        pipeline.commitBatch();
        if (pipeline.durable() && heardHead > history.committedVersion()) {
            catchUp();
        }
        pipeline.releaseBarrier();
    }

    // ---- other nodes -------------------------------------------------------------------

    /**
     * Another node committed first: the store refused {@code f}, based on a head that is no
     * longer the head. Everything applied since the committed head is taken back, the other
     * node's operations are read and delivered, and each submission taken back is applied again
     * as it came (its base version, its operation), transformed along the history as it now is.
     * That is the path its client transforms along, so the two agree; transforming the batch
     * past the other node's operations instead would take another path, and text transforms do
     * not promise that two paths give one result. Nothing of the batch was acknowledged or sent.
     */
    private void rebase(CommitPipeline.InFlight f) {
        List<CommitPipeline.Pending> again = new ArrayList<>(f.pending());
        again.addAll(pipeline.dropBatch());
        log.debug("document {}: another node committed first; applying {} submissions again", docId, again.size());
        history.rollBackToCommitted();
        catchUp();
        for (CommitPipeline.Pending p : again) {
            submit(p.peer(), p.baseVersion(), p.op().seq(), p.original(), true);
        }
        service.rebased();
    }

    /**
     * Reads what other nodes committed past the committed head and delivers it to the
     * subscribers here like any committed operation (to every one: none of them submitted it
     * here, and a client that did, elsewhere, takes its own operation for its ack). Only when
     * everything applied here is committed.
     */
    private void catchUp() {
        if (!pipeline.durable()) {
            throw new IllegalStateException("catching up on " + docId + " with operations not yet committed");
        }
        long head = store.headVersion(docId);
        heardHead = Math.max(heardHead, head);
        long from = history.committedVersion();
        if (head <= from) {
            return;
        }
        List<StoredOp> foreign = store.ops(docId, from, head);
        boolean anyBatched = false;
        for (StoredOp op : foreign) {
            history.apply(op);
            history.committedUpTo(history.version());
            String digest = history.digest(op.version());
            anyBatched |= subscribers.sendOp(new Outgoing(new ServerMessage.Op(docId, op.version(), op.op(), op.clientId(),
                    op.seq(), digest)), null);
        }
        delivery.committed(foreign, anyBatched);
        placeEarlyPresences();
    }

    /** Another node says the store has {@code head}. */
    void heardCommitted(long head) {
        heardHead = Math.max(heardHead, head);
        if (head > history.committedVersion() && pipeline.durable()) {
            catchUp();
        }
        // Otherwise the store refuses the batch in flight (and the history is read), or the commit ends with a catch-up.
    }

    /** In case a hint was lost: compares the head with the store's, if anyone here is watching. */
    void checkHead() {
        if (!subscribers.isEmpty() && pipeline.durable()) {
            catchUp();
        }
    }

    /** The link to the other nodes is back: what was said meanwhile is lost; read the head, and ask who is here. */
    void resync() {
        checkHead();
        if (!subscribers.isEmpty()) {
            cluster.publish(new Cluster.Event.Who(cluster.node(), docId));
        }
    }

    /** Another node's subscriber placed itself: relayed here at this node's committed head. */
    void heardPresence(Cluster.Event.Presence p) {
        if (subscribers.isLocal(p.clientId())) {
            return; // the client moved here; its old node has not noticed yet
        }
        if (p.version() > history.committedVersion() && pipeline.durable()) {
            catchUp();
        }
        if (p.version() > history.committedVersion()) {
            early.add(p); // placed once this node has read that far
            return;
        }
        place(p);
    }

    private void place(Cluster.Event.Presence p) {
        long head = history.committedVersion();
        List<Selection> moved = null;
        if (p.selection() != null) {
            if (head - p.version() > settings.maxCatchUp()) {
                return;
            }
            List<StoredOp> since = history.history(p.version(), head);
            moved = new ArrayList<>(p.selection().size());
            for (Selection s : p.selection()) {
                for (StoredOp op : since) {
                    s = op.op().transformSelection(s, Side.LEFT);
                }
                moved.add(clamp(s));
            }
            moved = List.copyOf(moved);
        }
        subscribers.placeRemote(p.clientId(), new Subscribers.Remote(p.node(), p.user(), head, moved));
        broadcast(new ServerMessage.Presence(docId, p.clientId(), p.user(), head, moved), null);
    }

    private void placeEarlyPresences() {
        if (early.isEmpty()) {
            return;
        }
        long head = history.committedVersion();
        List<Cluster.Event.Presence> ready = new ArrayList<>();
        early.removeIf(p -> p.version() <= head && ready.add(p));
        for (Cluster.Event.Presence p : ready) {
            if (!subscribers.isLocal(p.clientId())) {
                place(p);
            }
        }
    }

    /** Another node's subscriber left. */
    void heardLeave(String node, String clientId) {
        early.removeIf(p -> p.clientId().equals(clientId));
        if (subscribers.removeRemote(node, clientId) && !subscribers.isLocal(clientId)) {
            broadcast(new ServerMessage.Leave(docId, clientId), null);
        }
    }

    /** Another node stopped: its subscribers left. */
    void nodeGone(String node) {
        early.removeIf(p -> p.node().equals(node));
        for (String clientId : subscribers.remoteOn(node)) {
            heardLeave(node, clientId);
        }
    }

    /** A chat line another node stored. */
    void heardChat(Cluster.Event.Chat c) {
        ChatMessage message = c.message();
        if (message == null) {
            for (ChatMessage m : store.recentChat(docId, settings.chatHistory())) {
                if (m.id() == c.id()) {
                    message = m;
                }
            }
        }
        if (message != null) {
            broadcast(new ServerMessage.Chat(docId, chatLine(message)), null);
        }
    }

    /** A node opened this document for its first subscriber: tell it who is here. */
    void heardWho() {
        for (Subscribers.Subscriber s : subscribers.local()) {
            boolean placed = s.presenceVersion >= 0;
            cluster.publish(new Cluster.Event.Presence(cluster.node(), docId, s.peer.clientId(), s.peer.user(),
                    placed ? s.presenceVersion : history.committedVersion(), placed ? s.selection : null));
        }
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
