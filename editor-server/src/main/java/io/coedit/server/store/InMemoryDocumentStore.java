package io.coedit.server.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The in-memory twin of the H2 store, for tests and simulations: the same contract (the
 * same contract tests run against both), no durability.
 */
public final class InMemoryDocumentStore implements DocumentStore {
    private final Map<String, Doc> docs = new HashMap<>();
    private final List<ChatMessage> chat = new ArrayList<>();

    private static final class Doc {
        final List<StoredOp> ops = new ArrayList<>();
        final TreeMap<Long, Snapshot> snapshots = new TreeMap<>();
        final Map<String, TreeMap<Long, StoredOp>> bySubmission = new HashMap<>();
        long updated;
    }

    @Override
    public synchronized long headVersion(String docId) {
        Doc doc = docs.get(docId);
        return doc == null ? 0 : doc.ops.size();
    }

    @Override
    public synchronized Optional<Snapshot> snapshotAtOrBelow(String docId, long version) {
        Doc doc = docs.get(docId);
        return doc == null ? Optional.empty() : Optional.ofNullable(doc.snapshots.floorEntry(version)).map(Map.Entry::getValue);
    }

    @Override
    public synchronized List<StoredOp> ops(String docId, long from, long to) {
        Doc doc = docs.get(docId);
        long start = Math.max(0, from);
        long end = doc == null ? 0 : Math.min(to, doc.ops.size());
        return start >= end ? List.of() : List.copyOf(doc.ops.subList((int) start, (int) end));
    }

    @Override
    public synchronized Optional<StoredOp> findSubmission(String docId, String clientId, long seq) {
        Doc doc = docs.get(docId);
        Map<Long, StoredOp> mine = doc == null ? null : doc.bySubmission.get(clientId);
        return mine == null ? Optional.empty() : Optional.ofNullable(mine.get(seq));
    }

    @Override
    public synchronized long lastSeq(String docId, String clientId) {
        Doc doc = docs.get(docId);
        TreeMap<Long, StoredOp> mine = doc == null ? null : doc.bySubmission.get(clientId);
        return mine == null ? 0 : mine.lastKey();
    }

    @Override
    public synchronized void commit(List<DocumentCommit> commits) {
        // Check everything before changing anything: the call is all or nothing. Heads are
        // followed through the list, as a transaction sees its own earlier commits.
        Map<String, Long> heads = new HashMap<>();
        Map<List<String>, Long> lastSeqs = new HashMap<>();
        for (DocumentCommit c : commits) {
            long head = heads.containsKey(c.docId()) ? heads.get(c.docId()) : headVersion(c.docId());
            if (head != c.baseVersion()) {
                throw new VersionConflictException(c.docId(), c.baseVersion(), head);
            }
            heads.put(c.docId(), c.headVersion());
            for (StoredOp op : c.ops()) {
                List<String> key = List.of(c.docId(), op.clientId());
                long last = lastSeqs.containsKey(key) ? lastSeqs.get(key) : lastSeq(c.docId(), op.clientId());
                if (op.seq() <= last) {
                    throw new IllegalStateException("submission " + op.clientId() + "/" + op.seq()
                            + " is not above the last one committed to document " + c.docId() + " by that client");
                }
                lastSeqs.put(key, op.seq());
            }
        }
        for (DocumentCommit c : commits) {
            Doc doc = docs.computeIfAbsent(c.docId(), id -> new Doc());
            for (StoredOp op : c.ops()) {
                doc.bySubmission.computeIfAbsent(op.clientId(), id -> new TreeMap<>()).put(op.seq(), op);
                doc.ops.add(op);
                doc.updated = Math.max(doc.updated, op.timestamp());
            }
            if (c.snapshot() != null) {
                doc.snapshots.put(c.snapshot().version(), c.snapshot());
            }
        }
    }

    @Override
    public synchronized List<DocumentSummary> list() {
        return docs.entrySet().stream()
                .filter(e -> !e.getValue().ops.isEmpty())
                .map(e -> new DocumentSummary(e.getKey(), e.getValue().ops.size(), e.getValue().updated))
                .sorted(Comparator.comparingLong(DocumentSummary::updated).reversed().thenComparing(DocumentSummary::id))
                .toList();
    }

    @Override
    public synchronized ChatMessage addChat(String docId, String userId, String userName, String text, long timestamp) {
        ChatMessage m = new ChatMessage(chat.size() + 1, docId, userId, userName, text, timestamp);
        chat.add(m);
        return m;
    }

    @Override
    public synchronized List<ChatMessage> recentChat(String docId, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        List<ChatMessage> mine = chat.stream().filter(m -> m.docId().equals(docId)).toList();
        return List.copyOf(mine.subList(Math.max(0, mine.size() - limit), mine.size()));
    }

    @Override
    public void close() {}
}
