package io.coedit.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.ot.Rope;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.Snapshot;
import io.coedit.server.store.StoredOp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the store must hold after any fault. */
final class History {
    private History() {}

    /**
     * Checks every document: versions 0 … head-1 contiguous, no submission twice, the newest
     * snapshot equal to replaying the history up to it, and every op a client saw acked
     * present once, at the version of its ack. Returns each document's replayed text.
     */
    static Map<String, String> verify(DocumentStore store, List<String> docs, List<EditingClient> clients, String context) {
        Map<String, String> texts = new HashMap<>();
        for (String doc : docs) {
            long head = store.headVersion(doc);
            List<StoredOp> ops = store.ops(doc, 0, head);
            assertEquals(head, ops.size(), context + ": " + doc + " has head " + head + " but " + ops.size() + " ops");
            Optional<Snapshot> snapshot = store.snapshotAtOrBelow(doc, head);
            Map<String, Long> submissions = new HashMap<>();
            Rope replay = new Rope();
            for (int k = 0; k < ops.size(); k++) {
                StoredOp op = ops.get(k);
                assertEquals(k, op.version(), context + ": " + doc + " versions are not contiguous");
                Long before = submissions.put(op.clientId() + "/" + op.seq(), op.version());
                assertEquals(null, before, context + ": " + doc + " holds " + op.clientId() + "/" + op.seq() + " twice");
                if (snapshot.isPresent() && snapshot.get().version() == k) {
                    assertEquals(replay.toString(), snapshot.get().text(), context + ": snapshot of " + doc + " at " + k);
                }
                replay.apply(op.op());
            }
            if (snapshot.isPresent() && snapshot.get().version() == head) {
                assertEquals(replay.toString(), snapshot.get().text(), context + ": snapshot of " + doc + " at the head");
            }
            for (EditingClient c : clients) {
                if (!c.doc.equals(doc)) {
                    continue;
                }
                for (Map.Entry<Long, Long> ack : c.acked.entrySet()) {
                    Long version = submissions.get(c.id + "/" + ack.getKey());
                    assertTrue(version != null, context + ": " + c.id + " saw seq " + ack.getKey() + " acked at version "
                            + ack.getValue() + ", and it is not in the history of " + doc);
                    assertEquals(ack.getValue(), version, context + ": " + c.id + "/" + ack.getKey() + " acked at another version");
                }
            }
            texts.put(doc, replay.toString());
        }
        return texts;
    }
}
