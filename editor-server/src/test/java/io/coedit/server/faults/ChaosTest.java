package io.coedit.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.server.EditorServer;
import io.coedit.server.store.H2DocumentStore;
import io.coedit.server.ws.ConnectionLimits;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients edit a few documents while connections drop at random, abruptly (no close
 * frame, ops possibly in flight) or politely, and come back with catch-up and resubmission.
 * Everyone must end on the server's text, and every op anyone saw acked must be in the
 * history exactly once.
 */
class ChaosTest {
    @TempDir
    Path data;

    @Test
    void clientsThatDropAndReconnectConvergeWithNoAckedOpLostOrDuplicated() throws Exception {
        long seed = Faults.seed("chaos");
        String note = "seed " + seed;
        Random random = new Random(seed);
        List<String> docs = List.of("chaos-a", "chaos-b", "chaos-c");
        HttpClient http = HttpClient.newHttpClient();
        List<EditingClient> clients = new ArrayList<>();
        int disconnects = 0;
        EditorServer server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(100_000).withMaxSessionsPerAddress(10_000)
                        .withIdleTimeout(Duration.ofSeconds(30)))
                .build().start();
        try {
            for (int i = 0; i < Faults.pick(24, 60); i++) {
                EditingClient c = new EditingClient("chaos-" + i, docs.get(i % docs.size()), http);
                clients.add(c);
                c.connect(server.webSocketUri());
            }
            long until = System.nanoTime() + Duration.ofSeconds(Faults.pick(6, 120)).toNanos();
            while (System.nanoTime() < until) {
                EditingClient c = clients.get(random.nextInt(clients.size()));
                int roll = random.nextInt(100);
                if (roll < 70) {
                    c.edit(random);
                } else if (roll < 75 && c.connected()) {
                    c.pump();
                    c.disconnect(random.nextBoolean());
                    disconnects++;
                } else if (!c.connected()) {
                    c.connect(server.webSocketUri());
                }
                for (EditingClient each : clients) {
                    each.pump();
                }
                if (random.nextInt(4) == 0) {
                    Thread.sleep(1);
                }
            }
            Faults.converge(clients, docs, server.webSocketUri(), http, server.uri(), note);
        } finally {
            server.close();
        }
        long acked;
        try (H2DocumentStore store = new H2DocumentStore(data)) {
            Map<String, String> texts = History.verify(store, docs, clients, note);
            for (EditingClient c : clients) {
                assertEquals(texts.get(c.doc), c.text(), c.id + " (" + note + ")");
            }
            acked = clients.stream().mapToLong(c -> c.acked.size()).sum();
        }
        int reconnects = clients.stream().mapToInt(c -> c.reconnects).sum();
        System.out.println("chaos: " + clients.size() + " clients, " + disconnects + " disconnects, " + reconnects
                + " reconnects, " + acked + " acked ops checked");
        assertTrue(disconnects > clients.size() / 2 && acked > 100, "the run did what it claims (" + note + ")");
    }
}
