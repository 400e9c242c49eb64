package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.msg;
import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.coedit.ot.Rope;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.session.DocumentService;
import io.coedit.server.store.ChatMessage;
import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.DocumentSummary;
import io.coedit.server.store.H2DocumentStore;
import io.coedit.server.store.Snapshot;
import io.coedit.server.store.StoredOp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the server while clients are still typing. Several clients, plain and batched, send
 * operations without waiting for their acks; the store holds every commit at a gate, so that
 * when the close starts one batch is in flight, the next ones are queued and more submissions
 * wait behind a barrier; more keep arriving while the server closes. Then the store is reopened
 * and every submission is held to what the client was told about it:
 *
 * <ul>
 *   <li>acknowledged: stored, at the version of the ack;
 *   <li>refused (an error naming its seq): not stored;
 *   <li>read by the server before the close began (a pong came back after it): acknowledged,
 *       as a graceful close commits what is queued and delivers the last acks;
 *   <li>anything else the client learns of from the close (1001) and resubmits after
 *       reconnecting, stored or not.
 * </ul>
 *
 * And what is stored is whole: versions without gaps, the snapshots and the served text equal to
 * the replay of the history.
 */
class ShutdownTest {
    private static final int CLIENTS = 6;
    private static final int DOCUMENTS = 2;
    /** Operations each client has the server read (a pong behind them) before the close begins. */
    private static final int READ_BEFORE_CLOSE = 60;
    /** After this many, a client keeps sending slowly until it hears the server is shutting down. */
    private static final int FAST = 400;

    @Test
    void closeWhileOpsAreQueuedAndInFlightLosesNothingItWasGiven(@TempDir Path data) throws Exception {
        GatedStore store = new GatedStore(new H2DocumentStore(data));
        // Batches of 16: while the first is held at the gate the next one fills, and the document
        // then holds further submissions behind a barrier: all of it is what the close must commit.
        DocumentService.Settings settings = DocumentService.Settings.builder().snapshotEvery(50).maxBatch(16).build();
        EditorServer server = EditorServer.builder().port(0).dataDir(data).store(store).documentSettings(settings)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(1_000_000)).build().start();
        try {
            CountDownLatch toldShuttingDown = new CountDownLatch(1);
            List<Typist> typists = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                boolean batched = i % 3 == 2;
                String name = "Typist" + i;
                WsClient ws = batched ? WsClient.helloBatched(server.webSocketUri(), name)
                        : WsClient.hello(server.webSocketUri(), null, null, name);
                Typist t = new Typist(ws, "shutdown-" + (i % DOCUMENTS), batched, String.valueOf((char) ('a' + i)),
                        toldShuttingDown);
                t.known = ws.open(t.doc).get("version").getAsLong();
                typists.add(t);
            }

            // Every client's first operations are read by the server (the pong comes after them) and
            // wait: the first batch of each document at the gate, the rest queued behind it.
            for (Typist t : typists) {
                for (int k = 0; k < READ_BEFORE_CLOSE; k++) {
                    t.sendOp();
                }
                t.ws.send(msg("ping"));
            }
            for (Typist t : typists) {
                while (t.pongs == 0) {
                    t.take(t.ws.next());
                }
                assertTrue(t.acked.isEmpty() && t.refused.isEmpty(), () -> "answered before any commit: " + t);
            }
            awaitCondition(() -> store.arrived.get() > 0, "a commit reaches the store");

            // Now close while the clients keep sending; open the gate once the server refuses work.
            List<Thread> senders = new ArrayList<>();
            for (Typist t : typists) {
                Thread s = new Thread(t::typeUntilClosed, "typist-" + t.letter);
                s.start();
                senders.add(s);
            }
            Thread closer = new Thread(server::close, "closer");
            closer.start();
            assertTrue(toldShuttingDown.await(30, TimeUnit.SECONDS), "no client was told that the server is shutting down");
            int heldAtClose = store.arrived.get();
            store.gate.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(closer.isAlive(), "close did not return");
            for (Thread s : senders) {
                s.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(s.isAlive(), "a client still waits for its connection to close");
            }

            // What the store kept, read back from the files alone.
            Map<String, StoredOp> stored = new HashMap<>(); // clientId + "/" + seq
            Map<String, String> replayed = new HashMap<>();
            try (H2DocumentStore reopened = new H2DocumentStore(data)) {
                for (int i = 0; i < DOCUMENTS; i++) {
                    String doc = "shutdown-" + i;
                    long head = reopened.headVersion(doc);
                    List<StoredOp> ops = reopened.ops(doc, 0, head);
                    assertEquals(head, ops.size(), doc + ": history shorter than its head");
                    Rope text = Rope.of("");
                    for (int v = 0; v < ops.size(); v++) {
                        StoredOp op = ops.get(v);
                        assertEquals(v, op.version(), doc + ": versions have a gap");
                        text.apply(op.op());
                        assertNull(stored.put(op.clientId() + "/" + op.seq(), op), "stored twice: " + op);
                    }
                    replayed.put(doc, text.toString());
                    Optional<Snapshot> snapshot = reopened.snapshotAtOrBelow(doc, head);
                    if (snapshot.isPresent()) {
                        Rope fromSnapshot = Rope.of(snapshot.get().text());
                        for (StoredOp op : reopened.ops(doc, snapshot.get().version(), head)) {
                            fromSnapshot.apply(op.op());
                        }
                        assertEquals(text.toString(), fromSnapshot.toString(), doc + ": the snapshot disagrees with the history");
                    }
                }
            }

            List<String> problems = new ArrayList<>();
            int acked = 0;
            int refused = 0;
            int unansweredStored = 0;
            int unansweredLost = 0;
            for (Typist t : typists) {
                if (t.failure != null) {
                    throw new AssertionError(t + " failed while typing", t.failure);
                }
                if (t.closeCode != 1001) {
                    problems.add(t + " was closed with " + t.closeCode + ", not 1001");
                }
                problems.addAll(t.unplaced);
                for (long seq = 1; seq <= t.sent; seq++) {
                    StoredOp op = stored.get(t.ws.clientId + "/" + seq);
                    Long ackedAt = t.acked.get(seq);
                    String refusal = t.refused.get(seq);
                    if (ackedAt != null && refusal != null) {
                        problems.add(t + " seq " + seq + " both acked and refused (" + refusal + ")");
                    } else if (ackedAt != null) {
                        acked++;
                        if (op == null || op.version() != ackedAt) {
                            problems.add(t + " seq " + seq + " acked at version " + ackedAt + " but stored as " + op);
                        }
                    } else if (refusal != null) {
                        refused++;
                        if (op != null) {
                            problems.add(t + " seq " + seq + " refused (" + refusal + ") but stored as " + op);
                        }
                    } else if (op != null) {
                        unansweredStored++;
                    } else {
                        unansweredLost++;
                    }
                    if (seq <= READ_BEFORE_CLOSE && ackedAt == null) {
                        problems.add(t + " seq " + seq + ", read before the close began, was not acknowledged"
                                + (op == null ? " nor stored" : " (stored at " + op.version() + ")")
                                + (refusal == null ? "" : "; refused: " + refusal));
                    }
                }
            }
            String figures = "acked " + acked + ", refused " + refused + ", unanswered and stored " + unansweredStored
                    + ", unanswered and not stored " + unansweredLost + ", commits at the gate when it opened " + heldAtClose;
            System.out.println("ShutdownTest: " + figures);
            assertTrue(problems.isEmpty(), () -> problems.size() + " problems (" + figures + "), first ones: "
                    + problems.subList(0, Math.min(20, problems.size())));
            assertTrue(refused > 0, "nothing was refused: the clients stopped before the close; " + figures);
            server.close(); // twice is harmless

            // Served after a restart: the text the history replays; a resubmission is recognised.
            try (EditorServer again = EditorServer.builder().port(0).dataDir(data).build().start()) {
                Typist first = typists.get(0);
                try (WsClient w = WsClient.hello(again.webSocketUri(), first.ws.clientId, null, "Typist0")) {
                    for (int i = 0; i < DOCUMENTS; i++) {
                        String doc = "shutdown-" + i;
                        assertEquals(replayed.get(doc), w.open(doc).get("text").getAsString(), doc + ": served text");
                    }
                    w.send(op(first.doc, 0, 1, TextOperation.insert(0, first.letter)));
                    assertEquals(first.acked.get(1L), w.expect("ack").get("version").getAsLong(),
                            "a resubmission after the restart is recognised");
                }
            }
        } finally {
            store.gate.countDown(); // a failure before the gate opened must not hold the close for its timeout
            server.close();
        }
    }

    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    /** One client typing on one document, keeping track of what it was told about each seq. */
    private static final class Typist {
        final WsClient ws;
        final String doc;
        final boolean batched;
        final String letter;
        final CountDownLatch toldShuttingDown;
        long known; // the highest version heard of: what the next operation is based on
        long sent; // the last seq sent
        int pongs;
        boolean toldShutdown;
        int closeCode = -1;
        volatile Throwable failure;
        final Map<Long, Long> acked = new HashMap<>();
        final Map<Long, String> refused = new HashMap<>();
        /** Errors the client cannot tie to a submission. */
        final List<String> unplaced = new ArrayList<>();

        Typist(WsClient ws, String doc, boolean batched, String letter, CountDownLatch toldShuttingDown) {
            this.ws = ws;
            this.doc = doc;
            this.batched = batched;
            this.letter = letter;
            this.toldShuttingDown = toldShuttingDown;
        }

        void sendOp() {
            sent++;
            ws.send(op(doc, known, sent, TextOperation.insert(0, letter)));
        }

        /** Sends until the server says it is shutting down or closes, then waits for the close. */
        void typeUntilClosed() {
            try {
                while (ws.isOpen() && !toldShutdown) {
                    try {
                        sendOp();
                    } catch (RuntimeException e) {
                        break; // the socket closed under the send
                    }
                    JsonObject m;
                    while ((m = ws.poll(sent < FAST ? 0 : 5)) != null) {
                        take(m);
                    }
                }
                closeCode = ws.awaitClose().getCloseCode().getCode();
                JsonObject m;
                while ((m = ws.poll(0)) != null) {
                    take(m);
                }
            } catch (Throwable e) {
                failure = e;
            } finally {
                ws.close();
            }
        }

        void take(JsonObject m) {
            switch (m.get("type").getAsString()) {
                case "ack" -> ack(m.get("seq").getAsLong(), m.get("version").getAsLong());
                case "op" -> known = Math.max(known, m.get("version").getAsLong() + 1);
                case "ops" -> {
                    for (JsonElement e : m.getAsJsonArray("ops")) {
                        JsonObject o = e.getAsJsonObject();
                        long version = o.get("version").getAsLong();
                        known = Math.max(known, version + 1);
                        if (o.get("clientId").getAsString().equals(ws.clientId)) {
                            ack(o.get("seq").getAsLong(), version); // a batched client's own op is its ack
                        }
                    }
                }
                case "error" -> {
                    String what = m.get("code").getAsString() + ": " + m.get("message").getAsString();
                    if (m.has("seq") && !m.get("seq").isJsonNull()) {
                        refused.put(m.get("seq").getAsLong(), what);
                        if (what.contains("shutting down")) {
                            toldShutdown = true;
                            toldShuttingDown.countDown();
                        }
                    } else {
                        unplaced.add(this + " got an error without a seq: " + m);
                    }
                }
                case "pong" -> pongs++;
                default -> {
                    // presence, leave, chat: not about submissions
                }
            }
        }

        private void ack(long seq, long version) {
            acked.put(seq, version);
            known = Math.max(known, version + 1);
        }

        @Override
        public String toString() {
            return (batched ? "batched " : "plain ") + "client " + ws.clientId + " on " + doc;
        }
    }

    /** The H2 store, with commits held at a gate until the test opens it. */
    private static final class GatedStore implements DocumentStore {
        final DocumentStore store;
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger arrived = new AtomicInteger();

        GatedStore(DocumentStore store) {
            this.store = store;
        }

        @Override
        public void commit(List<DocumentCommit> commits) {
            arrived.incrementAndGet();
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
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
}
