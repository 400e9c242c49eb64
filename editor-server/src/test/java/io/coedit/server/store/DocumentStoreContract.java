package io.coedit.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.ot.TextOperation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link DocumentStore} contract, run against every store: each store's test extends
 * this class and says how to open one. A behaviour that one store has and its twin lacks
 * fails here, not in a simulation that happened to use the other store.
 */
abstract class DocumentStoreContract {

    /** Text that exercises code points: astral emoji, a flag pair, combining marks, CJK. */
    static final String UNICODE = "héllo 😀 wörld 🇫🇷 e\u0301 中文 𝒳";

    protected DocumentStore store;

    /** A new, empty store. */
    protected abstract DocumentStore openStore();

    @BeforeEach
    void openTheStore() {
        store = openStore();
    }

    @AfterEach
    void closeTheStore() {
        store.close();
    }

    // ---- helpers ------------------------------------------------------------------------

    static StoredOp op(long version, TextOperation op, String clientId, long seq) {
        return new StoredOp(version, op, clientId, seq, "user-" + clientId, 1_000_000 + version);
    }

    /** A commit of inserts at the start of the document, one op per text, seqs from {@code firstSeq}. */
    static DocumentCommit inserts(String docId, long base, String clientId, long firstSeq, String... texts) {
        List<StoredOp> ops = new ArrayList<>();
        for (int k = 0; k < texts.length; k++) {
            ops.add(op(base + k, TextOperation.insert(0, texts[k]), clientId, firstSeq + k));
        }
        return new DocumentCommit(docId, base, ops, null);
    }

    static String replay(String text, List<StoredOp> ops) {
        for (StoredOp op : ops) {
            text = op.op().apply(text);
        }
        return text;
    }

    /** The document's text the way a session loads it: newest snapshot at or below, plus replay. */
    static String load(DocumentStore store, String docId) {
        long head = store.headVersion(docId);
        Snapshot base = store.snapshotAtOrBelow(docId, head).orElse(new Snapshot(0, ""));
        return replay(base.text(), store.ops(docId, base.version(), head));
    }

    static List<Long> versions(List<StoredOp> ops) {
        return ops.stream().map(StoredOp::version).toList();
    }

    /** Everything observable about one document, to compare before and after a failed call. */
    record DocumentState(long head, List<StoredOp> ops, Optional<Snapshot> snapshot, long lastSeq) {}

    DocumentState state(String docId, String clientId) {
        long head = store.headVersion(docId);
        return new DocumentState(head, store.ops(docId, 0, Long.MAX_VALUE),
                store.snapshotAtOrBelow(docId, Long.MAX_VALUE), store.lastSeq(docId, clientId));
    }

    // ---- tests --------------------------------------------------------------------------

    @Test
    void aDocumentNeverCommittedToIsEmptyAtVersionZero() {
        assertEquals(0, store.headVersion("nothing"));
        assertEquals(List.of(), store.ops("nothing", 0, 10));
        assertEquals(Optional.empty(), store.snapshotAtOrBelow("nothing", 10));
        assertEquals(Optional.empty(), store.findSubmission("nothing", "c1", 1));
        assertEquals(0, store.lastSeq("nothing", "c1"));
        assertEquals(List.of(), store.list());
        assertEquals(List.of(), store.recentChat("nothing", 10));
        assertEquals("", load(store, "nothing"));
    }

    @Test
    void committedOpsReadBackEqualWithEveryField() {
        String start = "ab" + UNICODE;
        TextOperation insert = TextOperation.insert(0, "ab" + UNICODE);
        TextOperation deleteEmoji = TextOperation.splice(8, 1, "🎉🎉"); // replaces 😀, an astral code point
        TextOperation mixed = TextOperation.builder().retain(2).delete(3).insert("ñ").retain(4).insert("𝄞").build();
        List<StoredOp> ops = List.of(
                new StoredOp(0, insert, "client-α", 1, "user-1", 1_700_000_000_000L),
                new StoredOp(1, deleteEmoji, "client-α", 2, "user-1", 1_700_000_000_001L),
                new StoredOp(2, mixed, "client-😀", 1, "user-2", 1_700_000_000_002L));

        store.commit(List.of(new DocumentCommit("doc", 0, ops, null)));

        assertEquals(3, store.headVersion("doc"));
        List<StoredOp> read = store.ops("doc", 0, 3);
        assertEquals(ops, read);
        assertEquals(List.of(0L, 1L, 2L), versions(read));
        String expected = "abñlo 🎉𝄞🎉 wörld 🇫🇷 e\u0301 中文 𝒳";
        assertEquals(expected, mixed.apply(deleteEmoji.apply(start)), "the test's own arithmetic");
        assertEquals(expected, load(store, "doc"));
    }

    @Test
    void laterCommitsContinueTheHistory() {
        store.commit(List.of(inserts("doc", 0, "c1", 1, "a", "b")));
        store.commit(List.of(inserts("doc", 2, "c1", 3, "c")));
        store.commit(List.of(inserts("doc", 3, "c2", 1, "d", "e", "f")));

        assertEquals(6, store.headVersion("doc"));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), versions(store.ops("doc", 0, 100)));
        assertEquals("fedcba", load(store, "doc"));
    }

    @Test
    void oneCallCommitsSeveralDocuments() {
        store.commit(List.of(inserts("b", 0, "c1", 1, "x")));

        store.commit(List.of(
                inserts("a", 0, "c1", 1, "1", "2"),
                inserts("b", 1, "c1", 2, "y"),
                inserts("c", 0, "c2", 1, "z")));

        assertEquals(2, store.headVersion("a"));
        assertEquals(2, store.headVersion("b"));
        assertEquals(1, store.headVersion("c"));
        assertEquals("21", load(store, "a"));
        assertEquals("yx", load(store, "b"));
        assertEquals("z", load(store, "c"));
    }

    @Test
    void oneCallMayCommitTwiceToOneDocumentInOrder() {
        store.commit(List.of(inserts("doc", 0, "c1", 1, "a"), inserts("doc", 1, "c1", 2, "b")));

        assertEquals(2, store.headVersion("doc"));
        assertEquals("ba", load(store, "doc"));
    }

    @Test
    void aCommitAtAStaleVersionThrowsAndChangesNothingAnywhere() {
        store.commit(List.of(inserts("a", 0, "c1", 1, "1", "2"), inserts("b", 0, "c1", 1, "x")));
        DocumentState a = state("a", "c1");
        DocumentState b = state("b", "c1");
        List<DocumentSummary> listed = store.list();

        // b's commit is fine and comes first; a's is stale: neither may land.
        DocumentCommit fine = new DocumentCommit("b", 1,
                List.of(op(1, TextOperation.insert(0, "y"), "c1", 2)), new Snapshot(2, "yx"));
        DocumentCommit stale = new DocumentCommit("a", 1,
                List.of(op(1, TextOperation.insert(0, "3"), "c1", 3)), new Snapshot(2, "31"));
        DocumentCommit fresh = inserts("new", 0, "c1", 1, "n");
        VersionConflictException e = assertThrows(VersionConflictException.class,
                () -> store.commit(List.of(fine, fresh, stale)));

        assertEquals("a", e.docId());
        assertEquals(1, e.expected());
        assertEquals(2, e.actual());
        assertEquals(a, state("a", "c1"));
        assertEquals(b, state("b", "c1"));
        assertEquals(0, store.headVersion("new"));
        assertEquals(listed, store.list());
        assertEquals(Optional.empty(), store.findSubmission("b", "c1", 2));
    }

    @Test
    void aCommitAheadOfTheHeadConflictsToo() {
        store.commit(List.of(inserts("a", 0, "c1", 1, "1")));

        VersionConflictException ahead = assertThrows(VersionConflictException.class,
                () -> store.commit(List.of(inserts("a", 5, "c1", 2, "x"))));
        assertEquals(1, ahead.actual());
        VersionConflictException unknown = assertThrows(VersionConflictException.class,
                () -> store.commit(List.of(inserts("nobody", 3, "c1", 1, "x"))));
        assertEquals(0, unknown.actual());
        assertEquals(1, store.headVersion("a"));
        assertEquals(0, store.headVersion("nobody"));
    }

    @Test
    void theSecondOfTwoCommitsAtOneBaseConflicts() {
        store.commit(List.of(inserts("a", 0, "c1", 1, "x")));

        VersionConflictException e = assertThrows(VersionConflictException.class,
                () -> store.commit(List.of(inserts("a", 0, "c2", 1, "y"))));
        assertEquals(0, e.expected());
        assertEquals(1, e.actual());
        assertEquals("x", load(store, "a"));
    }

    @Test
    void snapshotAtOrBelowPicksTheNewestNotAfterTheVersion() {
        store.commit(List.of(new DocumentCommit("doc", 0,
                List.of(op(0, TextOperation.insert(0, "a"), "c", 1), op(1, TextOperation.insert(1, "b"), "c", 2)),
                new Snapshot(2, "ab"))));
        store.commit(List.of(new DocumentCommit("doc", 2,
                List.of(op(2, TextOperation.insert(2, "c"), "c", 3), op(3, TextOperation.insert(3, "😀"), "c", 4),
                        op(4, TextOperation.insert(4, "e"), "c", 5)),
                new Snapshot(5, "abc😀e"))));
        store.commit(List.of(new DocumentCommit("other", 0, List.of(op(0, TextOperation.insert(0, "z"), "c", 1)),
                new Snapshot(1, "z"))));

        assertEquals(Optional.empty(), store.snapshotAtOrBelow("doc", 1));
        assertEquals(Optional.of(new Snapshot(2, "ab")), store.snapshotAtOrBelow("doc", 2));
        assertEquals(Optional.of(new Snapshot(2, "ab")), store.snapshotAtOrBelow("doc", 4));
        assertEquals(Optional.of(new Snapshot(5, "abc😀e")), store.snapshotAtOrBelow("doc", 5));
        assertEquals(Optional.of(new Snapshot(5, "abc😀e")), store.snapshotAtOrBelow("doc", 1_000));
        assertEquals(Optional.of(new Snapshot(1, "z")), store.snapshotAtOrBelow("other", 1));
        assertEquals("abc😀e", load(store, "doc"));
        assertEquals(load(store, "doc"), replay("", store.ops("doc", 0, 5)));
    }

    @Test
    void submissionsAreFoundByDocumentClientAndSeq() {
        store.commit(List.of(inserts("a", 0, "c1", 1, "x", "y", "z"), inserts("b", 0, "c1", 1, "q")));
        store.commit(List.of(inserts("a", 3, "c2", 7, "w")));

        StoredOp second = store.findSubmission("a", "c1", 2).orElseThrow();
        assertEquals(1, second.version());
        assertEquals(TextOperation.insert(0, "y"), second.op());
        assertEquals(store.ops("a", 1, 2).get(0), second);
        assertEquals(3, store.findSubmission("a", "c2", 7).orElseThrow().version());
        assertEquals(0, store.findSubmission("b", "c1", 1).orElseThrow().version());
        assertEquals(Optional.empty(), store.findSubmission("a", "c1", 4));
        assertEquals(Optional.empty(), store.findSubmission("a", "c3", 1));
        assertEquals(Optional.empty(), store.findSubmission("b", "c2", 7));

        assertEquals(3, store.lastSeq("a", "c1"));
        assertEquals(7, store.lastSeq("a", "c2"));
        assertEquals(1, store.lastSeq("b", "c1"));
        assertEquals(0, store.lastSeq("b", "c2"));
        assertEquals(0, store.lastSeq("a", "c3"));
    }

    @Test
    void aRepeatedSubmissionIsRejectedAndChangesNothing() {
        store.commit(List.of(inserts("a", 0, "c1", 1, "x"), inserts("b", 0, "c1", 1, "y")));
        DocumentState a = state("a", "c1");
        DocumentState b = state("b", "c1");

        // c1/1 again on a, in a call that also holds a good commit to b.
        assertThrows(IllegalStateException.class,
                () -> store.commit(List.of(inserts("b", 1, "c1", 2, "z"), inserts("a", 1, "c1", 1, "again"))));
        // The same submission twice within one call.
        assertThrows(IllegalStateException.class,
                () -> store.commit(List.of(inserts("a", 1, "c2", 5, "p"), inserts("a", 2, "c2", 5, "p"))));

        assertEquals(a, state("a", "c1"));
        assertEquals(b, state("b", "c1"));
        assertEquals(0, store.lastSeq("a", "c2"));
        // The same client and seq on another document is another submission.
        store.commit(List.of(inserts("c", 0, "c1", 1, "fine")));
        assertEquals(1, store.headVersion("c"));
    }

    @Test
    void aSeqNotAboveTheClientsLastIsRefusedAndChangesNothing() {
        store.commit(List.of(inserts("a", 0, "c1", 5, "x")));
        DocumentState before = state("a", "c1");

        assertThrows(IllegalStateException.class, () -> store.commit(List.of(inserts("a", 1, "c1", 3, "lower"))));
        assertThrows(IllegalStateException.class, () -> store.commit(List.of(inserts("a", 1, "c1", 5, "same"))));
        // Within one call too, across two commits of the document.
        assertThrows(IllegalStateException.class,
                () -> store.commit(List.of(inserts("a", 1, "c1", 9, "p"), inserts("a", 2, "c1", 8, "q"))));

        assertEquals(before, state("a", "c1"));
        store.commit(List.of(inserts("a", 1, "c1", 6, "y")));
        assertEquals(6, store.lastSeq("a", "c1"));
        assertEquals(1, store.findSubmission("a", "c1", 6).orElseThrow().version());
        assertEquals(0, store.findSubmission("a", "c1", 5).orElseThrow().version());
    }

    @Test
    void listShowsDocumentsWithHistoryMostRecentlyChangedFirst() {
        store.commit(List.of(new DocumentCommit("old", 0,
                List.of(new StoredOp(0, TextOperation.insert(0, "o"), "c", 1, "u", 100)), null)));
        store.commit(List.of(new DocumentCommit("new", 0,
                List.of(new StoredOp(0, TextOperation.insert(0, "n"), "c", 1, "u", 300)), null)));
        store.commit(List.of(new DocumentCommit("middle", 0, List.of(
                new StoredOp(0, TextOperation.insert(0, "m"), "c", 1, "u", 200),
                new StoredOp(1, TextOperation.insert(0, "m"), "c", 2, "u", 250)), null)));
        store.commit(List.of(new DocumentCommit("tie", 0,
                List.of(new StoredOp(0, TextOperation.insert(0, "t"), "c", 1, "u", 250)), null)));
        store.commit(List.of(new DocumentCommit("empty", 0, List.of(), null)));

        assertEquals(List.of(
                new DocumentSummary("new", 1, 300),
                new DocumentSummary("middle", 2, 250),
                new DocumentSummary("tie", 1, 250),
                new DocumentSummary("old", 1, 100)), store.list());

        store.commit(List.of(new DocumentCommit("old", 1,
                List.of(new StoredOp(1, TextOperation.insert(0, "o"), "c", 2, "u", 400)), null)));
        assertEquals(new DocumentSummary("old", 2, 400), store.list().get(0));
    }

    @Test
    void chatKeepsTheLastMessagesOfEachDocumentOldestFirst() {
        List<ChatMessage> onA = new ArrayList<>();
        for (int k = 1; k <= 5; k++) {
            onA.add(store.addChat("a", "u" + k, "Name " + k, "message " + k + " 😀", 1_000 + k));
            store.addChat("b", "ub", "B", "on b " + k, 2_000 + k);
        }

        for (int k = 1; k < onA.size(); k++) {
            assertTrue(onA.get(k).id() > onA.get(k - 1).id(), "chat ids grow");
        }
        assertEquals(new ChatMessage(onA.get(0).id(), "a", "u1", "Name 1", "message 1 😀", 1_001), onA.get(0));
        assertEquals(onA.subList(2, 5), store.recentChat("a", 3));
        assertEquals(onA, store.recentChat("a", 100));
        assertEquals(List.of(), store.recentChat("a", 0));
        assertEquals(List.of("on b 4", "on b 5"), store.recentChat("b", 2).stream().map(ChatMessage::text).toList());
        assertEquals(List.of(), store.recentChat("c", 10));
        assertEquals(List.of(), store.list(), "chat alone gives a document no history");
    }

    @Test
    void opsRangesAreClippedToTheHistory() {
        store.commit(List.of(inserts("doc", 0, "c", 1, "a", "b", "c", "d", "e")));

        assertEquals(List.of(1L, 2L), versions(store.ops("doc", 1, 3)));
        assertEquals(List.of(0L, 1L), versions(store.ops("doc", -5, 2)));
        assertEquals(List.of(3L, 4L), versions(store.ops("doc", 3, 100)));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), versions(store.ops("doc", Long.MIN_VALUE, Long.MAX_VALUE)));
        assertEquals(List.of(), store.ops("doc", 5, 9));
        assertEquals(List.of(), store.ops("doc", 3, 3));
        assertEquals(List.of(), store.ops("doc", 4, 2));
        assertEquals(List.of(), store.ops("doc", -9, -2));
        assertEquals(List.of(), store.ops("other", 0, 5));
    }

    @Test
    void anyRangeOfAHistoryCommittedInBatchesOfManySizesReadsBackExactly() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        List<StoredOp> all = new ArrayList<>();
        long seq = 0;
        while (all.size() < 400) {
            int n = 1 + random.nextInt(random.nextBoolean() ? 3 : 40);
            List<StoredOp> ops = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                long version = all.size() + k;
                ops.add(op(version, TextOperation.insert(0, "v" + version), "c" + random.nextInt(3), ++seq));
            }
            store.commit(List.of(new DocumentCommit("doc", all.size(), ops, null)));
            all.addAll(ops);
        }
        for (int i = 0; i < 300; i++) {
            long from = random.nextInt(all.size() + 20) - 10;
            long to = from + random.nextInt(120);
            List<StoredOp> expected = all.subList((int) Math.max(0, Math.min(from, all.size())),
                    (int) Math.max(0, Math.min(to, all.size())));
            assertEquals(expected, store.ops("doc", from, to), "[" + from + ", " + to + "), seed " + seed);
        }
        assertEquals(all, store.ops("doc", Long.MIN_VALUE, Long.MAX_VALUE), "seed " + seed);
        assertEquals(all.subList(377, all.size()), store.ops("doc", 377, Long.MAX_VALUE), "seed " + seed);
        assertEquals(all.subList(0, 5), store.ops("doc", Long.MIN_VALUE, 5), "seed " + seed);
        for (StoredOp op : all) {
            assertEquals(Optional.of(op), store.findSubmission("doc", op.clientId(), op.seq()), "seed " + seed);
        }
    }

    @Test
    void largeTextsAndLongOpsRoundTrip() {
        // Bigger than a VARCHAR may hold, and more components than a client may send.
        String big = "😀ab".repeat(400_000);
        TextOperation.Builder manyParts = TextOperation.builder();
        for (int k = 0; k < 60_000; k++) {
            manyParts.retain(1).delete(1).insert("x");
        }
        TextOperation longOp = manyParts.build();
        assertTrue(longOp.components().size() > 100_000);
        store.commit(List.of(new DocumentCommit("big", 0, List.of(
                op(0, TextOperation.insert(0, big), "c", 1),
                op(1, longOp, "c", 2)), new Snapshot(2, longOp.apply(big)))));

        assertEquals(List.of(TextOperation.insert(0, big), longOp), store.ops("big", 0, 2).stream().map(StoredOp::op).toList());
        assertEquals(longOp.apply(big), store.snapshotAtOrBelow("big", 2).orElseThrow().text());
    }

    /**
     * Writers racing on one document, each re-reading the head and retrying when it loses,
     * as nodes sharing a database would: every version is taken exactly once.
     */
    @Test
    void concurrentWritersAtOneBaseNeverBothWin() throws Exception {
        int writers = 4;
        int opsEach = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String clientId = "writer-" + w;
                tasks.add(() -> {
                    int conflicts = 0;
                    for (long seq = 1; seq <= opsEach; seq++) {
                        while (true) {
                            long head = store.headVersion("race");
                            try {
                                store.commit(List.of(new DocumentCommit("race", head,
                                        List.of(op(head, TextOperation.insert(0, "x"), clientId, seq)), null)));
                                break;
                            } catch (VersionConflictException e) {
                                if (++conflicts > 10_000) {
                                    throw new AssertionError(clientId + " never wins: " + e.getMessage(), e);
                                }
                            }
                        }
                    }
                    return conflicts;
                });
            }
            for (Future<Integer> done : pool.invokeAll(tasks)) {
                done.get();
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }

        long total = (long) writers * opsEach;
        assertEquals(total, store.headVersion("race"));
        List<StoredOp> history = store.ops("race", 0, total);
        Set<String> submissions = new HashSet<>();
        for (int k = 0; k < history.size(); k++) {
            assertEquals(k, history.get(k).version());
            assertTrue(submissions.add(history.get(k).clientId() + "/" + history.get(k).seq()));
        }
        assertEquals("x".repeat((int) total), load(store, "race"));
        for (int w = 0; w < writers; w++) {
            assertEquals(opsEach, store.lastSeq("race", "writer-" + w));
        }
    }

    /** Seeded random edits with astral characters, committed in groups with snapshots; returns the final text. */
    static String randomHistory(DocumentStore store, String docId, long seed, int commits) {
        Random random = new Random(seed);
        String[] alphabet = {"a", "b", " ", "\n", "é", "😀", "𝒳", "中", "👍🏽"};
        String text = load(store, docId);
        long version = store.headVersion(docId);
        long seq = store.lastSeq(docId, "rand") + 1;
        for (int c = 0; c < commits; c++) {
            List<StoredOp> ops = new ArrayList<>();
            long base = version;
            int count = 1 + random.nextInt(20);
            for (int k = 0; k < count; k++) {
                int length = text.codePointCount(0, text.length());
                int position = random.nextInt(length + 1);
                int delete = random.nextInt(Math.min(3, length - position) + 1);
                String insert = random.nextInt(4) == 0 ? "" : alphabet[random.nextInt(alphabet.length)];
                TextOperation op = TextOperation.splice(position, delete, insert);
                ops.add(new StoredOp(version++, op, "rand", seq++, "user", 1_000 + version));
                text = op.apply(text);
            }
            Snapshot snapshot = random.nextInt(3) == 0 ? new Snapshot(version, text) : null;
            store.commit(List.of(new DocumentCommit(docId, base, ops, snapshot)));
        }
        return text;
    }

    @Test
    void loadingFromSnapshotsEqualsReplayingTheWholeHistory() {
        String expected = randomHistory(store, "doc", 42, 30);

        assertEquals(expected, load(store, "doc"));
        assertEquals(expected, replay("", store.ops("doc", 0, store.headVersion("doc"))));
    }
}
