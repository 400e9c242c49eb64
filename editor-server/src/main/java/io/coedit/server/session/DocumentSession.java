package io.coedit.server.session;

import io.coedit.ot.Rope;
import io.coedit.ot.Selection;
import io.coedit.ot.Side;
import io.coedit.ot.TextDigest;
import io.coedit.ot.TextOperation;
import io.coedit.server.session.ServerMessage.PeerPresence;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.Snapshot;
import io.coedit.server.store.StoredOp;
import io.coedit.server.store.VersionConflictException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open document: its text, its recent history and its subscribers. Every method runs
 * on the document's {@link SerialQueue}, so nothing here is shared between threads and a
 * document has exactly one writer.
 *
 * <p>Submissions are not committed one by one: they are transformed and applied as they
 * arrive, collected, and when the queue has nothing else waiting the whole batch is handed
 * to the {@link GroupCommitter}, which writes it in one transaction with the batches of
 * other documents. Only when that transaction is durable are the senders acknowledged and
 * the operations broadcast: an acknowledgement means the operation is durable.
 *
 * <p>At most one batch is in flight; operations arriving meanwhile are applied and form the
 * next batch, handed over when the first is done, so versions reach the store in order.
 * Work that must see only committed state (an {@code open}, a read of the text, shutdown)
 * raises a barrier: it and everything that arrives after it wait in {@link #held}, in order,
 * until what was applied before it is committed. Nothing blocks a thread meanwhile.
 *
 * <p><b>Batched delivery.</b> A subscriber whose peer asked for it ({@link Peer#batched()})
 * gets no {@code op} or {@code ack}: committed operations gather in {@link #unsent} for a
 * flush window ({@link DocumentService.Settings#batchWindowMillis()}) and then go out as one
 * {@code ops} message, the same instance for every batched subscriber so that it is encoded
 * once, the sender's own operations standing for its acks. What a batched subscriber must see
 * in order with those operations is kept in order with them: a broadcast made while operations
 * are unsent (a presence placed at the committed head, a leave, a chat line) is held and sent
 * right after them, and a batched opener is given the document at the version the next frame
 * starts at ({@link #flushedText}), so that frame is the one it shares with everyone, without
 * a gap or a repeat, and its open does not end the window for the others. The window only delays delivery after the
 * commit: nothing is sent before it is durable.
 */
final class DocumentSession {
    private static final Logger log = LoggerFactory.getLogger(DocumentSession.class);

    final String docId;
    private final DocumentService service;
    private final DocumentStore store;
    private final DocumentService.Settings settings;

    private Rope text;
    private long version; // committed head, plus the batch once it is applied
    private long committedVersion;
    /** The last operations, oldest first, ending at {@link #version}. */
    private final ArrayDeque<StoredOp> recent = new ArrayDeque<>();
    private final Map<Peer, Subscriber> subscribers = new LinkedHashMap<>();
    private final Map<String, Long> lastSeq = new HashMap<>();

    private final List<Pending> batch = new ArrayList<>();
    /** The batch the committer is writing, or null. */
    private InFlight inFlight;
    /** Set when the reload after a failed commit failed: see {@link #reloadIfStale()}. */
    private boolean stale;
    /** Set while work waits for everything applied so far to be committed. */
    private boolean barrier;
    /** Work that arrived behind the barrier, in arrival order. */
    private final ArrayDeque<Consumer<DocumentSession>> held = new ArrayDeque<>();
    private long lastActivity;

    /** The other nodes; {@link Cluster#NONE} when this node is alone. */
    private final Cluster cluster;
    /** The highest head another node said the store has: above {@link #committedVersion}, catch up once durable. */
    private long heardHead;
    /** Subscribers on other nodes, by client id, as their nodes last told. */
    private final Map<String, RemotePeer> remote = new LinkedHashMap<>();
    /** Presences of other nodes' subscribers placed at versions this node has not read yet. */
    private final List<Cluster.Event.Presence> early = new ArrayList<>();

    /**
     * Committed operations not yet sent to the batched subscribers, oldest first, ending at
     * {@link #committedVersion}; empty when no batched subscriber was there to receive them.
     */
    private final List<StoredOp> unsent = new ArrayList<>();
    /** Broadcasts made while {@link #unsent} was not empty: batched subscribers get them right after it. */
    private final List<HeldBroadcast> heldForBatched = new ArrayList<>();
    /** Whether the end of the current flush window is scheduled. */
    private boolean flushScheduled;
    /**
     * The text at the version the next {@code ops} frame starts at ({@link #committedVersion} minus
     * {@link #unsent}): what a batched subscriber joining now is given, so that its open need not
     * end the window for everyone. Null while the document has no batched subscriber.
     */
    private Rope flushedText;

    /**
     * Digests of the text after the operations that get one ({@link #digestDue}), by the
     * operation's version, from when it is applied until its {@code ack}, {@code op} and
     * {@code ops} entries are sent.
     */
    private final Map<Long, String> digests = new HashMap<>();

    /** Digests go out at least this often (in versions) whatever the size of the document. */
    static final int MIN_DIGEST_INTERVAL = 16;
    /**
     * At most this many code points are hashed per operation, on average, for the digests: a
     * fraction of a microsecond, where a snapshot every 500 versions already copies the whole
     * text (measured on a loaded 2-core machine: the digest runs at about a quarter of the cost
     * per code point of {@code Rope.toString()}).
     */
    static final int DIGEST_POINTS_PER_OP = 64;

    private record HeldBroadcast(Outgoing message, Peer except) {}

    /**
     * A submission applied but not yet committed: who to acknowledge, the operation as applied,
     * and the submission as it came ({@code baseVersion}, {@code original}), from which it is
     * transformed again if another node commits first (see {@link #rebase}).
     */
    private record Pending(Peer peer, StoredOp op, long baseVersion, TextOperation original) {}

    /** A subscriber on another node, as it last placed itself here (at a version of this node's history). */
    private record RemotePeer(String node, User user, long version, List<Selection> selection) {}

    private record InFlight(List<Pending> pending, List<StoredOp> ops, long headVersion) {}

    private static final class Subscriber {
        final Peer peer;
        final boolean batched;
        long presenceVersion = -1;
        List<Selection> selection;

        Subscriber(Peer peer) {
            this.peer = peer;
            this.batched = peer.batched();
        }
    }

    DocumentSession(String docId, DocumentService service, DocumentStore store, DocumentService.Settings settings) {
        this.docId = docId;
        this.service = service;
        this.store = store;
        this.settings = settings;
        this.cluster = service.cluster();
        load();
    }

    private void load() {
        long head = store.headVersion(docId);
        Snapshot base = store.snapshotAtOrBelow(docId, head).orElse(new Snapshot(0, ""));
        Rope rope = Rope.of(base.text());
        List<StoredOp> tail = store.ops(docId, base.version(), head);
        for (StoredOp op : tail) {
            rope.apply(op.op());
        }
        text = rope;
        version = head;
        committedVersion = head;
        recent.clear();
        int keep = Math.min(tail.size(), settings.historyInMemory());
        recent.addAll(tail.subList(tail.size() - keep, tail.size()));
        lastSeq.clear();
        flushedText = null;
        digests.clear();
        touch();
    }

    private void touch() {
        lastActivity = service.nowMillis();
    }

    boolean idleSince(long cutoff) {
        return subscribers.isEmpty() && durable() && held.isEmpty() && lastActivity < cutoff;
    }

    /** Whether everything applied is committed (nothing batched, nothing in flight). */
    private boolean durable() {
        return batch.isEmpty() && inFlight == null;
    }

    /** Runs a request now, or after the work waiting at the barrier. */
    void execute(Consumer<DocumentSession> work) {
        if (barrier) {
            held.addLast(work);
            return;
        }
        reloadIfStale();
        work.accept(this);
    }

    /**
     * Reloads the document if the reload after a failed commit failed too (the database was
     * still away): until then the text and version still hold what was never committed, which
     * no request may see. Throws, and the request gets {@code internal}, while it still fails.
     */
    private void reloadIfStale() {
        if (stale) {
            load();
            stale = false;
        }
    }

    /**
     * Runs {@code work} once everything applied so far is committed: now if it is, else behind a
     * barrier that holds later requests until then. Returns whether it ran now.
     */
    private boolean whenDurable(Consumer<DocumentSession> work) {
        if (durable()) {
            return true;
        }
        barrier = true;
        held.addFirst(work); // ahead of whatever arrived after it
        commitBatch();
        return false;
    }

    /** Runs {@code then} once everything applied so far is durable (for shutdown and reads). */
    void afterCommit(Runnable then) {
        if (whenDurable(s -> s.afterCommit(then))) {
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
        if (!whenDurable(s -> s.open(peer, fromVersion))) {
            return; // whoever opens sees only committed operations
        }
        if (cluster.shared()) {
            catchUp(); // what the other nodes committed, which this client may have seen there
        }
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
        // ended: a batched opener is given the document there (see joinAt), and a plain one the head.
        long at = peer.batched() ? joinAt(fromVersion) : version;
        boolean already = subscribers.containsKey(peer);
        subscribers.put(peer, subscribers.getOrDefault(peer, new Subscriber(peer)));
        if (!already) {
            service.subscribed(peer, this);
            // Everyone present learns of the newcomer now, not at its first caret move (which may never come).
            broadcast(new ServerMessage.Presence(docId, peer.clientId(), peer.user(), committedVersion, null), peer);
            if (subscribers.size() == 1) {
                cluster.publish(new Cluster.Event.Who(cluster.node(), docId)); // the first here: who is there elsewhere?
            }
            cluster.publish(new Cluster.Event.Presence(cluster.node(), docId, peer.clientId(), peer.user(), committedVersion,
                    null));
        }
        List<PeerPresence> peers = new ArrayList<>();
        for (Subscriber s : subscribers.values()) {
            if (s.peer != peer) {
                peers.add(new PeerPresence(s.peer.clientId(), s.peer.user(), s.presenceVersion, s.selection));
            }
        }
        remote.forEach((clientId, r) -> {
            if (r.version <= at) {
                peers.add(new PeerPresence(clientId, r.user, r.version, r.selection));
            } else {
                peers.add(new PeerPresence(clientId, r.user, -1, null)); // placed after this opener's text: listed, no caret yet
            }
        });
        List<ChatMessage> chat = store.recentChat(docId, settings.chatHistory());
        boolean readOnly = !peer.canWrite(docId);
        if (fromVersion == null) {
            String atText = at == version ? text.toString() : flushedText.toString();
            peer.send(new Outgoing(new ServerMessage.Opened(docId, at, atText, peers, chat, readOnly,
                    TextDigest.of(atText))));
            return;
        }
        peer.send(new Outgoing(new ServerMessage.Opened(docId, fromVersion, null, peers, chat, readOnly)));
        for (StoredOp op : history(fromVersion, at)) {
            peer.send(new Outgoing(new ServerMessage.Op(docId, op.version(), op.op(), op.clientId(), op.seq())));
        }
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
    private long joinAt(Long fromVersion) {
        long flushed = committedVersion - unsent.size();
        if (flushedText == null || !heldForBatched.isEmpty() || (fromVersion != null && fromVersion > flushed)) {
            flushBatched();
            if (flushedText == null) {
                flushedText = Rope.of(text.toString());
            }
            return committedVersion;
        }
        return flushed;
    }

    void submit(Peer peer, long baseVersion, long seq, TextOperation op) {
        submit(peer, baseVersion, seq, op, false);
    }

    /**
     * {@code replay}: the submission was applied before and is applied again after another
     * node's commit ({@link #rebase}): its peer was subscribed then, and may have left since
     * (its edit is still committed, as it would have been).
     */
    private void submit(Peer peer, long baseVersion, long seq, TextOperation op, boolean replay) {
        touch();
        if (!replay && !subscribers.containsKey(peer)) {
            error(peer, ErrorCode.NOT_OPEN, "open document " + docId + " before editing it", seq);
            return;
        }
        if (!peer.canWrite(docId)) {
            error(peer, ErrorCode.FORBIDDEN, "you may not edit document " + docId, seq);
            return;
        }
        String clientId = peer.clientId();
        long last = lastSeq.computeIfAbsent(clientId, id -> store.lastSeq(docId, id));
        if (seq <= last) {
            acknowledgeDuplicate(peer, clientId, seq);
            return;
        }
        if (baseVersion > version && cluster.shared()) {
            // Based on a version another node committed that this one has not read yet.
            if (!whenDurable(s -> s.submit(peer, baseVersion, seq, op, replay))) {
                return;
            }
            catchUp();
            if (seq <= lastSeq.computeIfAbsent(clientId, id -> store.lastSeq(docId, id))) {
                acknowledgeDuplicate(peer, clientId, seq); // committed by the other node
                return;
            }
        }
        if (baseVersion > version) {
            error(peer, ErrorCode.VERSION_AHEAD, "version " + baseVersion + " is beyond the head " + version, seq);
            return;
        }
        if (version - baseVersion > settings.maxCatchUp()) {
            error(peer, ErrorCode.HISTORY_GONE, "op is based on version " + baseVersion + ", "
                    + (version - baseVersion) + " operations behind the head: reload the document", seq);
            return;
        }
        List<StoredOp> behind = history(baseVersion, version);
        TextOperation transformed = transformAffordably(peer, op, behind, seq);
        if (transformed == null) {
            return;
        }
        int length = text.length();
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
        text.apply(transformed);
        StoredOp stored = new StoredOp(version, transformed, clientId, seq, peer.user().id(), service.nowMillis());
        version++;
        if (digestDue(version, text.length())) {
            digests.put(stored.version(), TextDigest.of(text));
        }
        lastSeq.put(clientId, seq);
        remember(stored);
        batch.add(new Pending(peer, stored, baseVersion, op));
        if (batch.size() >= settings.maxBatch()) {
            commitBatch();
            if (inFlight != null && !batch.isEmpty()) {
                // The committer is behind: hold further requests rather than let the
                // uncommitted tail outgrow the history kept in memory.
                barrier = true;
            }
        }
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

    private void acknowledgeDuplicate(Peer peer, String clientId, long seq) {
        for (Pending p : batch) {
            if (p.op.clientId().equals(clientId) && p.op.seq() == seq) {
                // Not durable yet: acknowledge once the batch commits, like the original.
                batch.add(new Pending(peer, p.op, p.baseVersion, p.original));
                return;
            }
        }
        if (inFlight != null) {
            for (Pending p : inFlight.pending) {
                if (p.op.clientId().equals(clientId) && p.op.seq() == seq) {
                    inFlight.pending.add(new Pending(peer, p.op, p.baseVersion, p.original));
                    return;
                }
            }
        }
        StoredOp original = null;
        for (StoredOp op : recent) {
            if (op.clientId().equals(clientId) && op.seq() == seq) {
                original = op;
            }
        }
        if (original == null) {
            original = store.findSubmission(docId, clientId, seq).orElse(null);
        }
        if (original == null) {
            // A seq at or below one already committed, but never committed itself: it was rejected.
            error(peer, ErrorCode.BAD_REQUEST, "seq " + seq + " is not above this client's last committed seq "
                    + lastSeq.get(clientId), seq);
            return;
        }
        if (peer.batched() && subscribers.containsKey(peer) && original.version() >= committedVersion - unsent.size()) {
            return; // the next ops frame carries the original, which stands for the ack
        }
        peer.send(new Outgoing(new ServerMessage.Ack(docId, seq, original.version())));
    }

    void presence(Peer peer, long atVersion, List<Selection> selection) {
        touch();
        Subscriber me = subscribers.get(peer);
        if (me == null) {
            error(peer, ErrorCode.NOT_OPEN, "open document " + docId + " before sending presence", null);
            return;
        }
        // Peers know only committed versions, so presence is placed at the committed head.
        long head = committedVersion;
        if (atVersion > head) {
            error(peer, ErrorCode.VERSION_AHEAD, "version " + atVersion + " is beyond the head " + head, null);
            return;
        }
        if (head - atVersion > settings.maxCatchUp()) {
            return; // too stale to place; the next presence will do
        }
        List<Selection> moved = selection;
        if (selection != null) {
            List<StoredOp> since = history(atVersion, head);
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
        if (durable()) {
            max = text.length();
        }
        return new Selection(Math.min(s.anchor(), max), Math.min(s.head(), max));
    }

    void chat(Peer peer, String message) {
        touch();
        if (!subscribers.containsKey(peer)) {
            error(peer, ErrorCode.NOT_OPEN, "open document " + docId + " before chatting in it", null);
            return;
        }
        // The chat is kept with the document, so adding to it is writing: a read-only user reads it.
        if (!peer.canWrite(docId)) {
            error(peer, ErrorCode.FORBIDDEN, "you may read document " + docId + " but not edit it, nor chat in it", null);
            return;
        }
        ChatMessage stored = store.addChat(docId, peer.user().id(), peer.user().name(), message, service.nowMillis());
        broadcast(new ServerMessage.Chat(docId, stored), null);
        cluster.publish(new Cluster.Event.Chat(docId, stored.id(), stored));
    }

    void close(Peer peer) {
        touch();
        if (subscribers.remove(peer) != null) {
            service.unsubscribed(peer, this);
            broadcast(new ServerMessage.Leave(docId, peer.clientId()), null);
            cluster.publish(new Cluster.Event.Leave(cluster.node(), docId, peer.clientId()));
        }
    }

    /** The text at {@code atVersion} (the head if null), or null if that version does not exist; once durable. */
    void textAt(Long atVersion, Consumer<DocumentService.DocumentText> result) {
        if (whenDurable(s -> s.textAt(atVersion, result))) {
            if (cluster.shared()) {
                catchUp(); // a read sees what every node committed before it
            }
            long v = atVersion == null ? version : atVersion;
            String t = textAt(v);
            result.accept(t == null ? null : new DocumentService.DocumentText(docId, v, t));
        }
    }

    private String textAt(long atVersion) {
        if (atVersion < 0 || atVersion > version) {
            return null;
        }
        if (atVersion == version) {
            return text.toString();
        }
        Snapshot base = store.snapshotAtOrBelow(docId, atVersion).orElse(new Snapshot(0, ""));
        Rope rope = Rope.of(base.text());
        for (StoredOp op : store.ops(docId, base.version(), atVersion)) {
            rope.apply(op.op());
        }
        return rope.toString();
    }

    long version() {
        return version;
    }

    // ---- commit ------------------------------------------------------------------------

    /**
     * Hands the batch to the committer unless a batch is already in flight (then it goes when
     * that one is done). Called when the queue has nothing else waiting.
     */
    void commitBatch() {
        if (batch.isEmpty() || inFlight != null) {
            return;
        }
        List<StoredOp> ops = new ArrayList<>();
        for (Pending p : batch) {
            if (ops.isEmpty() || ops.get(ops.size() - 1).version() < p.op.version()) {
                ops.add(p.op);
            }
        }
        Snapshot snapshot = null;
        long every = settings.snapshotEvery();
        if (committedVersion / every != version / every) {
            snapshot = new Snapshot(version, text.toString());
        }
        InFlight f = new InFlight(new ArrayList<>(batch), ops, version);
        batch.clear();
        inFlight = f;
        service.commit(this, new DocumentCommit(docId, committedVersion, ops, snapshot), failure -> committed(f, failure));
    }

    /** The committer is done with {@code f}: acknowledge and broadcast it, or report its failure. */
    void committed(InFlight f, RuntimeException failure) {
        if (f != inFlight) {
            return;
        }
        inFlight = null;
        if (failure instanceof VersionConflictException && cluster.shared()) {
            rebase(f); // another node committed first
        } else if (failure != null) {
            log.error("commit of {} ops to document {} failed; reloading it from the store", f.ops.size(), docId, failure);
            for (Pending p : f.pending) {
                error(p.peer, ErrorCode.INTERNAL, "the edit could not be saved; resubmit it", p.op.seq());
            }
            // Applied on top of what failed: not committed either.
            for (Pending p : batch) {
                error(p.peer, ErrorCode.INTERNAL, "the edit could not be saved; resubmit it", p.op.seq());
            }
            batch.clear();
            try {
                load();
            } catch (RuntimeException e) {
                stale = true;
                log.error("reloading document {} failed too; it reloads before its next request", docId, e);
            }
        } else {
            committedVersion = f.headVersion;
            service.committed(f.ops.size());
            // In version order, so that every subscriber sees the history without gaps: the
            // sender gets its ack where the others get the operation. A batched subscriber gets
            // neither now: its own operations in the next ops frame are its acks. A batched
            // sender that closed the document meanwhile will see no frame: it gets the ack.
            boolean anyBatched = false;
            for (StoredOp op : f.ops) {
                String digest = digests.get(op.version());
                for (Pending p : f.pending) {
                    if (p.op == op && !(p.peer.batched() && subscribers.containsKey(p.peer))) {
                        p.peer.send(new Outgoing(new ServerMessage.Ack(docId, op.seq(), op.version(), digest)));
                    }
                }
                Outgoing frame = new Outgoing(new ServerMessage.Op(docId, op.version(), op.op(), op.clientId(), op.seq(),
                        digest));
                for (Subscriber s : subscribers.values()) {
                    if (s.batched) {
                        anyBatched = true;
                    } else if (!s.peer.clientId().equals(op.clientId())) {
                        s.peer.send(frame);
                    }
                }
            }
            if (anyBatched) {
                unsent.addAll(f.ops);
                endWindowLater();
            } else {
                forgetDigests(f.ops);
                flushedText = null; // nobody to start a frame for; rebuilt when a batched subscriber opens
            }
            cluster.publish(new Cluster.Event.Committed(docId, committedVersion));
            placeEarlyPresences();
        }
        commitBatch();
        if (durable() && heardHead > committedVersion) {
            catchUp();
        }
        releaseBarrier();
    }

    // ---- other nodes -------------------------------------------------------------------

    /**
     * Another node committed first: the store refused {@code f}, based on a head that is no
     * longer the head. Everything applied since the committed head is taken back, the other
     * node's operations are read and delivered, and each submission taken back is applied
     * again as it came, transformed along the history as it now is: the same path its client
     * transforms along, so they agree. Nothing of it was acknowledged or sent.
     */
    private void rebase(InFlight f) {
        List<Pending> again = new ArrayList<>(f.pending);
        again.addAll(batch);
        batch.clear();
        log.debug("document {}: another node committed first; applying {} submissions again", docId, again.size());
        String committedText = textAt(committedVersion);
        text = Rope.of(committedText);
        while (!recent.isEmpty() && recent.peekLast().version() >= committedVersion) {
            recent.removeLast();
        }
        version = committedVersion;
        digests.keySet().removeIf(v -> v >= committedVersion);
        lastSeq.clear(); // read again from the store, which has the other node's submissions
        catchUp();
        for (Pending p : again) {
            submit(p.peer, p.baseVersion, p.op.seq(), p.original, true);
        }
        service.rebased();
    }

    /**
     * Reads what other nodes committed past {@link #committedVersion} and delivers it to the
     * subscribers here like any committed operation (to everyone: no subscriber here submitted
     * it, and a client that did, elsewhere, takes its own operation for its ack). Only when
     * everything applied here is committed.
     */
    private void catchUp() {
        if (!durable()) {
            throw new IllegalStateException("catching up on " + docId + " with operations not yet committed");
        }
        long head = store.headVersion(docId);
        heardHead = Math.max(heardHead, head);
        if (head <= committedVersion) {
            return;
        }
        List<StoredOp> foreign = store.ops(docId, committedVersion, head);
        boolean anyBatched = false;
        for (StoredOp op : foreign) {
            text.apply(op.op());
            version++;
            lastSeq.computeIfPresent(op.clientId(), (id, last) -> Math.max(last, op.seq()));
            remember(op);
            String digest = digestDue(version, text.length()) ? TextDigest.of(text) : null;
            if (digest != null) {
                digests.put(op.version(), digest);
            }
            Outgoing frame = new Outgoing(new ServerMessage.Op(docId, op.version(), op.op(), op.clientId(), op.seq(), digest));
            for (Subscriber s : subscribers.values()) {
                if (s.batched) {
                    anyBatched = true;
                } else {
                    s.peer.send(frame);
                }
            }
        }
        committedVersion = version;
        if (anyBatched) {
            unsent.addAll(foreign);
            endWindowLater();
        } else {
            forgetDigests(foreign);
            flushedText = null;
        }
        placeEarlyPresences();
    }

    /** Another node says the store has {@code head}. */
    void heardCommitted(long head) {
        heardHead = Math.max(heardHead, head);
        if (head > committedVersion && durable()) {
            catchUp();
        }
        // Otherwise the batch in flight is refused (and the history read) or the commit ends with a catch-up.
    }

    /** In case a hint was lost: compares the head with the store's, if anyone here is watching. */
    void checkHead() {
        if (!subscribers.isEmpty() && durable()) {
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
        if (isLocal(p.clientId())) {
            return; // the client moved here; its old node has not noticed yet
        }
        if (p.version() > committedVersion && durable()) {
            catchUp();
        }
        if (p.version() > committedVersion) {
            early.add(p); // placed when this node has read that far
            return;
        }
        place(p);
    }

    private void place(Cluster.Event.Presence p) {
        long head = committedVersion;
        List<Selection> moved = null;
        if (p.selection() != null) {
            if (head - p.version() > settings.maxCatchUp()) {
                return;
            }
            List<StoredOp> since = history(p.version(), head);
            moved = new ArrayList<>(p.selection().size());
            for (Selection s : p.selection()) {
                for (StoredOp op : since) {
                    s = op.op().transformSelection(s, Side.LEFT);
                }
                moved.add(clamp(s));
            }
            moved = List.copyOf(moved);
        }
        remote.put(p.clientId(), new RemotePeer(p.node(), p.user(), head, moved));
        broadcast(new ServerMessage.Presence(docId, p.clientId(), p.user(), head, moved), null);
    }

    private void placeEarlyPresences() {
        if (early.isEmpty()) {
            return;
        }
        List<Cluster.Event.Presence> ready = new ArrayList<>();
        early.removeIf(p -> p.version() <= committedVersion && ready.add(p));
        for (Cluster.Event.Presence p : ready) {
            if (!isLocal(p.clientId())) {
                place(p);
            }
        }
    }

    private boolean isLocal(String clientId) {
        for (Peer p : subscribers.keySet()) {
            if (p.clientId().equals(clientId)) {
                return true;
            }
        }
        return false;
    }

    /** Another node's subscriber left. */
    void heardLeave(String node, String clientId) {
        early.removeIf(p -> p.clientId().equals(clientId));
        RemotePeer gone = remote.get(clientId);
        if (gone != null && gone.node.equals(node)) {
            remote.remove(clientId);
            if (!isLocal(clientId)) {
                broadcast(new ServerMessage.Leave(docId, clientId), null);
            }
        }
    }

    /** Another node stopped: its subscribers left. */
    void nodeGone(String node) {
        early.removeIf(p -> p.node().equals(node));
        for (Map.Entry<String, RemotePeer> e : List.copyOf(remote.entrySet())) {
            if (e.getValue().node.equals(node)) {
                heardLeave(node, e.getKey());
            }
        }
    }

    /** A chat line stored by another node. */
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
            broadcast(new ServerMessage.Chat(docId, message), null);
        }
    }

    /** A node opened this document for its first subscriber: tell it who is here. */
    void heardWho() {
        for (Subscriber s : subscribers.values()) {
            boolean placed = s.presenceVersion >= 0;
            cluster.publish(new Cluster.Event.Presence(cluster.node(), docId, s.peer.clientId(), s.peer.user(),
                    placed ? s.presenceVersion : committedVersion, placed ? s.selection : null));
        }
    }

    /** Once everything is durable, runs the held work in order, until some of it raises the barrier again. */
    private void releaseBarrier() {
        if (!barrier || !durable()) {
            return;
        }
        barrier = false;
        Consumer<DocumentSession> work;
        while (!barrier && (work = held.pollFirst()) != null) {
            try {
                reloadIfStale();
                work.accept(this);
            } catch (RuntimeException e) {
                log.error("request on document {} failed", docId, e);
            }
        }
    }

    // ---- batched delivery --------------------------------------------------------------

    /** Schedules the flush of {@link #unsent} at the end of the window that its first operation opened. */
    private void endWindowLater() {
        long window = settings.batchWindowMillis();
        if (window == 0) {
            flushBatched();
        } else if (!flushScheduled) {
            flushScheduled = true;
            service.afterDelay(this, window, () -> {
                flushScheduled = false;
                flushBatched();
            });
        }
    }

    /**
     * Sends every batched subscriber the operations committed since its last {@code ops}, as one
     * message shared by all of them, then the broadcasts held behind those operations.
     */
    void flushBatched() {
        if (unsent.isEmpty()) {
            return; // nothing is held unless operations are unsent
        }
        Map<Long, String> frameDigests = new HashMap<>();
        for (StoredOp op : unsent) {
            String digest = digests.get(op.version());
            if (digest != null) {
                frameDigests.put(op.version(), digest);
            }
        }
        forgetDigests(unsent);
        Outgoing frame = new Outgoing(new ServerMessage.Ops(docId, unsent, frameDigests));
        if (flushedText != null) {
            for (StoredOp op : unsent) {
                flushedText.apply(op.op());
            }
        }
        for (Subscriber s : subscribers.values()) {
            if (s.batched) {
                s.peer.send(frame);
                for (HeldBroadcast h : heldForBatched) {
                    if (s.peer != h.except) {
                        s.peer.send(h.message);
                    }
                }
            }
        }
        unsent.clear();
        heldForBatched.clear();
    }

    // ---- digests -----------------------------------------------------------------------

    /**
     * Whether the text at {@code version}, {@code length} code points long, gets a digest: at
     * every multiple of an interval of at least {@link #MIN_DIGEST_INTERVAL} versions, a power
     * of two chosen so that hashing costs at most {@link #DIGEST_POINTS_PER_OP} code points per
     * operation on average (every 16 versions up to 1,024 code points, every 256 at 10,000, every
     * 65,536 at 3 million). A large document is checked less often, not at a higher cost.
     */
    static boolean digestDue(long version, int length) {
        long wanted = Math.max(MIN_DIGEST_INTERVAL, (length + DIGEST_POINTS_PER_OP - 1L) / DIGEST_POINTS_PER_OP);
        long interval = Long.highestOneBit(wanted - 1) << 1; // the smallest power of two >= wanted
        return version % interval == 0;
    }

    private void forgetDigests(List<StoredOp> sent) {
        if (!digests.isEmpty()) {
            for (StoredOp op : sent) {
                digests.remove(op.version());
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------

    private void remember(StoredOp op) {
        recent.addLast(op);
        while (recent.size() > settings.historyInMemory()) {
            recent.removeFirst();
        }
    }

    /** Committed (or batched) operations with versions in {@code [from, to)}. */
    private List<StoredOp> history(long from, long to) {
        if (from >= to) {
            return List.of();
        }
        long firstInMemory = version - recent.size();
        List<StoredOp> out = new ArrayList<>((int) (to - from));
        if (from < firstInMemory) {
            out.addAll(store.ops(docId, from, Math.min(to, firstInMemory)));
        }
        // Walk back from the newest only as far as needed: a submission based one version
        // behind the head must not cost a pass over the whole history kept in memory.
        int fromStore = out.size();
        Iterator<StoredOp> newestFirst = recent.descendingIterator();
        while (newestFirst.hasNext()) {
            StoredOp op = newestFirst.next();
            if (op.version() < Math.max(from, firstInMemory)) {
                break;
            }
            if (op.version() < to) {
                out.add(op);
            }
        }
        Collections.reverse(out.subList(fromStore, out.size()));
        if (out.size() != to - from) {
            throw new IllegalStateException("history of " + docId + " [" + from + ", " + to + ") has " + out.size() + " ops");
        }
        return out;
    }

    /**
     * Sends {@code message} to every subscriber but {@code except}; batched subscribers that
     * still have operations coming get it after them (a presence refers to the committed head).
     */
    private void broadcast(ServerMessage message, Peer except) {
        Outgoing frame = new Outgoing(message);
        boolean holdForBatched = !unsent.isEmpty();
        if (holdForBatched) {
            heldForBatched.add(new HeldBroadcast(frame, except));
        }
        for (Subscriber s : subscribers.values()) {
            if (s.peer != except && !(holdForBatched && s.batched)) {
                s.peer.send(frame);
            }
        }
    }

    private void error(Peer peer, ErrorCode code, String message, Long seq) {
        peer.send(new Outgoing(new ServerMessage.Error(code, message, docId, seq)));
    }
}
