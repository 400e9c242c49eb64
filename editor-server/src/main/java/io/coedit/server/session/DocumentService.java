package io.coedit.server.session;

import io.coedit.ot.Selection;
import io.coedit.ot.TextOperation;
import io.coedit.server.internal.DaemonThreads;
import io.coedit.server.internal.Shutdown;
import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.DocumentSummary;
import io.coedit.server.store.StoredOp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The collaboration core: documents, their subscribers and their edits, with no knowledge
 * of any transport. A WebSocket endpoint (or a test's simulated network) decodes a
 * message, calls one method here, and encodes what comes back through {@link Peer#send}.
 *
 * <p>Each document runs on its own serial queue over a shared pool, so one document never
 * has two writers while different documents proceed in parallel. No method blocks its
 * caller on the database: calls enqueue work and return.
 */
public final class DocumentService implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DocumentService.class);

    /**
     * Limits and tuning, made with {@link #builder()}; {@link #defaults()} are what the server
     * uses unless told otherwise.
     *
     * @param maxDocumentCodePoints the longest a document may grow; an op past it is refused
     * @param maxCatchUp the most operations a client may be behind: an op based further back, or
     *     an open from further back, is refused (the client reloads)
     * @param historyInMemory recent operations a loaded document keeps for catch-up and transform
     * @param snapshotEvery versions between stored snapshots of a document's text
     * @param maxBatch the most operations of one document written in one commit
     * @param chatHistory chat messages sent to a client when it opens a document
     * @param unloadAfterMillis how long a document nobody has open stays loaded
     * @param threads the document threads of a service that runs its own pool
     * @param batchWindowMillis how long committed operations gather before they go to the
     *     subscribers that asked for batched delivery, in one frame (0: after every commit)
     */
    public record Settings(
            int maxDocumentCodePoints,
            int maxCatchUp,
            int historyInMemory,
            int snapshotEvery,
            int maxBatch,
            int chatHistory,
            long unloadAfterMillis,
            int threads,
            long batchWindowMillis) {

        /** The default flush window: short next to typing, long enough to gather a busy document's ops. */
        public static final long DEFAULT_BATCH_WINDOW_MILLIS = 25;

        /** Checks every value; callers use {@link #builder()}. */
        public Settings {
            positive("maxDocumentCodePoints", maxDocumentCodePoints);
            notNegative("maxCatchUp", maxCatchUp);
            positive("historyInMemory", historyInMemory);
            positive("snapshotEvery", snapshotEvery);
            positive("maxBatch", maxBatch);
            notNegative("chatHistory", chatHistory);
            notNegative("unloadAfterMillis", unloadAfterMillis);
            positive("threads", threads);
            notNegative("batchWindowMillis", batchWindowMillis);
            if (historyInMemory < maxBatch) {
                throw new IllegalArgumentException("historyInMemory (" + historyInMemory + ") must be at least maxBatch ("
                        + maxBatch + "): operations not yet committed exist only in memory");
            }
        }

        private static void positive(String name, long value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }

        private static void notNegative(String name, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
        }

        /** The settings the server uses unless told otherwise. */
        public static Settings defaults() {
            return builder().build();
        }

        /** A builder starting from {@link #defaults()}. */
        public static Builder builder() {
            return new Builder();
        }

        /** Settings by name; every value starts at its default, and {@link #build()} checks them all. */
        public static final class Builder {
            private int maxDocumentCodePoints = 10_000_000;
            private int maxCatchUp = 10_000;
            private int historyInMemory = 2_000;
            private int snapshotEvery = 500;
            private int maxBatch = 500;
            private int chatHistory = 50;
            private long unloadAfterMillis = 60_000;
            private int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
            private long batchWindowMillis = DEFAULT_BATCH_WINDOW_MILLIS;

            private Builder() {}

            public Builder maxDocumentCodePoints(int n) {
                this.maxDocumentCodePoints = n;
                return this;
            }

            public Builder maxCatchUp(int n) {
                this.maxCatchUp = n;
                return this;
            }

            public Builder historyInMemory(int n) {
                this.historyInMemory = n;
                return this;
            }

            public Builder snapshotEvery(int n) {
                this.snapshotEvery = n;
                return this;
            }

            public Builder maxBatch(int n) {
                this.maxBatch = n;
                return this;
            }

            public Builder chatHistory(int n) {
                this.chatHistory = n;
                return this;
            }

            public Builder unloadAfterMillis(long n) {
                this.unloadAfterMillis = n;
                return this;
            }

            public Builder threads(int n) {
                this.threads = n;
                return this;
            }

            public Builder batchWindowMillis(long n) {
                this.batchWindowMillis = n;
                return this;
            }

            /** The settings; throws {@link IllegalArgumentException} naming the first value out of range. */
            public Settings build() {
                return new Settings(maxDocumentCodePoints, maxCatchUp, historyInMemory, snapshotEvery, maxBatch, chatHistory,
                        unloadAfterMillis, threads, batchWindowMillis);
            }
        }
    }

    /**
     * What one request may cost a document thread, and when document work counts as stalled;
     * {@link #defaults()} unless configured.
     *
     * @param maxTransformCost the most components one {@code op} may walk through while it is
     *     transformed to the head: for each operation committed since its base version, the op's
     *     components (as transformed so far) plus that operation's. An op of n components based
     *     K versions back costs about n × K; over the limit it is refused with {@code too_costly}
     * @param stallAfterMillis document work is stalled when one task has run this long, or when
     *     no document thread has been free to run a probe for this long ({@code /healthz} says 503)
     */
    public record WorkLimits(long maxTransformCost, long stallAfterMillis) {
        /**
         * About 40 ms of transforming: measured at 13 to 40 ns a component on a loaded 2-core
         * machine (100,000 components × 40 versions: 52 to 123 ms). Typing 10,000 versions
         * behind costs ~50,000; a 10,000-component edit may be 100 versions behind.
         */
        public static final long DEFAULT_MAX_TRANSFORM_COST = 2_000_000;

        public WorkLimits {
            if (maxTransformCost < 1 || stallAfterMillis < 1) {
                throw new IllegalArgumentException("the transform cost limit and the stall time must be positive");
            }
        }

        public static WorkLimits defaults() {
            return new WorkLimits(DEFAULT_MAX_TRANSFORM_COST, 5_000);
        }

        public WorkLimits withMaxTransformCost(long n) {
            return new WorkLimits(n, stallAfterMillis);
        }

        public WorkLimits withStallAfterMillis(long n) {
            return new WorkLimits(maxTransformCost, n);
        }
    }

    /** How long a document's drain may keep a shared thread while other work waits; see {@link SerialQueue}. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A document's text at a version, as the HTTP API returns it. */
    public record DocumentText(String id, long version, String text) {}

    private final DocumentStore store;
    private final Settings settings;
    private final WorkLimits work;
    private final Clock clock;
    private final ExecutorService pool; // null when the executor is someone else's
    private final Executor executor;
    private final ScheduledExecutorService sweeper;
    /** Ends the flush windows of batched delivery; it only enqueues the flush on the document's queue. */
    private final ScheduledExecutorService flushTimer;
    private final ExecutorService committerThread; // null when the executor is someone else's
    private final GroupCommitter committer;
    /** Operations one group commit may hold; past it the rest wait for the next transaction. */
    private static final int MAX_OPS_PER_TRANSACTION = 10_000;
    private final Map<String, Entry> documents = new ConcurrentHashMap<>();
    private final Map<Peer, Set<String>> openBy = new ConcurrentHashMap<>();
    private final AtomicLong committedOps = new AtomicLong();
    private final AtomicLong rebases = new AtomicLong();
    private volatile boolean closing;
    /** The other nodes on the same store; {@link Cluster#NONE} until {@link #join}. */
    private volatile Cluster cluster = Cluster.NONE;
    /** When the watchdog's probe still waiting for a document thread was handed to the pool; 0 if none waits. */
    private volatile long probeSent;

    /** A document's queue and, once its first task has run, its loaded session. */
    private final class Entry {
        final String docId;
        final SerialQueue queue;
        DocumentSession session; // touched only on the queue
        boolean unloaded; // touched only on the queue

        Entry(String docId) {
            this.docId = docId;
            this.queue = new SerialQueue(executor, () -> {
                if (session != null) {
                    session.commitBatch();
                }
            }, pool != null ? SLICE_NANOS : Long.MAX_VALUE);
        }

        void run(Consumer<DocumentSession> work) {
            run(null, null, work);
        }

        /**
         * Runs {@code work} on the document's queue; if it fails (the store is down while
         * loading, say), {@code peer} hears {@code internal} instead of nothing.
         */
        void run(Peer peer, Long seq, Consumer<DocumentSession> work) {
            queue.submit(() -> {
                if (unloaded) {
                    // Unloaded after this task was queued: hand it to the document's new entry.
                    entry(docId).run(peer, seq, work);
                    return;
                }
                try {
                    if (session == null) {
                        session = new DocumentSession(docId, DocumentService.this, store, settings);
                    }
                    session.execute(work);
                } catch (RuntimeException e) {
                    log.error("request on document {} failed", docId, e);
                    if (peer != null) {
                        peer.send(new Outgoing(new ServerMessage.Error(ErrorCode.INTERNAL,
                                "the server could not complete this request", docId, seq)));
                    }
                }
            });
        }
    }

    /** A service running documents on its own pool of {@code settings.threads()} threads. */
    public DocumentService(DocumentStore store, Settings settings, Clock clock) {
        this(store, settings, clock, null);
    }

    /**
     * A service running document queues on {@code executor}, which a simulation controls
     * to choose the interleaving (the end of a batched-delivery window is a task on it too);
     * nothing is unloaded unless {@link #unloadIdleDocuments()} is called. With a null
     * executor the service has its own pool and unloads idle documents on its own.
     */
    public DocumentService(DocumentStore store, Settings settings, Clock clock, Executor executor) {
        this(store, settings, WorkLimits.defaults(), clock, executor);
    }

    /** As {@link #DocumentService(DocumentStore, Settings, Clock, Executor)}, with these work limits. */
    public DocumentService(DocumentStore store, Settings settings, WorkLimits work, Clock clock, Executor executor) {
        this.store = store;
        this.settings = settings;
        this.work = work;
        this.clock = clock;
        if (executor == null) {
            ExecutorService own = Executors.newFixedThreadPool(settings.threads(), DaemonThreads.numbered("coedit-doc-"));
            this.pool = own;
            this.executor = own;
            this.sweeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("coedit-sweeper-"));
            long period = Math.max(1_000, settings.unloadAfterMillis() / 2);
            sweeper.scheduleWithFixedDelay(this::unloadIdleDocuments, period, period, TimeUnit.MILLISECONDS);
            long probeEvery = Math.max(10, Math.min(1_000, work.stallAfterMillis() / 4));
            sweeper.scheduleWithFixedDelay(this::probe, probeEvery, probeEvery, TimeUnit.MILLISECONDS);
            // One thread writes every document's batches: the store serialises commits anyway.
            this.committerThread = Executors.newSingleThreadExecutor(DaemonThreads.numbered("coedit-committer-"));
            this.committer = new GroupCommitter(store, committerThread, MAX_OPS_PER_TRANSACTION);
        } else {
            this.pool = null;
            this.executor = executor;
            this.sweeper = null;
            this.committerThread = null;
            this.committer = new GroupCommitter(store, executor, MAX_OPS_PER_TRANSACTION);
        }
        // A simulation's executor also ends the flush windows (see afterDelay): no clock decides the interleaving.
        this.flushTimer = pool == null ? null : Executors.newSingleThreadScheduledExecutor(DaemonThreads.numbered("coedit-flush-"));
    }

    private Entry entry(String docId) {
        return documents.computeIfAbsent(docId, Entry::new);
    }

    private boolean accepting(Peer peer, String docId, Long seq) {
        if (closing) {
            peer.send(new Outgoing(new ServerMessage.Error(ErrorCode.INTERNAL, "the server is shutting down", docId, seq)));
            return false;
        }
        return true;
    }

    // ---- what a peer asks for ---------------------------------------------------------

    /** Subscribes {@code peer} to a document, creating it on first open; see protocol {@code open}. */
    public void open(Peer peer, String docId, Long fromVersion) {
        if (accepting(peer, docId, null)) {
            // Recorded now, not when the queue gets to it, so a disconnect that overtakes
            // the open still unsubscribes the peer.
            record(peer, docId);
            entry(docId).run(peer, null, s -> s.open(peer, fromVersion));
        }
    }

    /** An operation based on {@code version}; acknowledged once durable, broadcast to the others. */
    public void submit(Peer peer, String docId, long version, long seq, TextOperation op) {
        if (accepting(peer, docId, seq)) {
            entry(docId).run(peer, seq, s -> s.submit(peer, version, seq, op));
        }
    }

    /** The peer's selections at {@code version}, or null for none; relayed to the others. */
    public void presence(Peer peer, String docId, long version, List<Selection> selection) {
        if (accepting(peer, docId, null)) {
            entry(docId).run(peer, null, s -> s.presence(peer, version, selection));
        }
    }

    /** A chat message, stored and sent to everyone on the document, sender included. */
    public void chat(Peer peer, String docId, String text) {
        if (accepting(peer, docId, null)) {
            entry(docId).run(peer, null, s -> s.chat(peer, text));
        }
    }

    /** Unsubscribes the peer from one document; the others get {@code leave}. */
    public void close(Peer peer, String docId) {
        if (closing) {
            return; // everyone is leaving; the queues are finishing their commits
        }
        Entry e = documents.get(docId);
        if (e != null) {
            e.run(s -> s.close(peer));
        }
    }

    /** The peer is gone: unsubscribes it everywhere. */
    public void disconnected(Peer peer) {
        if (closing) {
            return;
        }
        Set<String> docs = openBy.remove(peer);
        if (docs != null) {
            for (String docId : List.copyOf(docs)) {
                close(peer, docId);
            }
        }
    }

    /** Whether {@code peer} has {@code docId} open (as last recorded by the document's queue). */
    public boolean isOpen(Peer peer, String docId) {
        Set<String> docs = openBy.get(peer);
        return docs != null && docs.contains(docId);
    }

    void subscribed(Peer peer, DocumentSession session) {
        record(peer, session.docId);
    }

    /**
     * Forgets the peer once its last document is closed. (An open still queued when the peer
     * disconnected records it again, and its close, queued behind, must leave nothing.)
     */
    void unsubscribed(Peer peer, DocumentSession session) {
        openBy.computeIfPresent(peer, (p, docs) -> {
            docs.remove(session.docId);
            return docs.isEmpty() ? null : docs;
        });
    }

    private void record(Peer peer, String docId) {
        openBy.compute(peer, (p, docs) -> {
            Set<String> set = docs != null ? docs : ConcurrentHashMap.<String>newKeySet();
            set.add(docId);
            return set;
        });
    }

    // ---- other nodes ------------------------------------------------------------------

    /** How often every open document compares its head with the store's, in case a hint was lost. */
    static final long HEAD_CHECK_MILLIS = 2_000;

    /**
     * Shares this node's documents with the other nodes of {@code cluster}, which use the same
     * store: from now on this node tells them of its commits, presence, leaves and chat, and
     * hears theirs. Call once, before the first peer arrives.
     */
    public void join(Cluster cluster) {
        if (this.cluster != Cluster.NONE) {
            throw new IllegalStateException("already joined " + this.cluster.node());
        }
        this.cluster = cluster;
        cluster.start(this::heard);
        if (sweeper != null && cluster.shared()) {
            sweeper.scheduleWithFixedDelay(this::checkHeads, HEAD_CHECK_MILLIS, HEAD_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    Cluster cluster() {
        return cluster;
    }

    /** What another node said: handed to the document it is about, if this node has it loaded. */
    private void heard(Cluster.Event event) {
        if (closing) {
            return;
        }
        if (event instanceof Cluster.Event.Committed c) {
            onLoaded(c.doc(), s -> s.heardCommitted(c.version()));
        } else if (event instanceof Cluster.Event.Presence p) {
            onLoaded(p.doc(), s -> s.heardPresence(p));
        } else if (event instanceof Cluster.Event.Leave l) {
            onLoaded(l.doc(), s -> s.heardLeave(l.node(), l.clientId()));
        } else if (event instanceof Cluster.Event.Chat c) {
            onLoaded(c.doc(), s -> s.heardChat(c));
        } else if (event instanceof Cluster.Event.Who w) {
            onLoaded(w.doc(), DocumentSession::heardWho);
        } else if (event instanceof Cluster.Event.NodeGone g) {
            for (String docId : documents.keySet()) {
                onLoaded(docId, s -> s.nodeGone(g.node()));
            }
        } else if (event instanceof Cluster.Event.Resync) {
            for (String docId : documents.keySet()) {
                onLoaded(docId, DocumentSession::resync);
            }
        }
    }

    /** Runs {@code work} on a document's queue if it is loaded here; a document loaded later reads the store anyway. */
    private void onLoaded(String docId, Consumer<DocumentSession> work) {
        Entry e = documents.get(docId);
        if (e == null) {
            return;
        }
        e.queue.submit(() -> {
            if (!e.unloaded && e.session != null) {
                try {
                    e.session.execute(work);
                } catch (RuntimeException ex) {
                    log.error("handling another node's event on document {} failed", docId, ex);
                }
            }
        });
    }

    /** Every loaded document with subscribers compares its head with the store's: a lost hint delays, never loses. */
    void checkHeads() {
        for (String docId : documents.keySet()) {
            onLoaded(docId, DocumentSession::checkHead);
        }
    }

    // ---- reads for the HTTP API ---------------------------------------------------------

    /** Every stored document, most recently changed first. */
    public List<DocumentInfo> list() {
        List<DocumentInfo> out = new java.util.ArrayList<>();
        for (DocumentSummary d : store.list()) {
            out.add(new DocumentInfo(d.id(), d.version(), d.updated()));
        }
        return out;
    }

    /** A stored document as the HTTP API lists it: its head version and when it last changed (ms since the epoch). */
    public record DocumentInfo(String id, long version, long updated) {}

    /** A committed operation as the HTTP API returns it, with who submitted it and when (ms since the epoch). */
    public record HistoryEntry(long version, TextOperation op, String clientId, long seq, String userId, long timestamp) {}

    /**
     * A document's text at {@code version} (the head if null); empty if that version does not
     * exist. Every id names a document: one never written is at version 0, empty.
     */
    public CompletableFuture<Optional<DocumentText>> text(String docId, Long version) {
        CompletableFuture<Optional<DocumentText>> result = new CompletableFuture<>();
        if (!documents.containsKey(docId) && store.headVersion(docId) == 0) {
            // Never written: answer without loading a session for an id someone made up.
            result.complete(version == null || version == 0 ? Optional.of(new DocumentText(docId, 0, "")) : Optional.empty());
            return result;
        }
        entry(docId).run(s -> s.textAt(version, t -> result.complete(Optional.ofNullable(t))));
        return result;
    }

    /** Committed operations with versions in {@code [from, to)}. */
    public List<HistoryEntry> ops(String docId, long from, long to) {
        List<HistoryEntry> out = new java.util.ArrayList<>();
        for (StoredOp op : store.ops(docId, from, to)) {
            out.add(new HistoryEntry(op.version(), op.op(), op.clientId(), op.seq(), op.userId(), op.timestamp()));
        }
        return out;
    }

    // ---- housekeeping -----------------------------------------------------------------

    long nowMillis() {
        return clock.millis();
    }

    /**
     * Hands a document's batch to the group committer; {@code done} runs on the document's
     * queue once the batch is durable (null) or has failed.
     */
    void commit(DocumentSession session, DocumentCommit commit, Consumer<RuntimeException> done) {
        Entry e = documents.get(session.docId);
        if (e == null || e.session != session) {
            throw new IllegalStateException("document " + session.docId + " committed while not loaded");
        }
        committer.submit(new GroupCommitter.Ticket(commit, failure -> e.queue.submit(() -> done.accept(failure))));
    }

    /**
     * Runs {@code work} on the session's queue after {@code delayMillis}, unless the document was
     * unloaded meanwhile (a new session would have no use for it) or the service is closing.
     */
    void afterDelay(DocumentSession session, long delayMillis, Runnable work) {
        Entry e = documents.get(session.docId);
        if (e == null || e.session != session) {
            throw new IllegalStateException("document " + session.docId + " scheduled work while not loaded");
        }
        Runnable end = () -> e.queue.submit(() -> {
            if (!e.unloaded && e.session == session) {
                work.run();
            }
        });
        if (flushTimer == null) {
            executor.execute(end); // a simulation's executor: it decides when the delay is over, as it decides the rest
            return;
        }
        try {
            flushTimer.schedule(end, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException ex) {
            // Closing: close() flushes every document itself.
        }
    }

    /** Hears of every store transaction the group committer wrote. */
    @FunctionalInterface
    public interface CommitObserver {
        /** {@code ops} operations of {@code documents} documents were made durable in {@code nanos}. */
        void committed(int documents, int ops, long nanos);
    }

    /** Tells {@code observer} of each group commit from now on (replacing any earlier one). */
    public void observeCommits(CommitObserver observer) {
        committer.observe(observer);
    }

    void rebased() {
        rebases.incrementAndGet();
    }

    /**
     * Batches another node committed first (at their base version), since start: each was
     * transformed again past the other node's operations and committed again.
     */
    public long rebases() {
        return rebases.get();
    }

    void committed(int ops) {
        committedOps.addAndGet(ops);
    }

    /** Operations committed since start. */
    public long committedOps() {
        return committedOps.get();
    }

    /** Documents held in memory. */
    public int loadedDocuments() {
        return documents.size();
    }

    /** Peers with at least one document open. */
    public int connectedPeers() {
        return openBy.size();
    }

    /** The transform cost limit of one submission; see {@link WorkLimits#maxTransformCost()}. */
    long maxTransformCost() {
        return work.maxTransformCost();
    }

    /** Hands the pool a task that only notes it ran, unless the last one is still waiting for a thread. */
    private void probe() {
        if (probeSent != 0) {
            return;
        }
        probeSent = System.nanoTime();
        try {
            pool.execute(() -> probeSent = 0);
        } catch (RejectedExecutionException e) {
            probeSent = 0; // closing
        }
    }

    /**
     * Why document work is stalled, or empty if it is not: a task has been running longer than
     * {@link WorkLimits#stallAfterMillis()}, or no document thread has been free that long. Says
     * nothing about which document (health checks need no token).
     */
    public Optional<String> stall() {
        long now = System.nanoTime();
        long limit = TimeUnit.MILLISECONDS.toNanos(work.stallAfterMillis());
        long sent = probeSent;
        if (sent != 0 && now - sent > limit) {
            return Optional.of("no document thread has picked up new work for " + TimeUnit.NANOSECONDS.toMillis(now - sent)
                    + " ms");
        }
        for (Entry e : documents.values()) {
            long running = e.queue.runningFor(now);
            if (running > limit) {
                return Optional.of("a document task has been running for " + TimeUnit.NANOSECONDS.toMillis(running) + " ms");
            }
        }
        return Optional.empty();
    }

    /** Drops documents nobody has open and nobody used for the configured time; they reload on demand. */
    public void unloadIdleDocuments() {
        long cutoff = nowMillis() - settings.unloadAfterMillis();
        for (Entry e : documents.values()) {
            e.queue.submit(() -> {
                if (!e.unloaded && (e.session == null || e.session.idleSince(cutoff))) {
                    e.unloaded = true;
                    documents.remove(e.docId, e);
                }
            });
        }
    }

    /**
     * Stops taking work, lets every document finish and commit what is queued, then
     * returns. The store is the caller's to close afterwards.
     */
    @Override
    public void close() {
        closing = true;
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (flushTimer != null) {
            flushTimer.shutdownNow();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Entry e : documents.values()) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            e.queue.submit(() -> {
                if (e.session != null) {
                    DocumentSession session = e.session;
                    // Through execute: behind the submissions held at a barrier (a full batch
                    // waiting for the one in flight, an open waiting for durability). They were
                    // received before the close, and are committed and acknowledged before it.
                    session.execute(s -> s.afterCommit(() -> {
                        session.flushBatched(); // the last acks of batched subscribers, without waiting out the window
                        done.complete(null);
                    }));
                } else {
                    done.complete(null);
                }
            });
            try {
                done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception ex) {
                break;
            }
        }
        if (pool == null) {
            return;
        }
        committerThread.shutdown();
        Shutdown.andAwait(pool, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
