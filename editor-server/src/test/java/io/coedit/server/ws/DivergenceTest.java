package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonParser;
import io.coedit.ot.OtClient;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import io.coedit.server.EditorServer;
import io.coedit.server.session.DocumentService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Divergence, whatever its cause, is found by the server's digests and healed: the client
 * reports it, reopens the document and keeps what its person typed (docs/PROTOCOL.md,
 * "Digests"). The causes are injected into a client on purpose, since the server and the
 * engine are not supposed to produce any.
 */
class DivergenceTest {
    private static final Pattern DIVERGENCES = Pattern.compile("(?m)^coedit_divergences_total (\\S+)$");
    /** Enough for a small document to pass several digest versions. */
    private static final int MAX_EDITS = 200;

    @TempDir
    Path data;
    EditorServer server;
    URI ws;

    @BeforeEach
    void start() {
        server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(10_000))
                .build().start();
        ws = server.webSocketUri();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aCorruptedPlainClientIsDetectedAndHealedKeepingWhatItTyped() throws Exception {
        corruptedClientIsHealed(false);
    }

    @Test
    void aCorruptedBatchedClientIsDetectedAndHealedKeepingWhatItTyped() throws Exception {
        corruptedClientIsHealed(true);
    }

    private void corruptedClientIsHealed(boolean batched) throws Exception {
        long seed = new Random().nextLong();
        String doc = "corrupt-" + batched;
        try (WsClient a = batched ? WsClient.helloBatched(ws, "Ann") : WsClient.hello(ws, null, null, "Ann");
                WsClient b = WsClient.hello(ws, null, null, "Bob")) {
            TypingEditor ann = new TypingEditor(a, doc, batched, a.open(doc), seed);
            TypingEditor bob = new TypingEditor(b, doc, false, b.open(doc), seed + 1);
            bob.type(TextOperation.insert(0, "the quick brown fox"));
            settle(doc, List.of(ann, bob), seed);

            // The fault: one character of Ann's text changes behind her OT client's back
            // (same length, so everyone's operations still fit it).
            ann.corrupt(t -> "\u2603" + t.substring(t.offsetByCodePoints(0, 1)));
            String kept = "[typed while healing 😀]";
            boolean typedWhileHealing = false;
            Random random = new Random(seed);
            for (int edit = 0; edit < MAX_EDITS && !typedWhileHealing; edit++) {
                // Inserts only, so that Bob cannot delete the corrupted character by chance.
                bob.type(TextOperation.insert(random.nextInt(bob.text.codePointCount(0, bob.text.length()) + 1), "é😀"));
                long deadline = System.nanoTime() + WsClient.TIMEOUT.toNanos();
                while (bob.ot.state() != OtClient.State.SYNCHRONIZED || ann.ot.version() < bob.ot.version()) {
                    assertTrue(System.nanoTime() < deadline, "seed " + seed + ": no progress");
                    bob.receive(1);
                    if (ann.receive(1) && ann.healing()) {
                        // Found out; the reopen is under way. What she types now must survive it.
                        ann.type(TextOperation.insert(0, kept));
                        typedWhileHealing = true;
                        break;
                    }
                }
            }
            assertTrue(typedWhileHealing, "seed " + seed + ": the corruption was not detected within " + MAX_EDITS + " edits");
            assertEquals(1, ann.divergences, "seed " + seed);
            String healed = settle(doc, List.of(ann, bob), seed);
            assertTrue(healed.contains(kept), "seed " + seed + ": what was typed while healing is kept: " + healed);
            assertFalse(healed.contains("\u2603"), "seed " + seed + ": the corruption is gone: " + healed);
            assertEquals(1, divergencesCounted());

            // Healed for good: more typing on both sides, no new divergence.
            for (int edit = 0; edit < 40; edit++) {
                bob.typeSomething();
                ann.typeSomething();
                ann.receive(1);
                bob.receive(1);
            }
            settle(doc, List.of(ann, bob), seed);
            assertEquals(1, ann.divergences, "seed " + seed);
        }
    }

    /**
     * The race of the ot-text-unicode reproduction, with the old reordering behaviour
     * simulated so that it does not depend on the engine's normal form: on {@code "abc"}, Bob's
     * {@code [2, "Y"]} is committed first, then Ann's {@code [1, {"d": 1}, "X"]} based on the
     * same version. The server commits Ann's operation as a reordering server did, {@code [1,
     * "X", {"d": 1}]} (Ann's edit goes on the wire in that form), and ends on {@code "aXYc"};
     * Ann transforms Bob's operation as ot-text-unicode 4.0.0 does, to {@code [1, "Y"]} (put in
     * place of her engine's result), and ends on {@code "aYXc"}. Both believe they are in step;
     * the digest says otherwise, and Ann heals.
     */
    @Test
    void theOtTextUnicodeRaceAgainstAReorderingServerIsDetectedAndHealed() throws Exception {
        long seed = new Random().nextLong();
        String doc = "race";
        try (WsClient a = WsClient.hello(ws, null, null, "Ann"); WsClient b = WsClient.hello(ws, null, null, "Bob")) {
            TypingEditor ann = new TypingEditor(a, doc, false, a.open(doc), seed);
            TypingEditor bob = new TypingEditor(b, doc, false, b.open(doc), seed + 1);
            ann.type(TextOperation.insert(0, "abc"));
            settle(doc, List.of(ann, bob), seed);

            bob.type(op("[2, \"Y\"]"));
            while (bob.ot.state() != OtClient.State.SYNCHRONIZED) {
                assertTrue(bob.receive(WsClient.TIMEOUT.toMillis()), "Bob's ack");
            }
            ann.wireFault = op -> "[1,\"X\",{\"d\":1}]";
            ann.remoteFault = op -> op("[1, \"Y\"]");
            ann.type(op("[1, {\"d\": 1}, \"X\"]"));
            while (ann.ot.state() != OtClient.State.SYNCHRONIZED) {
                assertTrue(ann.receive(WsClient.TIMEOUT.toMillis()), "Ann's ack");
            }
            ann.wireFault = op -> op;
            ann.remoteFault = op -> op;
            assertEquals("aYXc", ann.text);
            assertEquals("aXYc", serverText(doc));

            for (int edit = 0; edit < MAX_EDITS && ann.divergences == 0; edit++) {
                bob.type(TextOperation.insert(0, "-"));
                quiesce(doc, List.of(ann, bob), seed); // their texts differ until Ann finds out
            }
            assertEquals(1, ann.divergences, "the divergence was not detected within " + MAX_EDITS + " edits");
            String healed = settle(doc, List.of(ann, bob), seed);
            assertTrue(healed.endsWith("aXYc"), healed);
            assertEquals(1, divergencesCounted());
        }
    }

    /**
     * Lets everyone handle what arrives until nobody has anything unacknowledged or is healing
     * and all are at the server's head; returns the server's text, which all of them hold.
     */
    private String settle(String doc, List<TypingEditor> editors, long seed) throws Exception {
        DocumentService.DocumentText head = quiesce(doc, editors, seed);
        for (TypingEditor e : editors) {
            assertEquals(head.text(), e.text, "seed " + seed + ": an editor's text at the head");
        }
        return head.text();
    }

    /** Lets everyone handle what arrives until nobody has anything unacknowledged or is healing and all are at the head. */
    private DocumentService.DocumentText quiesce(String doc, List<TypingEditor> editors, long seed) throws Exception {
        long deadline = System.nanoTime() + WsClient.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (TypingEditor e : editors) {
                e.receive(2);
            }
            DocumentService.DocumentText head = server.service().text(doc, null).get().orElseThrow();
            boolean settled = true;
            for (TypingEditor e : editors) {
                settled &= !e.healing() && e.ot.state() == OtClient.State.SYNCHRONIZED && e.ot.version() == head.version();
            }
            if (settled) {
                return head;
            }
        }
        return fail("seed " + seed + ": the editors did not settle within " + WsClient.TIMEOUT);
    }

    private static TextOperation op(String wire) {
        return OpJson.standard().fromJson(JsonParser.parseString(wire));
    }

    private String serverText(String doc) throws Exception {
        return server.service().text(doc, null).get().orElseThrow().text();
    }

    private double divergencesCounted() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String metrics = http.send(HttpRequest.newBuilder(server.uri().resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = DIVERGENCES.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
