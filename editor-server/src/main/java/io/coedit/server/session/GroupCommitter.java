package io.coedit.server.session;

import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.VersionConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Commits the batches of many documents in one store transaction: group commit across
 * documents. Each document hands over at most one batch at a time (see
 * {@link DocumentSession}), so one transaction never holds two batches of one document and
 * every document's versions are committed in order.
 *
 * <p>Why: a commit costs the store one write of its file whatever it holds, and each extra
 * row very little (H2 here: ~3,900 one-row commits/s, ~73,000 rows/s at 50 rows a commit).
 * Two hundred documents each committing its own few operations spend the disk's time on
 * commits; one committer taking every batch that is waiting spends it on rows. While one
 * transaction is written the next batches queue up, so the group grows with the load.
 *
 * <p>Like a {@link SerialQueue}, a drain runs on the executor and takes everything queued;
 * in a simulation the executor decides when it runs. One document's failure is not every
 * document's: a document whose head another node moved (a version conflict, which names it)
 * leaves the group and the rest is committed again together; any other failure has each
 * batch retried alone.
 */
final class GroupCommitter {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GroupCommitter.class);

    /** A batch to commit; {@code done} hears null once durable, or the failure. */
    record Ticket(DocumentCommit commit, Consumer<RuntimeException> done) {}

    private final DocumentStore store;
    private final Executor executor;
    private final int maxOpsPerTransaction;
    private final ConcurrentLinkedQueue<Ticket> tickets = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();

    private volatile DocumentService.CommitObserver observer = (documents, ops, nanos) -> {};

    GroupCommitter(DocumentStore store, Executor executor, int maxOpsPerTransaction) {
        this.store = store;
        this.executor = executor;
        this.maxOpsPerTransaction = maxOpsPerTransaction;
    }

    void observe(DocumentService.CommitObserver observer) {
        this.observer = observer;
    }

    void submit(Ticket ticket) {
        tickets.add(ticket);
        if (pending.getAndIncrement() == 0) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            List<Ticket> group = new ArrayList<>();
            int ops = 0;
            Ticket t;
            while (ops < maxOpsPerTransaction && (t = tickets.poll()) != null) {
                group.add(t);
                ops += t.commit().ops().size();
            }
            commit(group);
            if (pending.addAndGet(-group.size()) == 0) {
                return;
            }
        }
    }

    private void commit(List<Ticket> group) {
        List<Ticket> left = new ArrayList<>(group);
        while (!left.isEmpty()) {
            RuntimeException failure = tryCommit(left);
            if (failure == null || left.size() == 1) {
                for (Ticket t : left) {
                    tell(t, failure);
                }
                return;
            }
            Ticket refused = failure instanceof VersionConflictException conflict ? ticketOf(left, conflict.docId()) : null;
            if (refused == null) {
                log.warn("a group commit of {} documents failed ({}); committing each alone", left.size(), failure.toString());
                for (Ticket t : left) {
                    tell(t, tryCommit(List.of(t)));
                }
                return;
            }
            // Another node committed to that document first: routine with several nodes. It
            // goes back to be transformed; the rest of the group is as good as it was.
            log.debug("document {} left a group commit of {}: {}", refused.commit().docId(), left.size(), failure.getMessage());
            left.remove(refused);
            tell(refused, failure);
        }
    }

    /** Commits the tickets' batches in one transaction: null if it held, else why not. */
    private RuntimeException tryCommit(List<Ticket> tickets) {
        List<DocumentCommit> commits = new ArrayList<>(tickets.size());
        for (Ticket t : tickets) {
            commits.add(t.commit());
        }
        try {
            long start = System.nanoTime();
            store.commit(commits);
            observe(commits, System.nanoTime() - start);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static Ticket ticketOf(List<Ticket> tickets, String docId) {
        for (Ticket t : tickets) {
            if (t.commit().docId().equals(docId)) {
                return t;
            }
        }
        return null;
    }

    private void observe(List<DocumentCommit> commits, long nanos) {
        int ops = 0;
        for (DocumentCommit c : commits) {
            ops += c.ops().size();
        }
        try {
            observer.committed(commits.size(), ops, nanos);
        } catch (RuntimeException e) {
            log.warn("the commit observer failed", e);
        }
    }

    private static void tell(Ticket t, RuntimeException failure) {
        try {
            t.done().accept(failure);
        } catch (RuntimeException e) {
            log.error("handing the result of a commit to document {} failed", t.commit().docId(), e);
        }
    }
}
