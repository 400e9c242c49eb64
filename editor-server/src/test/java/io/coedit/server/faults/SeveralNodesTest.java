package io.coedit.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.server.store.PostgresDocumentStore;
import io.coedit.server.store.PostgresServer;
import io.coedit.server.ws.WsClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server nodes, separate processes, on one real PostgreSQL database, with clients on
 * every node editing the same documents: they converge, whichever node they are on; one node
 * is killed with SIGKILL in the middle of it, its clients reconnect to the others and resend,
 * and every op any client saw acknowledged is in the history exactly once, at the version of
 * its ack. Presence, chat and leave reach subscribers on other nodes, and a killed node's
 * subscribers are reported gone.
 */
class SeveralNodesTest {
    @TempDir
    Path data;

    private static String[] database(PostgresServer pg, String db) {
        return new String[] {"--db-url", pg.jdbcUrl(db), "--db-user", pg.user(), "--db-password", pg.password(),
                "--idle-timeout", "10"};
    }

    private List<ServerProcess> startNodes(int n, String[] options) throws Exception {
        List<ServerProcess> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(ServerProcess.start(data.resolve("node-" + i), options));
        }
        return nodes;
    }

    @Test
    void clientsOnEveryNodeConvergeAndAcknowledgedOpsSurviveANodeKilled() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String db = pg.newDatabase();
        long seed = Faults.seed("several nodes");
        String note = "seed " + seed;
        Random random = new Random(seed);
        List<String> docs = List.of("nodes-a", "nodes-b");
        HttpClient http = HttpClient.newHttpClient();
        List<ServerProcess> nodes = startNodes(3, database(pg, db));
        List<EditingClient> clients = new ArrayList<>();
        List<Integer> nodeOf = new ArrayList<>();
        try {
            for (int i = 0; i < Faults.pick(9, 18); i++) {
                EditingClient c = new EditingClient("nodes-client-" + i, docs.get(i % docs.size()), http);
                clients.add(c);
                nodeOf.add(i % nodes.size());
                c.connect(nodes.get(i % nodes.size()).ws);
            }
            edit(clients, random, 1_500);
            int inFlight = 0;
            for (EditingClient c : clients) {
                inFlight += c.settled() ? 0 : 1;
            }
            nodes.get(0).kill9();
            for (int i = 0; i < clients.size(); i++) {
                if (nodeOf.get(i) == 0) {
                    EditingClient c = clients.get(i);
                    c.pump(); // what arrived before the kill counts as seen
                    c.disconnect(true);
                    int to = 1 + random.nextInt(2);
                    nodeOf.set(i, to);
                    c.connect(nodes.get(to).ws); // hello with the old id, catch-up open, resend
                }
            }
            edit(clients, random, 1_000);
            // Reconnects (if any socket dropped) go to node 1; node 2's clients stay where they are.
            Faults.converge(clients, docs, nodes.get(1).ws, http, nodes.get(1).http, note);
            for (String doc : docs) {
                assertEquals(Faults.served(http, nodes.get(1).http, doc).get("text").getAsString(),
                        Faults.served(http, nodes.get(2).http, doc).get("text").getAsString(),
                        "the surviving nodes serve " + doc + " alike (" + note + ")");
            }
            try (PostgresDocumentStore store = new PostgresDocumentStore(pg.jdbcUrl(db), pg.user(), pg.password())) {
                Map<String, String> texts = History.verify(store, docs, clients, "after the kill (" + note + ")");
                for (EditingClient c : clients) {
                    assertEquals(texts.get(c.doc), c.text(), c.id + " text (" + note + ")");
                }
            }
            long acked = clients.stream().mapToLong(c -> c.acked.size()).sum();
            System.out.println("several nodes: 3 nodes, " + clients.size() + " clients, " + acked + " acked ops checked, "
                    + inFlight + " clients had an op in flight at the kill");
            assertTrue(acked > clients.size(), "the clients got ops acknowledged (" + acked + ")");
        } finally {
            for (ServerProcess n : nodes) {
                n.close();
            }
        }
    }

    private static void edit(List<EditingClient> clients, Random random, long millis) throws InterruptedException {
        long until = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < until) {
            clients.get(random.nextInt(clients.size())).edit(random);
            for (EditingClient each : clients) {
                each.pump();
            }
            Thread.sleep(1);
        }
    }

    @Test
    void presenceChatAndLeaveReachSubscribersOnOtherNodes() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String db = pg.newDatabase();
        List<ServerProcess> nodes = startNodes(2, database(pg, db));
        try (WsClient bob = WsClient.hello(nodes.get(1).ws, "bob-client", null, "Bob")) {
            bob.open("meeting");
            try (WsClient ann = WsClient.hello(nodes.get(0).ws, "ann-client", null, "Ann")) {
                ann.open("meeting");
                // Bob, on the other node, learns Ann arrived.
                JsonObject joined = bob.await(m -> m.get("type").getAsString().equals("presence")
                        && m.get("clientId").getAsString().equals("ann-client"));
                assertEquals("Ann", joined.getAsJsonObject("user").get("name").getAsString());

                // Ann, the newcomer, learns Bob is there, on the other node.
                JsonObject there = ann.await(m -> m.get("type").getAsString().equals("presence")
                        && m.get("clientId").getAsString().equals("bob-client"));
                assertEquals("Bob", there.getAsJsonObject("user").get("name").getAsString());

                ann.send(WsClient.op("meeting", 0, 1, TextOperation.insert(0, "hello")));
                ann.await(WsClient.type("ack"));
                JsonObject op = bob.await(m -> m.get("type").getAsString().equals("op"));
                assertEquals(0, op.get("version").getAsLong());

                JsonObject caret = WsClient.msg("presence");
                caret.addProperty("doc", "meeting");
                caret.addProperty("version", 1);
                com.google.gson.JsonArray ranges = new com.google.gson.JsonArray();
                JsonObject range = new JsonObject();
                range.addProperty("anchor", 2);
                range.addProperty("head", 4);
                ranges.add(range);
                caret.add("selection", ranges);
                ann.send(caret);
                JsonObject moved = bob.await(m -> m.get("type").getAsString().equals("presence")
                        && m.get("clientId").getAsString().equals("ann-client") && !m.get("selection").isJsonNull());
                assertEquals(1, moved.get("version").getAsLong());
                assertEquals(4, moved.getAsJsonArray("selection").get(0).getAsJsonObject().get("head").getAsInt());

                JsonObject chat = WsClient.msg("chat");
                chat.addProperty("doc", "meeting");
                chat.addProperty("text", "hi from node 0 " + "€".repeat(3_000)); // too long for one notification
                ann.send(chat);
                JsonObject heard = bob.await(m -> m.get("type").getAsString().equals("chat"));
                assertEquals("Ann", heard.getAsJsonObject("user").get("name").getAsString());
                assertEquals("hi from node 0 " + "€".repeat(3_000), heard.get("text").getAsString());

                JsonObject close = WsClient.msg("close");
                close.addProperty("doc", "meeting");
                ann.send(close);
                JsonObject left = bob.await(m -> m.get("type").getAsString().equals("leave"));
                assertEquals("ann-client", left.get("clientId").getAsString());
            }

            // A node killed outright says nothing: its subscribers are reported gone after its silence.
            try (WsClient cid = WsClient.hello(nodes.get(0).ws, "cid-client", null, "Cid")) {
                cid.open("meeting");
                bob.await(m -> m.get("type").getAsString().equals("presence")
                        && m.get("clientId").getAsString().equals("cid-client"));
                nodes.get(0).kill9();
                JsonObject gone = bob.await(m -> m.get("type").getAsString().equals("leave"));
                assertEquals("cid-client", gone.get("clientId").getAsString());
            }
        } finally {
            for (ServerProcess n : nodes) {
                n.close();
            }
        }
    }
}
