package io.coedit.server.session;

import io.coedit.ot.Rope;
import io.coedit.ot.TextDigest;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.Snapshot;
import io.coedit.server.store.StoredOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A document's text and the operations that made it, as one open document keeps them: the
 * text at {@link #version()}, the last operations (at most
 * {@link DocumentService.Settings#historyInMemory()}, oldest first, ending at
 * {@link #version()}), each client's last seq, and the digests still to be sent. Older
 * operations are read from the store.
 *
 * <p>Two heads: {@link #version()} counts every operation applied, committed or not;
 * {@link #committedVersion()} only those the store has made durable. What lies between them is
 * the commit pipeline's (see {@link CommitPipeline}); what clients are told of never goes past
 * {@link #committedVersion()}. Operations are applied in version order, one at a time, so
 * {@code text} is always the result of the history up to {@link #version()}.
 *
 * <p>Runs on the document's {@link SerialQueue}, like the rest of the session.
 */
final class OpHistory {
    /** Digests go out at least this often (in versions) whatever the size of the document. */
    static final int MIN_DIGEST_INTERVAL = 16;
    /**
     * At most this many code points are hashed per operation, on average, for the digests: a
     * fraction of a microsecond, where a snapshot every 500 versions already copies the whole
     * text (measured on a loaded 2-core machine: the digest runs at about a quarter of the cost
     * per code point of {@code Rope.toString()}).
     */
    static final int DIGEST_POINTS_PER_OP = 64;

    private final String docId;
    private final DocumentStore store;
    private final int historyInMemory;

    private Rope text;
    private long version; // committed head, plus the batch once it is applied
    private long committedVersion;
    /** The last operations, oldest first, ending at {@link #version}. */
    private final ArrayDeque<StoredOp> recent = new ArrayDeque<>();
    private final Map<String, Long> lastSeq = new HashMap<>();
    /**
     * Digests of the text after the operations that get one ({@link #digestDue}), by the
     * operation's version, from when it is applied until its {@code ack}, {@code op} and
     * {@code ops} entries are sent.
     */
    private final Map<Long, String> digests = new HashMap<>();

    OpHistory(String docId, DocumentStore store, int historyInMemory) {
        this.docId = docId;
        this.store = store;
        this.historyInMemory = historyInMemory;
    }

    /** Forgets everything and reads the committed document from the store: its latest snapshot and the operations since. */
    void load() {
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
        int keep = Math.min(tail.size(), historyInMemory);
        recent.addAll(tail.subList(tail.size() - keep, tail.size()));
        lastSeq.clear();
        digests.clear();
    }

    /** The head: every operation applied, committed or not. */
    long version() {
        return version;
    }

    /** The durable head: every operation the store has committed. */
    long committedVersion() {
        return committedVersion;
    }

    /** The text at {@link #version()}. */
    String text() {
        return text.toString();
    }

    /** The length of the text at {@link #version()}, in code points. */
    int length() {
        return text.length();
    }

    /** Whether {@code version} is now durable. */
    void committedUpTo(long version) {
        committedVersion = version;
    }

    /**
     * Applies {@code op}, which must be at {@link #version()}, to the text, notes its client's
     * seq, keeps it in the recent history and takes the text's digest if one is due.
     */
    void apply(StoredOp op) {
        if (op.version() != version) {
            throw new IllegalStateException("op at version " + op.version() + " applied to " + docId + " at " + version);
        }
        text.apply(op.op());
        version++;
        if (digestDue(version, text.length())) {
            digests.put(op.version(), TextDigest.of(text));
        }
        lastSeq.put(op.clientId(), op.seq());
        recent.addLast(op);
        while (recent.size() > historyInMemory) {
            recent.removeFirst();
        }
    }

    /**
     * Takes back every operation applied after {@link #committedVersion()} (another node
     * committed first: they are applied again after its operations). The text at the committed
     * head is read from the store; the clients' last seqs are read again as needed.
     */
    void rollBackToCommitted() {
        if (version == committedVersion) {
            return;
        }
        text = Rope.of(textAt(committedVersion));
        while (!recent.isEmpty() && recent.peekLast().version() >= committedVersion) {
            recent.removeLast();
        }
        version = committedVersion;
        digests.keySet().removeIf(v -> v >= committedVersion);
        lastSeq.clear();
    }

    /** The seq of the client's last applied submission (0 if none), read from the store once. */
    long lastSeq(String clientId) {
        return lastSeq.computeIfAbsent(clientId, id -> store.lastSeq(docId, id));
    }

    /** The operation applied for the client's submission {@code seq}, from memory or the store, or null. */
    StoredOp submission(String clientId, long seq) {
        StoredOp original = null;
        for (StoredOp op : recent) {
            if (op.clientId().equals(clientId) && op.seq() == seq) {
                original = op;
            }
        }
        if (original == null) {
            original = store.findSubmission(docId, clientId, seq).orElse(null);
        }
        return original;
    }

    /** Committed (or batched) operations with versions in {@code [from, to)}. */
    List<StoredOp> history(long from, long to) {
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

    /** The text at {@code atVersion}, or null if that version does not exist. */
    String textAt(long atVersion) {
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

    // ---- digests -----------------------------------------------------------------------

    /** The digest of the text after the operation at {@code version}, or null if it has none (or it was sent). */
    String digest(long version) {
        return digests.get(version);
    }

    /** Drops the digests of operations whose frames are all sent. */
    void forgetDigests(List<StoredOp> sent) {
        if (!digests.isEmpty()) {
            for (StoredOp op : sent) {
                digests.remove(op.version());
            }
        }
    }

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
}
