package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.msg;
import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import io.coedit.server.EditorServer;
import io.coedit.server.session.DocumentService;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched delivery ({@code hello} with {@code "batch": true}): one {@code ops} message per
 * flush window, shared by every batched subscriber, beside plain v1 clients on the same
 * document. Most tests set a window no test waits out and end it with what must end it: a
 * batched client catching up from a version past the start of the next frame, or opening while
 * a presence waits behind the unsent operations. What a frame holds is then decided by the test,
 * not by a clock.
 */
class BatchedDeliveryTest {
    /** Longer than any test: only an open (or shutdown) sends the batch. */
    private static final long ENDLESS_WINDOW_MILLIS = 600_000;

    @TempDir
    Path data;
    EditorServer server;
    URI ws;

    private void start(long batchWindowMillis) {
        server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(10_000))
                .documentSettings(DocumentService.Settings.builder().batchWindowMillis(batchWindowMillis).build())
                .build().start();
        ws = server.webSocketUri();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void opsCommittedWithinOneWindowTravelInOneFrameSharedByEveryBatchedSubscriber() throws Exception {
        start(ENDLESS_WINDOW_MILLIS);
        try (WsClient plain = WsClient.hello(ws, null, null, "Pat").ignoringJoins();
                WsClient ann = WsClient.helloBatched(ws, "Ann").ignoringJoins();
                WsClient bob = WsClient.helloBatched(ws, "Bob").ignoringJoins();
                WsClient lurker = WsClient.helloBatched(ws, "Liv").ignoringJoins()) {
            for (WsClient c : List.of(plain, ann, bob, lurker)) {
                c.open("doc");
            }
            ann.send(op("doc", 0, 1, TextOperation.insert(0, "a")));
            bob.send(op("doc", 0, 1, TextOperation.insert(0, "b")));
            // The plain client is not batched: it hears of each commit at once.
            JsonObject first = plain.expect("op");
            JsonObject second = plain.expect("op");
            assertEquals(0, first.get("version").getAsLong());
            assertEquals(1, second.get("version").getAsLong());
            plain.send(op("doc", 2, 1, TextOperation.insert(0, "p")));
            assertEquals(2, plain.expect("ack").get("version").getAsLong());
            JsonObject presence = msg("presence");
            presence.addProperty("doc", "doc");
            presence.addProperty("version", 3);
            presence.add("selection", com.google.gson.JsonParser.parseString("[{\"anchor\":1,\"head\":1}]"));
            plain.send(presence);
            for (WsClient c : List.of(ann, bob, lurker)) {
                assertEquals(List.of(), c.sync(), "the window is still open: nothing for batched clients yet");
            }

            try (WsClient late = WsClient.helloBatched(ws, "Lee").ignoringJoins()) {
                assertEquals(3, late.open("doc").get("version").getAsLong());
                List<JsonObject> frames = new ArrayList<>();
                for (WsClient c : List.of(ann, bob, lurker)) {
                    List<JsonObject> got = c.sync();
                    assertEquals(2, got.size(), () -> "one ops frame, then the presence held behind it: " + got);
                    JsonObject ops = got.get(0);
                    assertEquals("ops", ops.get("type").getAsString(), () -> "got " + got);
                    assertEquals(List.of(0L, 1L, 2L), versions(ops));
                    assertEquals("presence", got.get(1).get("type").getAsString());
                    assertEquals(3, got.get(1).get("version").getAsLong(), "placed at the version the frame ended on");
                    frames.add(ops);
                }
                assertEquals(frames.get(0), frames.get(1));
                assertEquals(frames.get(0), frames.get(2));
                JsonArray ops = frames.get(0).getAsJsonArray("ops");
                // The frame is the history, in the order the plain client saw it; each sender's own op is its ack.
                assertEquals(first.get("clientId"), ops.get(0).getAsJsonObject().get("clientId"));
                assertEquals(second.get("clientId"), ops.get(1).getAsJsonObject().get("clientId"));
                assertEquals(plain.clientId, ops.get(2).getAsJsonObject().get("clientId").getAsString());
                for (JsonElement e : ops) {
                    assertEquals(1, e.getAsJsonObject().get("seq").getAsLong());
                }
                assertEquals(List.of(), late.sync(), "a subscriber that joined afterwards gets none of it");
            }
            // Lee's leave may or may not have arrived; no ops frame has.
            assertTrue(plain.sync().stream().noneMatch(m -> m.get("type").getAsString().equals("ops")),
                    "a plain client gets no ops frame");
            // Ann and Bob race to version 0; the one committed first keeps its place at the start.
            String expected = first.get("clientId").getAsString().equals(ann.clientId) ? "pab" : "pba";
            assertEquals(expected, server.service().text("doc", null).get().orElseThrow().text());
        }
    }

    @Test
    void catchUpOpenThenBatchesNeverSkipOrRepeatAVersion() throws Exception {
        start(ENDLESS_WINDOW_MILLIS);
        try (WsClient writer = WsClient.hello(ws, null, null, "Pat").ignoringJoins();
                WsClient early = WsClient.helloBatched(ws, "Ann").ignoringJoins()) {
            writer.open("doc");
            early.open("doc");
            for (int seq = 1; seq <= 3; seq++) {
                writer.send(op("doc", seq - 1, seq, TextOperation.insert(0, "x")));
                assertEquals(seq - 1, writer.expect("ack").get("version").getAsLong());
            }
            // Versions 0-2 are committed, unsent to the batched client: a reconnecting client
            // catches up from version 1 in the middle of that window.
            try (WsClient joiner = WsClient.helloBatched(ws, "Joe").ignoringJoins()) {
                JsonObject open = msg("open");
                open.addProperty("doc", "doc");
                open.addProperty("version", 1);
                joiner.send(open);
                assertEquals(1, joiner.expect("opened").get("version").getAsLong());
                List<Long> joinerSaw = new ArrayList<>();
                joinerSaw.add(joiner.expect("op").get("version").getAsLong());
                joinerSaw.add(joiner.expect("op").get("version").getAsLong());
                List<Long> earlySaw = new ArrayList<>(versions(single(early.sync(), "ops")));

                for (int seq = 4; seq <= 5; seq++) {
                    writer.send(op("doc", seq - 1, seq, TextOperation.insert(0, "y")));
                    assertEquals(seq - 1, writer.expect("ack").get("version").getAsLong());
                }
                try (WsClient trigger = WsClient.helloBatched(ws, "Tia").ignoringJoins()) {
                    openAt(trigger, "doc", 5); // ahead of the next frame's start (3): ends the window
                    assertEquals(5, trigger.expect("opened").get("version").getAsLong());
                    JsonObject earlyFrame = single(early.sync(), "ops");
                    JsonObject joinerFrame = single(joiner.sync(), "ops");
                    assertEquals(earlyFrame, joinerFrame, "one frame for every batched subscriber");
                    earlySaw.addAll(versions(earlyFrame));
                    joinerSaw.addAll(versions(joinerFrame));
                }
                assertEquals(LongStream.range(0, 5).boxed().toList(), earlySaw);
                assertEquals(LongStream.range(1, 5).boxed().toList(), joinerSaw);
            }
        }
    }

    @Test
    void aBatchedClientOpeningMidWindowStartsWhereTheNextSharedFrameStartsAndEndsNoWindow() throws Exception {
        start(ENDLESS_WINDOW_MILLIS);
        try (WsClient writer = WsClient.hello(ws, null, null, "Pat").ignoringJoins();
                WsClient early = WsClient.helloBatched(ws, "Ann").ignoringJoins()) {
            writer.open("doc");
            early.open("doc");
            writer.send(op("doc", 0, 1, TextOperation.insert(0, "ab")));
            assertEquals(0, writer.expect("ack").get("version").getAsLong());
            writer.send(op("doc", 1, 2, TextOperation.insert(2, "c")));
            assertEquals(1, writer.expect("ack").get("version").getAsLong());
            try (WsClient joiner = WsClient.helloBatched(ws, "Joe").ignoringJoins();
                    WsClient plain = WsClient.hello(ws, null, null, "Pia").ignoringJoins()) {
                // Versions 0 and 1 are committed and unsent: the joiner is given the document as the
                // next frame will start it, and neither open sends that frame.
                JsonObject opened = joiner.open("doc");
                assertEquals(0, opened.get("version").getAsLong());
                assertEquals("", opened.get("text").getAsString());
                JsonObject plainOpened = plain.open("doc");
                assertEquals(2, plainOpened.get("version").getAsLong(), "a plain client is given the head");
                assertEquals("abc", plainOpened.get("text").getAsString());
                assertEquals(List.of(), early.sync(), "the window is still open");
                assertEquals(List.of(), joiner.sync(), "the window is still open");

                writer.send(op("doc", 2, 3, TextOperation.insert(0, "x")));
                assertEquals(2, writer.expect("ack").get("version").getAsLong());
                assertEquals(2, plain.expect("op").get("version").getAsLong());
                JsonObject joinerFrame;
                try (WsClient trigger = WsClient.helloBatched(ws, "Tia").ignoringJoins()) {
                    openAt(trigger, "doc", 3); // ahead of the next frame's start (0): ends the window
                    assertEquals(3, trigger.expect("opened").get("version").getAsLong());
                    JsonObject earlyFrame = single(early.sync(), "ops");
                    joinerFrame = single(joiner.sync(), "ops");
                    assertEquals(earlyFrame, joinerFrame, "one frame for every batched subscriber");
                    assertEquals(List.of(0L, 1L, 2L), versions(joinerFrame));
                }
                String text = opened.get("text").getAsString();
                for (JsonElement e : joinerFrame.getAsJsonArray("ops")) {
                    text = OpJson.standard().fromJson(e.getAsJsonObject().get("op")).apply(text);
                }
                assertEquals("xabc", text);
                assertEquals(text, server.service().text("doc", null).get().orElseThrow().text());
            }
        }
    }

    @Test
    void plainAndBatchedClientsTypingTogetherConvergeAndSeeEveryVersionOnceInOrder() throws Exception {
        start(5);
        long seed = new Random().nextLong();
        List<TypingEditor> editors = new ArrayList<>();
        List<WsClient> sockets = new ArrayList<>();
        try {
            for (int k = 0; k < 4; k++) {
                boolean batched = k % 2 == 0;
                WsClient socket = (batched ? WsClient.helloBatched(ws, "b" + k) : WsClient.hello(ws, null, null, "p" + k))
                        .ignoringJoins();
                sockets.add(socket);
                editors.add(new TypingEditor(socket, "shared", batched, socket.open("shared"), seed + k));
            }
            WsClient plainLurker = WsClient.hello(ws, null, null, "pl").ignoringJoins();
            WsClient batchedLurker = WsClient.helloBatched(ws, "bl").ignoringJoins();
            sockets.add(plainLurker);
            sockets.add(batchedLurker);
            plainLurker.open("shared");
            batchedLurker.open("shared");

            TypingEditor.typeConcurrently(editors, 100, seed);
            DocumentService.DocumentText head = server.service().text("shared", null).get().orElseThrow();
            long submissions = editors.stream().mapToLong(e -> e.ot.nextSeq() - 1).sum();
            assertEquals(submissions, head.version(), "seed " + seed + ": every submission committed once");
            for (TypingEditor e : editors) {
                assertEquals(head.text(), e.catchUpTo(head.version(), seed), "seed " + seed);
            }
            List<Long> everyVersion = LongStream.range(0, head.version()).boxed().toList();
            assertEquals(everyVersion, lurkerVersions(plainLurker, false, head.version()), "seed " + seed);
            assertEquals(everyVersion, lurkerVersions(batchedLurker, true, head.version()), "seed " + seed);
        } finally {
            sockets.forEach(WsClient::close);
        }
    }

    @Test
    void aBadBatchValueInHelloIsABadRequestAndAPlainHelloGetsTheV1Welcome() throws Exception {
        start(ENDLESS_WINDOW_MILLIS);
        try (WsClient c = WsClient.connect(ws)) {
            c.send("{\"type\":\"hello\",\"batch\":\"yes\"}");
            assertTrue(c.expectError("bad_request").get("message").getAsString()
                    .contains("field \"batch\" must be true or false, got the string \"yes\""));
            c.send("{\"type\":\"hello\",\"batch\":1}");
            assertTrue(c.expectError("bad_request").get("message").getAsString().contains("\"batch\""));
            c.send("{\"type\":\"hello\",\"batch\":false}");
            JsonObject welcome = c.expect("welcome");
            assertFalse(welcome.has("batch"), "a client that did not ask is told nothing new: " + welcome);
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    private static List<Long> versions(JsonObject opsFrame) {
        List<Long> out = new ArrayList<>();
        for (JsonElement e : opsFrame.getAsJsonArray("ops")) {
            out.add(e.getAsJsonObject().get("version").getAsLong());
        }
        return out;
    }

    /** Sends a catch-up {@code open} from {@code version}. */
    private static void openAt(WsClient client, String doc, long version) {
        JsonObject open = msg("open");
        open.addProperty("doc", doc);
        open.addProperty("version", version);
        client.send(open);
    }

    private static JsonObject single(List<JsonObject> messages, String type) {
        assertEquals(1, messages.size(), () -> "expected one " + type + ", got " + messages);
        assertEquals(type, messages.get(0).get("type").getAsString(), () -> "got " + messages);
        return messages.get(0);
    }

    /** Every version a lurker receives until it has seen {@code head}, failing on a message of the other kind. */
    private static List<Long> lurkerVersions(WsClient lurker, boolean batched, long head) {
        List<Long> seen = new ArrayList<>();
        while (seen.size() < head) {
            JsonObject m = lurker.next();
            String type = m.get("type").getAsString();
            if (type.equals("ops") && batched) {
                seen.addAll(versions(m));
            } else if (type.equals("op") && !batched) {
                seen.add(m.get("version").getAsLong());
            } else {
                throw new AssertionError((batched ? "batched" : "plain") + " lurker got " + m);
            }
        }
        return seen;
    }
}
