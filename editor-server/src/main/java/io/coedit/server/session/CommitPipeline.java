package io.coedit.server.session;

import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.Snapshot;
import io.coedit.server.store.StoredOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way from applied to durable for one document's operations, and the barrier for work that
 * must see only committed state.
 *
 * <p>Submissions are not committed one by one: they are transformed and applied as they arrive
 * (see {@link OpHistory#apply}), collected in {@link #batch}, and when the queue has nothing else
 * waiting the whole batch is handed to the {@link GroupCommitter}, which writes it in one
 * transaction with the batches of other documents. Only when that transaction is durable does
 * the session acknowledge the senders and broadcast the operations: an acknowledgement means the
 * operation is durable.
 *
 * <p>At most one batch is in flight; operations arriving meanwhile are applied and form the
 * next batch, handed over when the first is done, so versions reach the store in order. The
 * operations applied but not committed are those of {@link #inFlight} and then of
 * {@link #batch}, in version order, from {@link OpHistory#committedVersion()} to
 * {@link OpHistory#version()}.
 *
 * <p>Work that must see only committed state (an {@code open}, a read of the text, shutdown)
 * raises a barrier: it and everything that arrives after it wait in {@link #held}, in order,
 * until what was applied before it is committed. Nothing blocks a thread meanwhile.
 *
 * <p>Runs on the document's {@link SerialQueue}, like the rest of the session.
 */
final class CommitPipeline {
    private static final Logger log = LoggerFactory.getLogger(DocumentSession.class);

    private final DocumentSession session;
    private final OpHistory history;
    private final DocumentService service;
    private final DocumentService.Settings settings;

    /** Applied operations not yet handed to the committer, with who is waiting for each one's ack. */
    private final List<Pending> batch = new ArrayList<>();
    /** The batch the committer is writing, or null. */
    private InFlight inFlight;
    /** Set while work waits for everything applied so far to be committed. */
    private boolean barrier;
    /** Work that arrived behind the barrier, in arrival order. */
    private final ArrayDeque<Consumer<DocumentSession>> held = new ArrayDeque<>();

    /**
     * An applied operation and a peer waiting for its ack: the sender, or one that resubmitted it
     * before it was durable (then the same {@code op} appears twice). {@code baseVersion} and
     * {@code original} are the submission as it came, from which it is transformed again if
     * another node commits first (see {@link DocumentSession#committed}).
     */
    record Pending(Peer peer, StoredOp op, long baseVersion, io.coedit.ot.TextOperation original) {}

    /**
     * A batch the committer is writing: its {@code pending} acks, its distinct {@code ops} in
     * version order, and the head once it is durable.
     */
    record InFlight(List<Pending> pending, List<StoredOp> ops, long headVersion) {}

    CommitPipeline(DocumentSession session, OpHistory history, DocumentService service, DocumentService.Settings settings) {
        this.session = session;
        this.history = history;
        this.service = service;
        this.settings = settings;
    }

    /** Whether everything applied is committed (nothing batched, nothing in flight). */
    boolean durable() {
        return batch.isEmpty() && inFlight == null;
    }

    /** Whether no work waits at the barrier. */
    boolean nothingHeld() {
        return held.isEmpty();
    }

    /** Runs a request now, or after the work waiting at the barrier. */
    void execute(Consumer<DocumentSession> work) {
        if (barrier) {
            held.addLast(work);
            return;
        }
        work.accept(session);
    }

    /**
     * Runs {@code work} once everything applied so far is committed: now if it is, else behind a
     * barrier that holds later requests until then. Returns whether it ran now.
     */
    boolean whenDurable(Consumer<DocumentSession> work) {
        if (durable()) {
            return true;
        }
        barrier = true;
        held.addFirst(work); // ahead of whatever arrived after it
        commitBatch();
        return false;
    }

    /**
     * Adds {@code op}, just applied, to the batch, {@code peer} waiting for its ack. A full batch
     * goes to the committer at once; if one is already in flight, later requests are held.
     */
    void add(Peer peer, StoredOp op, long baseVersion, io.coedit.ot.TextOperation original) {
        batch.add(new Pending(peer, op, baseVersion, original));
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
     * If the client's submission {@code seq} is applied but not yet durable, adds {@code peer} to
     * those waiting for its ack (a resubmission is acknowledged once the original commits) and
     * returns true.
     */
    boolean awaitAck(Peer peer, String clientId, long seq) {
        for (Pending p : batch) {
            if (p.op.clientId().equals(clientId) && p.op.seq() == seq) {
                // Not durable yet: acknowledge once the batch commits, like the original.
                batch.add(new Pending(peer, p.op, p.baseVersion, p.original));
                return true;
            }
        }
        if (inFlight != null) {
            for (Pending p : inFlight.pending) {
                if (p.op.clientId().equals(clientId) && p.op.seq() == seq) {
                    inFlight.pending.add(new Pending(peer, p.op, p.baseVersion, p.original));
                    return true;
                }
            }
        }
        return false;
    }

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
        long committedVersion = history.committedVersion();
        long version = history.version();
        if (committedVersion / every != version / every) {
            snapshot = new Snapshot(version, history.text());
        }
        InFlight f = new InFlight(new ArrayList<>(batch), ops, version);
        batch.clear();
        inFlight = f;
        service.commit(session, new DocumentCommit(session.docId, committedVersion, ops, snapshot),
                failure -> session.committed(f, failure));
    }

    /**
     * The committer is done with {@code f}: returns false if it is not the batch in flight (the
     * document was reloaded since), else true, and the next batch may go.
     */
    boolean landed(InFlight f) {
        if (f != inFlight) {
            return false;
        }
        inFlight = null;
        return true;
    }

    /** Empties the batch (its operations were applied on top of a commit that failed) and returns what it held. */
    List<Pending> dropBatch() {
        List<Pending> dropped = List.copyOf(batch);
        batch.clear();
        return dropped;
    }

    /** Once everything is durable, runs the held work in order, until some of it raises the barrier again. */
    void releaseBarrier() {
        if (!barrier || !durable()) {
            return;
        }
        barrier = false;
        Consumer<DocumentSession> work;
        while (!barrier && (work = held.pollFirst()) != null) {
            try {
                session.reloadIfStale();
                work.accept(session);
            } catch (RuntimeException e) {
                log.error("request on document {} failed", session.docId, e);
            }
        }
    }
}
