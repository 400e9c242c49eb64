package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.coedit.ot.OtClient;
import io.coedit.ot.TextDigest;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * A test client that types random edits into one document over a real socket, keeping its
 * text and OT state the way an editor does: {@link OtClient} refuses a skipped or repeated
 * version, so a client that ends on the server's text saw the whole history once. A batched
 * client (one that said {@code "batch": true}) takes {@code ops} frames, its own operations
 * in them standing for its acks; a plain one takes {@code op} and {@code ack}.
 *
 * <p>It checks the server's digests as docs/PROTOCOL.md says a client should: when it has no
 * unacknowledged edit (it does not keep the server's text apart from its own, so that is when
 * it knows the server's text at its version). On a mismatch it reports {@code diverged},
 * reopens the document and heals with {@link OtClient#reopened}, keeping what was typed
 * meanwhile. Tests inject the faults that make it diverge ({@link #corrupt}, the fault hooks).
 */
final class TypingEditor {
    final WsClient socket;
    final String doc;
    final boolean batched;
    final OtClient ot;
    String text;
    private final Random random;
    /** Times this editor found that its text was not the server's. */
    int divergences;
    /** While healing with the reopen sent: the text this editor took for the server's when it diverged. */
    private String divergedText;
    /** Test-only fault: what a remote operation becomes locally (after the OT client's transform). */
    UnaryOperator<TextOperation> remoteFault = UnaryOperator.identity();
    /** Test-only fault: the operation as it goes on the wire, in its JSON form. */
    UnaryOperator<String> wireFault = UnaryOperator.identity();

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
        type(edit);
    }

    /** Types {@code edit} and sends it if it may (while healing it waits for the reopen). */
    void type(TextOperation edit) {
        text = edit.apply(text);
        ot.applyLocal(edit).ifPresent(this::submit);
    }

    /** Test-only fault: changes the local text behind the OT client's back. */
    void corrupt(UnaryOperator<String> fault) {
        text = fault.apply(text);
    }

    private void submit(OtClient.Submission s) {
        String op = wireFault.apply(OpJson.standard().toJson(s.op()));
        socket.send("{\"type\":\"op\",\"doc\":\"" + doc + "\",\"version\":" + s.version() + ",\"seq\":" + s.seq()
                + ",\"op\":" + op + "}");
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
        for (TypingEditor e : editors) {
            assertEquals(0, e.divergences, () -> "seed " + seed + ": an editor's text differed from the server's digest");
        }
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
                checkDigest(m);
            }
            case "op" -> {
                assertFalse(batched, () -> "a batched client got " + m);
                committed(m);
            }
            case "opened" -> healed(m);
            case "presence", "leave", "chat" -> { }
            default -> throw new AssertionError("unexpected " + m);
        }
        return true;
    }

    /** One committed operation: this client's own is its acknowledgement. */
    private void committed(JsonObject op) {
        if (divergedText != null) {
            return; // reopening: the fresh text holds it
        }
        long version = op.get("version").getAsLong();
        if (op.get("clientId").getAsString().equals(socket.clientId)) {
            ot.acknowledge(op.get("seq").getAsLong(), version).ifPresent(this::submit);
        } else {
            text = remoteFault.apply(ot.applyRemote(version, OpJson.standard().fromJson(op.get("op")))).apply(text);
        }
        checkDigest(op);
    }

    /** Compares the server's digest of the text after an operation with this editor's, when it can. */
    private void checkDigest(JsonObject m) {
        if (!m.has("digest") || ot.healing()) {
            return;
        }
        long at = m.get("version").getAsLong() + 1;
        if (ot.version() != at || ot.state() != OtClient.State.SYNCHRONIZED) {
            return; // its text is ahead of the server's by unacknowledged edits
        }
        String theirs = m.get("digest").getAsString();
        String mine = TextDigest.of(text);
        if (mine.equals(theirs)) {
            return;
        }
        divergences++;
        JsonObject diverged = WsClient.msg("diverged");
        diverged.addProperty("doc", doc);
        diverged.addProperty("version", at);
        diverged.addProperty("digest", theirs);
        diverged.addProperty("clientDigest", mine);
        socket.send(diverged);
        ot.beginHeal();
        divergedText = text; // nothing unacknowledged: this is what it took for the server's text
        JsonObject open = WsClient.msg("open");
        open.addProperty("doc", doc);
        socket.send(open);
    }

    /** The reopened document: what was typed since the divergence is applied to the fresh text and sent. */
    private void healed(JsonObject opened) {
        assertTrue(divergedText != null, () -> "opened without a reopen: " + opened);
        OtClient.Heal heal = ot.reopened(opened.get("version").getAsLong(), divergedText, opened.get("text").getAsString());
        divergedText = null;
        text = heal.local().apply(text);
        heal.submission().ifPresent(this::submit);
    }

    /** Whether this editor is healing a divergence (its reopen not answered yet). */
    boolean healing() {
        return ot.healing();
    }
}
