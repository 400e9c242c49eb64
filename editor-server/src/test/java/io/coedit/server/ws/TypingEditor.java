package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.coedit.ot.OtClient;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A test client that types random edits into one document over a real socket, keeping its
 * text and OT state the way an editor does: {@link OtClient} refuses a skipped or repeated
 * version, so a client that ends on the server's text saw the whole history once. A batched
 * client (one that said {@code "batch": true}) takes {@code ops} frames, its own operations
 * in them standing for its acks; a plain one takes {@code op} and {@code ack}.
 */
final class TypingEditor {
    final WsClient socket;
    final String doc;
    final boolean batched;
    final OtClient ot;
    String text;
    private final Random random;

    TypingEditor(WsClient socket, String doc, boolean batched, JsonObject opened, long seed) {
        this.socket = socket;
        this.doc = doc;
        this.batched = batched;
        this.ot = new OtClient(opened.get("version").getAsLong());
        this.text = opened.get("text").getAsString();
        this.random = new Random(seed);
    }

    /** Types one random insert or delete (emoji and astral characters included) and sends it if it may. */
    void typeSomething() {
        int length = text.codePointCount(0, text.length());
        TextOperation edit;
        if (length > 0 && random.nextInt(3) == 0) {
            int at = random.nextInt(length);
            edit = TextOperation.delete(at, 1 + random.nextInt(Math.min(3, length - at)));
        } else {
            String[] words = {"a", "hé", "😀", "tea ", "\n", "𝄞x"};
            edit = TextOperation.insert(random.nextInt(length + 1), words[random.nextInt(words.length)]);
        }
        text = edit.apply(text);
        ot.applyLocal(edit).ifPresent(this::submit);
    }

    private void submit(OtClient.Submission s) {
        socket.send(WsClient.op(doc, s.version(), s.seq(), s.op()));
    }

    /**
     * Each editor types {@code edits} edits on a thread of its own, handling what arrives
     * between keystrokes, then waits for its last acknowledgement. Fails, naming the seed, if
     * any editor failed or was left with an unacknowledged edit.
     */
    static void typeConcurrently(List<TypingEditor> editors, int edits, long seed) throws InterruptedException {
        List<Throwable> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (TypingEditor e : editors) {
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < edits; i++) {
                        e.typeSomething();
                        while (e.receive(1)) {
                            // a typist's pause: handle whatever arrived meanwhile
                        }
                    }
                    while (e.ot.state() != OtClient.State.SYNCHRONIZED) {
                        assertTrue(e.receive(WsClient.TIMEOUT.toMillis()), "seed " + seed + ": acks missing");
                    }
                } catch (Throwable x) {
                    synchronized (failures) {
                        failures.add(x);
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> "seed " + seed + ": " + failures);
    }

    /** Takes what the server sends until this editor is at {@code version}, and returns its text. */
    String catchUpTo(long version, long seed) {
        while (ot.version() < version) {
            assertTrue(receive(WsClient.TIMEOUT.toMillis()), "seed " + seed + ": ops missing");
        }
        return text;
    }

    /** Handles one server message, if one comes within {@code millis}. */
    boolean receive(long millis) {
        JsonObject m = socket.poll(millis);
        if (m == null) {
            return false;
        }
        switch (m.get("type").getAsString()) {
            case "ops" -> {
                assertTrue(batched, () -> "a plain client got " + m);
                for (JsonElement e : m.getAsJsonArray("ops")) {
                    committed(e.getAsJsonObject());
                }
            }
            case "ack" -> {
                assertFalse(batched, () -> "a batched client got " + m);
                ot.acknowledge(m.get("seq").getAsLong(), m.get("version").getAsLong()).ifPresent(this::submit);
            }
            case "op" -> {
                assertFalse(batched, () -> "a batched client got " + m);
                committed(m);
            }
            case "presence", "leave", "chat" -> { }
            default -> throw new AssertionError("unexpected " + m);
        }
        return true;
    }

    /** One committed operation: this client's own is its acknowledgement. */
    private void committed(JsonObject op) {
        long version = op.get("version").getAsLong();
        if (op.get("clientId").getAsString().equals(socket.clientId)) {
            ot.acknowledge(op.get("seq").getAsLong(), version).ifPresent(this::submit);
        } else {
            text = ot.applyRemote(version, OpJson.standard().fromJson(op.get("op"))).apply(text);
        }
    }
}
