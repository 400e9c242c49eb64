package io.coedit.server.session;

import io.coedit.ot.Rope;
import io.coedit.ot.Selection;
import io.coedit.ot.Side;
import io.coedit.ot.TextOperation;
import io.coedit.server.session.ServerMessage.PeerPresence;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.Snapshot;
import io.coedit.server.store.StoredOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open document: its text, its recent history and its subscribers. Every method runs
 * on the document's {@link SerialQueue}, so nothing here is shared between threads and a
 * document has exactly one writer.
 *
 * <p>Submissions are not committed one by one: they are transformed and applied as they
 * arrive, collected, and when the queue has nothing else waiting the whole batch goes to
 * the store in one transaction (group commit). Only then are the senders acknowledged and
 * the operations broadcast: an acknowledgement means the operation is durable.
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
    private long lastActivity;

    private record Pending(Peer peer, StoredOp op) {}

    private static final class Subscriber {
        final Peer peer;
        long presenceVersion = -1;
        List<Selection> selection;

        Subscriber(Peer peer) {
            this.peer = peer;
        }
    }

    DocumentSession(String docId, DocumentService service, DocumentStore store, DocumentService.Settings settings) {
        this.docId = docId;
        this.service = service;
        this.store = store;
        this.settings = settings;
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
        touch();
    }

    private void touch() {
        lastActivity = service.nowMillis();
    }

    boolean idleSince(long cutoff) {
        return subscribers.isEmpty() && batch.isEmpty() && lastActivity < cutoff;
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
        flush(); // whoever opens sees only committed operations
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
        boolean already = subscribers.containsKey(peer);
        subscribers.put(peer, subscribers.getOrDefault(peer, new Subscriber(peer)));
        if (!already) {
            service.subscribed(peer, this);
        }
        List<PeerPresence> peers = new ArrayList<>();
        for (Subscriber s : subscribers.values()) {
            if (s.peer != peer) {
                peers.add(new PeerPresence(s.peer.clientId(), s.peer.user(), s.presenceVersion, s.selection));
            }
        }
        List<ChatMessage> chat = store.recentChat(docId, settings.chatHistory());
        boolean readOnly = !peer.canWrite(docId);
        if (fromVersion == null) {
            peer.send(new Outgoing(new ServerMessage.Opened(docId, version, text.toString(), peers, chat, readOnly)));
            return;
        }
        peer.send(new Outgoing(new ServerMessage.Opened(docId, fromVersion, null, peers, chat, readOnly)));
        for (StoredOp op : history(fromVersion, version)) {
            peer.send(new Outgoing(new ServerMessage.Op(docId, op.version(), op.op(), op.clientId(), op.seq())));
        }
    }

    void submit(Peer peer, long baseVersion, long seq, TextOperation op) {
        touch();
        if (!subscribers.containsKey(peer)) {
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
        if (baseVersion > version) {
            error(peer, ErrorCode.VERSION_AHEAD, "version " + baseVersion + " is beyond the head " + version, seq);
            return;
        }
        if (version - baseVersion > settings.maxCatchUp()) {
            error(peer, ErrorCode.HISTORY_GONE, "op is based on version " + baseVersion + ", "
                    + (version - baseVersion) + " operations behind the head: reload the document", seq);
            return;
        }
        TextOperation transformed = op;
        for (StoredOp committed : history(baseVersion, version)) {
            transformed = TextOperation.transform(transformed, committed.op(), Side.RIGHT);
        }
        int length = text.length();
        try {
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
        lastSeq.put(clientId, seq);
        remember(stored);
        batch.add(new Pending(peer, stored));
        if (batch.size() >= settings.maxBatch()) {
            flush();
        }
    }

    private void acknowledgeDuplicate(Peer peer, String clientId, long seq) {
        for (Pending p : batch) {
            if (p.op.clientId().equals(clientId) && p.op.seq() == seq) {
                // Not durable yet: acknowledge once the batch commits, like the original.
                batch.add(new Pending(peer, p.op));
                return;
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
    }

    private Selection clamp(Selection s) {
        int max = Integer.MAX_VALUE; // placed by the ops; only a caret past the end needs care
        if (batch.isEmpty()) {
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
        ChatMessage stored = store.addChat(docId, peer.user().id(), peer.user().name(), message, service.nowMillis());
        broadcast(new ServerMessage.Chat(docId, stored), null);
    }

    void close(Peer peer) {
        touch();
        if (subscribers.remove(peer) != null) {
            service.unsubscribed(peer, this);
            broadcast(new ServerMessage.Leave(docId, peer.clientId()), null);
        }
    }

    /** The text at {@code atVersion}, or null if that version does not exist. */
    String textAt(long atVersion) {
        flush();
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

    /** Commits the batch in one transaction, then acknowledges and broadcasts it. */
    void flush() {
        if (batch.isEmpty()) {
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
        List<Pending> done = new ArrayList<>(batch);
        batch.clear();
        try {
            store.commit(List.of(new DocumentCommit(docId, committedVersion, ops, snapshot)));
        } catch (RuntimeException e) {
            log.error("commit of {} ops to document {} failed; reloading it from the store", ops.size(), docId, e);
            for (Pending p : done) {
                error(p.peer, ErrorCode.INTERNAL, "the edit could not be saved; resubmit it", p.op.seq());
            }
            load();
            return;
        }
        committedVersion = version;
        service.committed(ops.size());
        // In version order, so that every subscriber sees the history without gaps: the
        // sender gets its ack where the others get the operation.
        for (StoredOp op : ops) {
            for (Pending p : done) {
                if (p.op == op) {
                    p.peer.send(new Outgoing(new ServerMessage.Ack(docId, op.seq(), op.version())));
                }
            }
            Outgoing frame = new Outgoing(new ServerMessage.Op(docId, op.version(), op.op(), op.clientId(), op.seq()));
            for (Subscriber s : subscribers.values()) {
                if (!s.peer.clientId().equals(op.clientId())) {
                    s.peer.send(frame);
                }
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
        for (StoredOp op : recent) {
            if (op.version() >= from && op.version() < to) {
                out.add(op);
            }
        }
        if (out.size() != to - from) {
            throw new IllegalStateException("history of " + docId + " [" + from + ", " + to + ") has " + out.size() + " ops");
        }
        return out;
    }

    private void broadcast(ServerMessage message, Peer except) {
        Outgoing frame = new Outgoing(message);
        for (Subscriber s : subscribers.values()) {
            if (s.peer != except) {
                s.peer.send(frame);
            }
        }
    }

    private void error(Peer peer, ErrorCode code, String message, Long seq) {
        peer.send(new Outgoing(new ServerMessage.Error(code, message, docId, seq)));
    }
}
