package io.coedit.server.session;

import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
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
 * in a simulation the executor decides when it runs. If a group fails (one document's
 * commit conflicts, say), each batch is retried alone, so one document's failure is not
 * every document's.
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
        List<DocumentCommit> commits = new ArrayList<>(group.size());
        for (Ticket t : group) {
            commits.add(t.commit());
        }
        RuntimeException failure = null;
        try {
            long start = System.nanoTime();
            store.commit(commits);
            observe(commits, System.nanoTime() - start);
        } catch (RuntimeException e) {
            failure = e;
        }
        if (failure == null || group.size() == 1) {
            for (Ticket t : group) {
                tell(t, failure);
            }
            return;
        }
        if (failure instanceof io.coedit.server.store.VersionConflictException) {
            // Another node committed to one of the documents first: routine with several nodes.
            log.debug("a group commit of {} documents failed ({}); committing each alone", group.size(), failure.toString());
        } else {
            log.warn("a group commit of {} documents failed ({}); committing each alone", group.size(), failure.toString());
        }
        for (Ticket t : group) {
            RuntimeException alone = null;
            try {
                long start = System.nanoTime();
                store.commit(List.of(t.commit()));
                observe(List.of(t.commit()), System.nanoTime() - start);
            } catch (RuntimeException e) {
                alone = e;
            }
            tell(t, alone);
        }
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
