package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.msg;
import static io.coedit.server.ws.WsClient.op;
import static io.coedit.server.ws.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import io.coedit.server.EditorServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real clients over real sockets: editing together, presence, chat, reconnecting. */
class CollaborationTest {
    @TempDir
    Path data;
    EditorServer server;
    URI ws;

    @BeforeEach
    void start() {
        server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(10_000).withIdleTimeout(Duration.ofMillis(800)))
                .build().start();
        ws = server.webSocketUri();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void twoClientsTypingConcurrentlyConvergeOnTheServersText() throws Exception {
        long seed = new Random().nextLong();
        try (WsClient a = WsClient.hello(ws, null, null, "Ann"); WsClient b = WsClient.hello(ws, null, null, "Bob")) {
            TypingEditor ann = new TypingEditor(a, "shared", false, a.open("shared"), seed);
            TypingEditor bob = new TypingEditor(b, "shared", false, b.open("shared"), seed + 1);
            TypingEditor.typeConcurrently(List.of(ann, bob), 150, seed);
            String serverText = server.service().text("shared", null).get().orElseThrow().text();
            long head = server.service().text("shared", null).get().orElseThrow().version();
            long submissions = (ann.ot.nextSeq() - 1) + (bob.ot.nextSeq() - 1);
            assertEquals(submissions, head, "seed " + seed + ": every submission committed exactly once");
            assertTrue(submissions > 20, "seed " + seed + ": the clients should have had ops in flight together");
            for (TypingEditor e : List.of(ann, bob)) {
                assertEquals(serverText, e.catchUpTo(head, seed), "seed " + seed);
            }
        }
    }

    @Test
    void presenceIsRelayedAndPeersLeaveOnCloseAndOnDisconnect() throws Exception {
        try (WsClient a = WsClient.hello(ws, null, null, "Ann"); WsClient b = WsClient.hello(ws, null, null, "Bob")) {
            a.open("p");
            a.send(op("p", 0, 1, TextOperation.insert(0, "hello")));
            a.expect("ack");
            JsonObject opened = b.open("p");
            JsonArray peers = opened.getAsJsonArray("peers");
            assertEquals(1, peers.size());
            assertEquals(a.clientId, peers.get(0).getAsJsonObject().get("clientId").getAsString());
            assertEquals(b.clientId, a.await(type("presence")).get("clientId").getAsString(), "Bob's arrival");

            // Ann's caret at version 0 (before "hello") moves with the text to the committed head.
            JsonObject presence = msg("presence");
            presence.addProperty("doc", "p");
            presence.addProperty("version", 0);
            JsonObject caret = new JsonObject();
            caret.addProperty("anchor", 0);
            caret.addProperty("head", 0);
            JsonArray selection = new JsonArray();
            selection.add(caret);
            presence.add("selection", selection);
            a.send(presence);
            JsonObject relayed = b.await(type("presence"));
            assertEquals(a.clientId, relayed.get("clientId").getAsString());
            assertEquals("Ann", relayed.getAsJsonObject("user").get("name").getAsString());
            assertEquals(1, relayed.get("version").getAsLong());
            assertTrue(relayed.getAsJsonObject("user").get("color").getAsString().startsWith("#"));
            assertEquals(1, relayed.getAsJsonArray("selection").size());
            assertTrue(a.sync().isEmpty(), "the sender does not get its own presence back");

            // Closing the document: the other sees leave.
            JsonObject close = msg("close");
            close.addProperty("doc", "p");
            b.send(close);
            assertEquals(b.clientId, a.await(type("leave")).get("clientId").getAsString());
        }
    }

    @Test
    void whoeverOpensIsListedAtOnceWithoutSendingPresence() throws Exception {
        try (WsClient a = WsClient.hello(ws, null, null, "Ann"); WsClient b = WsClient.hello(ws, null, null, "Bob")) {
            a.open("join");
            a.send(op("join", 0, 1, TextOperation.insert(0, "hi")));
            a.expect("ack");
            // Neither ever sends a presence.
            JsonObject opened = b.open("join");
            JsonArray peers = opened.getAsJsonArray("peers");
            assertEquals(1, peers.size(), opened::toString);
            assertEquals(a.clientId, peers.get(0).getAsJsonObject().get("clientId").getAsString());
            assertEquals("Ann", peers.get(0).getAsJsonObject().getAsJsonObject("user").get("name").getAsString());

            JsonObject joined = a.await(type("presence"));
            assertEquals("join", joined.get("doc").getAsString());
            assertEquals(b.clientId, joined.get("clientId").getAsString());
            assertEquals("Bob", joined.getAsJsonObject("user").get("name").getAsString());
            assertTrue(joined.get("selection").isJsonNull(), joined::toString);
            assertEquals(1, joined.get("version").getAsLong());
            assertTrue(b.sync().isEmpty(), "the joiner is not told of itself");

            // Opening again is no second arrival.
            b.open("join");
            assertTrue(a.sync().isEmpty(), "a repeated open announces nothing");
        }
    }

    @Test
    void peersLeaveWhenTheSocketDropsOrGoesSilent() throws Exception {
        try (WsClient a = WsClient.hello(ws, null, null, "Ann")) {
            a.open("gone");
            WsClient b = WsClient.hello(ws, null, null, "Bob");
            b.open("gone");
            b.close();
            assertEquals(b.clientId, a.await(type("leave")).get("clientId").getAsString());

            // A client that never answers (not even the server's pings) is closed after the idle timeout.
            try (RawWebSocket silent = new RawWebSocket(ws, 0)) {
                silent.sendText("{\"type\":\"hello\",\"clientId\":\"silent-1\"}");
                silent.sendText("{\"type\":\"open\",\"doc\":\"gone\"}");
                JsonObject leave = a.await(type("leave"));
                assertEquals("silent-1", leave.get("clientId").getAsString());
                assertEquals(1001, silent.readUntilClosed());
            }
            // Ann kept talking (the sync pings above) and is still there.
            a.sync();
            assertTrue(a.isOpen());
        }
    }

    @Test
    void chatReachesEveryoneOnTheDocumentSenderIncludedAndIsKept() throws Exception {
        try (WsClient a = WsClient.hello(ws, null, null, "Ann"); WsClient b = WsClient.hello(ws, null, null, "Bob");
             WsClient elsewhere = WsClient.hello(ws, null, null, "Eve")) {
            a.open("c");
            b.open("c");
            elsewhere.open("other");
            JsonObject chat = msg("chat");
            chat.addProperty("doc", "c");
            chat.addProperty("text", "tea? 🍵");
            a.send(chat);
            for (WsClient c : List.of(a, b)) {
                JsonObject m = c.await(type("chat"));
                assertEquals("tea? 🍵", m.get("text").getAsString());
                assertEquals("Ann", m.getAsJsonObject("user").get("name").getAsString());
                assertTrue(m.get("id").getAsLong() > 0);
                assertTrue(m.get("ts").getAsLong() > 0);
            }
            assertTrue(elsewhere.sync().isEmpty(), "chat stays on its document");
            try (WsClient late = WsClient.hello(ws, null, null, "Cy")) {
                JsonArray history = late.open("c").getAsJsonArray("chat");
                assertEquals("tea? 🍵", history.get(history.size() - 1).getAsJsonObject().get("text").getAsString());
            }
        }
    }

    @Test
    void reconnectingClientCatchesUpFromItsVersionAndResubmitsWithoutDuplicates() throws Exception {
        try (WsClient writer = WsClient.hello(ws, null, null, "Wes")) {
            writer.open("r");
            writer.send(op("r", 0, 1, TextOperation.insert(0, "abc")));
            writer.expect("ack");

            WsClient first = WsClient.hello(ws, null, null, "Rae");
            JsonObject opened = first.open("r");
            assertEquals(1, opened.get("version").getAsLong());
            String clientId = first.clientId;
            first.send(op("r", 1, 1, TextOperation.insert(3, "!")));
            assertEquals(1, first.expect("ack").get("version").getAsLong());
            first.close(); // the ack was seen; pretend it was not, and that more happened meanwhile

            writer.send(op("r", 2, 2, TextOperation.insert(0, ">")));
            writer.await(type("ack"));
            writer.send(op("r", 3, 3, TextOperation.insert(5, "?")));
            writer.await(type("ack"));

            try (WsClient again = WsClient.hello(ws, clientId, null, "Rae")) {
                assertEquals(clientId, again.clientId, "the client keeps its id");
                JsonObject m = msg("open");
                m.addProperty("doc", "r");
                m.addProperty("version", 1);
                again.send(m);
                JsonObject catchUp = again.expect("opened");
                assertEquals(1, catchUp.get("version").getAsLong());
                assertFalse(catchUp.has("text"), "a catch-up carries no text");
                String text = "abc";
                for (long v = 1; v < 4; v++) {
                    JsonObject o = again.expect("op");
                    assertEquals(v, o.get("version").getAsLong(), "ops in version order, without gaps");
                    text = OpJson.standard().fromJson(o.get("op")).apply(text);
                    if (v == 1) {
                        assertEquals(clientId, o.get("clientId").getAsString(), "its own op counts as the ack");
                        assertEquals(1, o.get("seq").getAsLong());
                    }
                }
                assertEquals(">abc!?", text);
                // The same submission again (as if the ack had been lost): acked at its version, not applied twice.
                again.send(op("r", 1, 1, TextOperation.insert(3, "!")));
                JsonObject ack = again.expect("ack");
                assertEquals(1, ack.get("version").getAsLong());
                assertEquals(1, ack.get("seq").getAsLong());
            }
            assertEquals(">abc!?", server.service().text("r", null).get().orElseThrow().text());
            assertNotEquals(Optional.empty(), server.service().text("r", 1L).get());
        }
    }
}
