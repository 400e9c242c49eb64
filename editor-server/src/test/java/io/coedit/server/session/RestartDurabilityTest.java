package io.coedit.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.coedit.ot.Rope;
import io.coedit.ot.TextOperation;
import io.coedit.server.store.H2DocumentStore;
import io.coedit.server.store.StoredOp;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations acknowledged before a stop are all there after a restart on the same data
 * folder, exactly once, and the text the restarted service serves equals replaying them.
 */
class RestartDurabilityTest {

    /** A peer that records what the service sends it. */
    private static final class RecordingPeer implements Peer {
        final BlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
        final String id;

        RecordingPeer(String id) {
            this.id = id;
        }

        @Override
        public String clientId() {
            return id;
        }

        @Override
        public User user() {
            return new User(id, id, "#123456");
        }

        @Override
        public boolean canRead(String docId) {
            return true;
        }

        @Override
        public boolean canWrite(String docId) {
            return true;
        }

        @Override
        public void send(Outgoing message) {
            inbox.add(message.message());
        }

        <T extends ServerMessage> T next(Class<T> type) throws InterruptedException {
            ServerMessage m = inbox.poll(10, TimeUnit.SECONDS);
            assertNotNull(m, "no message within 10 s; expected " + type.getSimpleName());
            return type.cast(m);
        }
    }

    @Test
    void acknowledgedOpsSurviveARestart(@TempDir Path data) throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        DocumentService.Settings settings = DocumentService.Settings.builder().snapshotEvery(7).build();
        Set<Long> acked = new HashSet<>();
        String expected;

        H2DocumentStore store = new H2DocumentStore(data);
        DocumentService service = new DocumentService(store, settings, Clock.systemUTC());
        try {
            RecordingPeer peer = new RecordingPeer("writer");
            service.open(peer, "notes", null);
            ServerMessage.Opened opened = peer.next(ServerMessage.Opened.class);
            long version = opened.version();
            String text = opened.text();
            for (long seq = 1; seq <= 120; seq++) {
                int length = text.codePointCount(0, text.length());
                int at = random.nextInt(length + 1);
                int delete = random.nextInt(4) == 0 ? Math.min(length - at, 1 + random.nextInt(3)) : 0;
                TextOperation op = TextOperation.splice(at, delete, random.nextBoolean() ? "é😀" : "ab\n");
                service.submit(peer, "notes", version, seq, op);
                ServerMessage.Ack ack = peer.next(ServerMessage.Ack.class);
                assertEquals(seq, ack.seq(), "seed " + seed);
                assertEquals(version, ack.version(), "seed " + seed);
                acked.add(ack.seq());
                text = op.apply(text);
                version++;
            }
            expected = text;
        } finally {
            service.close();
            store.close();
        }

        H2DocumentStore reopened = new H2DocumentStore(data);
        DocumentService restarted = new DocumentService(reopened, settings, Clock.systemUTC());
        try {
            long head = reopened.headVersion("notes");
            List<StoredOp> history = reopened.ops("notes", 0, head);
            Set<Long> seqs = new HashSet<>();
            Rope replay = new Rope();
            for (int k = 0; k < history.size(); k++) {
                assertEquals(k, history.get(k).version(), "versions are contiguous");
                assertEquals(true, seqs.add(history.get(k).seq()), "seq " + history.get(k).seq() + " twice");
                replay.apply(history.get(k).op());
            }
            assertEquals(acked, seqs, "every acknowledged op, nothing else (seed " + seed + ")");
            assertEquals(expected, replay.toString());
            assertEquals(expected, restarted.text("notes", null).get(10, TimeUnit.SECONDS).orElseThrow().text());
            // An old version is snapshot + replay after the restart too.
            Rope at50 = new Rope();
            history.subList(0, 50).forEach(op -> at50.apply(op.op()));
            assertEquals(at50.toString(), restarted.text("notes", 50L).get(10, TimeUnit.SECONDS).orElseThrow().text());

            // A resubmission of an op committed before the restart is acknowledged, not applied again.
            RecordingPeer again = new RecordingPeer("writer");
            restarted.open(again, "notes", null);
            again.next(ServerMessage.Opened.class);
            restarted.submit(again, "notes", 0, 5, TextOperation.insert(0, "dup"));
            ServerMessage.Ack ack = again.next(ServerMessage.Ack.class);
            assertEquals(4, ack.version());
            assertEquals(head, reopened.headVersion("notes"));
        } finally {
            restarted.close();
            reopened.close();
        }
    }
}
