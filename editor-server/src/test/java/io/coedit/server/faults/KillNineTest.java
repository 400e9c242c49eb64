package io.coedit.server.faults;

import io.coedit.server.store.H2DocumentStore;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server, a separate process, is killed with SIGKILL at random moments while clients
 * edit, and restarted on the same data folder, round after round. After every kill the
 * database opens, its history is whole (contiguous versions, no submission twice, snapshots
 * equal to replaying the history) and holds every op any client saw acknowledged, at the
 * version of the ack. The clients reconnect, resubmit what was in flight, and end on the
 * server's text.
 */
class KillNineTest {
    @TempDir
    Path data;

    @Test
    void acknowledgedOpsSurviveKillNineAndClientsConverge() throws Exception {
        long seed = Faults.seed("kill -9");
        String note = "seed " + seed;
        Random random = new Random(seed);
        int rounds = Faults.pick(5, 25);
        List<String> docs = List.of("k9-a", "k9-b");
        HttpClient http = HttpClient.newHttpClient();
        List<EditingClient> clients = new ArrayList<>();
        for (int i = 0; i < Faults.pick(6, 16); i++) {
            clients.add(new EditingClient("k9-client-" + i, docs.get(i % docs.size()), http));
        }
        int killedWithOpsInFlight = 0;
        ServerProcess server = ServerProcess.start(data, "--idle-timeout", "10");
        try {
            for (EditingClient c : clients) {
                c.connect(server.ws);
            }
            for (int round = 1; round <= rounds; round++) {
                // Edit for a random while, then kill -9 in the middle of it.
                long until = System.nanoTime() + (150 + random.nextInt(1_000)) * 1_000_000L;
                while (System.nanoTime() < until) {
                    EditingClient c = clients.get(random.nextInt(clients.size()));
                    c.edit(random);
                    for (EditingClient each : clients) {
                        each.pump();
                    }
                    Thread.sleep(1);
                }
                for (EditingClient c : clients) {
                    killedWithOpsInFlight += c.settled() ? 0 : 1;
                }
                server.kill9();
                for (EditingClient c : clients) {
                    c.pump(); // what arrived before the kill counts as seen
                    c.disconnect(true);
                }
                String context = "after kill " + round + " (" + note + ")";
                try (H2DocumentStore store = new H2DocumentStore(data)) { // the database always opens
                    History.verify(store, docs, clients, context);
                }
                server = ServerProcess.start(data, "--idle-timeout", "10");
                for (EditingClient c : clients) {
                    c.connect(server.ws); // hello with the old id, catch-up open, resubmit
                }
            }
            Faults.converge(clients, docs, server.ws, http, server.http, note);
        } finally {
            server.close();
        }
        try (H2DocumentStore store = new H2DocumentStore(data)) {
            Map<String, String> texts = History.verify(store, docs, clients, "at the end (" + note + ")");
            for (EditingClient c : clients) {
                assertEquals(texts.get(c.doc), c.text(), c.id + " text after the last restart (" + note + ")");
            }
        }
        long acked = clients.stream().mapToLong(c -> c.acked.size()).sum();
        System.out.println("kill -9: " + rounds + " kills, " + acked + " acked ops checked, " + killedWithOpsInFlight
                + " client-rounds killed with ops in flight");
        assertTrue(acked > rounds, "the clients got ops acknowledged (" + acked + ")");
    }
}
