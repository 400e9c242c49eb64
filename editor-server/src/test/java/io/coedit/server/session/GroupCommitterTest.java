package io.coedit.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.coedit.ot.TextOperation;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.DocumentSummary;
import io.coedit.server.store.InMemoryDocumentStore;
import io.coedit.server.store.Snapshot;
import io.coedit.server.store.StoredOp;
import io.coedit.server.store.VersionConflictException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * With several nodes, one document of a group being refused (another node committed to it
 * first) is routine. The others must not pay for it with a commit each.
 */
class GroupCommitterTest {

    /** The in-memory store, counting its transactions and what each held. */
    private static class CountingStore implements DocumentStore {
        final InMemoryDocumentStore store = new InMemoryDocumentStore();
        final List<List<String>> transactions = new ArrayList<>();

        @Override
        public void commit(List<DocumentCommit> commits) {
            List<String> docs = new ArrayList<>();
            for (DocumentCommit c : commits) {
                docs.add(c.docId());
            }
            transactions.add(docs);
            store.commit(commits);
        }

        @Override
        public long headVersion(String docId) {
            return store.headVersion(docId);
        }

        @Override
        public Optional<Snapshot> snapshotAtOrBelow(String docId, long version) {
            return store.snapshotAtOrBelow(docId, version);
        }

        @Override
        public List<StoredOp> ops(String docId, long from, long to) {
            return store.ops(docId, from, to);
        }

        @Override
        public Optional<StoredOp> findSubmission(String docId, String clientId, long seq) {
            return store.findSubmission(docId, clientId, seq);
        }

        @Override
        public long lastSeq(String docId, String clientId) {
            return store.lastSeq(docId, clientId);
        }

        @Override
        public List<DocumentSummary> list() {
            return store.list();
        }

        @Override
        public ChatMessage addChat(String docId, String userId, String userName, String text, long timestamp) {
            return store.addChat(docId, userId, userName, text, timestamp);
        }

        @Override
        public List<ChatMessage> recentChat(String docId, int limit) {
            return store.recentChat(docId, limit);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private static DocumentCommit oneOp(String doc, long base, String clientId, long seq) {
        TextOperation insert = TextOperation.insert(0, "x");
        return new DocumentCommit(doc, base, List.of(new StoredOp(base, insert, clientId, seq, "u", 1)), null);
    }

    @Test
    void aConflictingDocumentLeavesTheGroupAndTheRestCommitTogether() {
        CountingStore store = new CountingStore();
        // Another node has already committed version 0 of "b".
        store.commit(List.of(oneOp("b", 0, "elsewhere", 1)));
        store.transactions.clear();

        List<Runnable> queued = new ArrayList<>();
        Executor manual = queued::add;
        GroupCommitter committer = new GroupCommitter(store, manual, 1000);
        Map<String, RuntimeException> heard = new HashMap<>();
        for (String doc : List.of("a", "b", "c", "d")) {
            committer.submit(new GroupCommitter.Ticket(oneOp(doc, 0, "here", 1), failure -> heard.put(doc, failure)));
        }
        assertEquals(1, queued.size());
        queued.remove(0).run();

        assertEquals(4, heard.size(), heard::toString);
        for (String doc : List.of("a", "c", "d")) {
            assertNull(heard.get(doc), doc);
            assertEquals(1, store.headVersion(doc), doc);
        }
        VersionConflictException conflict = assertInstanceOf(VersionConflictException.class, heard.get("b"));
        assertEquals("b", conflict.docId());
        assertEquals(1, store.headVersion("b"));
        // The refused group, then the three others in one transaction: not one each.
        assertEquals(List.of(List.of("a", "b", "c", "d"), List.of("a", "c", "d")), store.transactions);
    }

    @Test
    void everyConflictingDocumentIsToldAndTheLastOneLeftCommitsAlone() {
        CountingStore store = new CountingStore();
        store.commit(List.of(oneOp("a", 0, "elsewhere", 1)));
        store.commit(List.of(oneOp("c", 0, "elsewhere", 1)));
        store.transactions.clear();

        List<Runnable> queued = new ArrayList<>();
        GroupCommitter committer = new GroupCommitter(store, queued::add, 1000);
        Map<String, RuntimeException> heard = new HashMap<>();
        for (String doc : List.of("a", "b", "c")) {
            committer.submit(new GroupCommitter.Ticket(oneOp(doc, 0, "here", 1), failure -> heard.put(doc, failure)));
        }
        queued.remove(0).run();

        assertInstanceOf(VersionConflictException.class, heard.get("a"));
        assertInstanceOf(VersionConflictException.class, heard.get("c"));
        assertNull(heard.get("b"));
        assertEquals(1, store.headVersion("b"));
        assertEquals(List.of(List.of("a", "b", "c"), List.of("b", "c"), List.of("b")), store.transactions);
    }

    @Test
    void anyOtherFailureStillTriesEachBatchAlone() {
        CountingStore store = new CountingStore() {
            @Override
            public void commit(List<DocumentCommit> commits) {
                if (commits.size() > 1) {
                    transactions.add(List.of("refused"));
                    throw new IllegalStateException("the disk is full");
                }
                super.commit(commits);
            }
        };
        List<Runnable> queued = new ArrayList<>();
        GroupCommitter committer = new GroupCommitter(store, queued::add, 1000);
        Map<String, RuntimeException> heard = new HashMap<>();
        for (String doc : List.of("a", "b")) {
            committer.submit(new GroupCommitter.Ticket(oneOp(doc, 0, "here", 1), failure -> heard.put(doc, failure)));
        }
        queued.remove(0).run();
        assertEquals(2, heard.size());
        assertNull(heard.get("a"));
        assertNull(heard.get("b"));
        assertEquals(List.of(List.of("refused"), List.of("a"), List.of("b")), store.transactions);
    }
}
