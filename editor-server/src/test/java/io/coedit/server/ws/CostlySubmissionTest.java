package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.session.DocumentService;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submissions whose transform costs the server far more than their size: an op of 100,000
 * components based 2,000 versions back is transformed past each of those 2,000 operations.
 * Twenty of them over four connections (a document each) once held every document thread for
 * ~17 s. They must be refused, changing nothing, and an edit on another document must be
 * answered meanwhile.
 */
class CostlySubmissionTest {
    private static final int HISTORY = 2_000;
    private static final int COMPONENTS = 100_000;

    @TempDir
    Path data;

    @Test
    void costlyOpsAreRefusedAndOtherDocumentsCarryOn() throws Exception {
        EditorServer server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(100_000)).build().start();
        List<WsClient> attackers = new ArrayList<>();
        try (WsClient builder = WsClient.hello(server.webSocketUri(), null, null, "Bob");
             WsClient light = WsClient.hello(server.webSocketUri(), null, null, "Lia")) {
            // Four documents of 200,000 characters, each then edited 2,000 times.
            for (int d = 0; d < 4; d++) {
                String doc = "heavy-" + d;
                builder.open(doc);
                builder.send(op(doc, 0, 1, TextOperation.insert(0, "x".repeat(200_000))));
                for (int i = 0; i < HISTORY; i++) {
                    builder.send(op(doc, 1 + i, 2 + i, TextOperation.insert(0, "b")));
                }
                long last = 1 + HISTORY;
                builder.await(m -> m.get("type").getAsString().equals("ack") && m.get("seq").getAsLong() == last);
            }
            light.open("light");
            light.send(op("light", 0, 1, TextOperation.insert(0, "warm")));
            light.expect("ack");

            // 100,000 components, valid on the document at version 1: keep one, insert one, ...
            TextOperation.Builder b = TextOperation.builder();
            for (int i = 0; i < COMPONENTS / 2; i++) {
                b.retain(1).insert("a");
            }
            TextOperation costly = b.build();
            assertEquals(COMPONENTS, costly.components().size());
            for (int d = 0; d < 4; d++) {
                WsClient a = WsClient.hello(server.webSocketUri(), null, null, "Eve" + d);
                attackers.add(a);
                a.open("heavy-" + d);
            }
            for (int k = 1; k <= 5; k++) {
                for (int d = 0; d < 4; d++) {
                    attackers.get(d).send(op("heavy-" + d, 1, k, costly));
                }
            }

            // Meanwhile an edit on another document is answered within a second.
            long sent = System.nanoTime();
            light.send(op("light", 1, 2, TextOperation.insert(4, "!")));
            JsonObject answer = light.poll(1_000);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertTrue(answer != null, "an edit on another document was not answered within a second of "
                    + "twenty costly submissions");
            assertEquals("ack", answer.get("type").getAsString(), answer::toString);
            System.out.println("costly submissions: an edit on another document answered in " + millis + " ms");

            // Each costly op is refused with its code, and changes nothing.
            for (int d = 0; d < 4; d++) {
                for (int k = 1; k <= 5; k++) {
                    JsonObject error = attackers.get(d).expectError("too_costly");
                    assertEquals("heavy-" + d, error.get("doc").getAsString());
                    assertEquals(k, error.get("seq").getAsLong());
                }
                DocumentService.DocumentText text = server.service().text("heavy-" + d, null).get().orElseThrow();
                assertEquals(1 + HISTORY, text.version(), "a refused op changed the document");
                assertEquals("b".repeat(HISTORY) + "x".repeat(200_000), text.text());
            }
        } finally {
            for (WsClient a : attackers) {
                a.close();
            }
            server.close();
        }
    }

    @Test
    void healthSaysWhenDocumentWorkIsStalled() throws Exception {
        // No cost limit to speak of, and a stall after 200 ms: one costly op stalls its document.
        EditorServer server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(100_000))
                .workLimits(DocumentService.WorkLimits.defaults().withMaxTransformCost(Long.MAX_VALUE).withStallAfterMillis(200))
                .build().start();
        HttpClient http = HttpClient.newHttpClient();
        try (WsClient c = WsClient.hello(server.webSocketUri(), null, null, "Eve")) {
            assertEquals(200, health(http, server).statusCode());
            c.open("heavy");
            c.send(op("heavy", 0, 1, TextOperation.insert(0, "x".repeat(200_000))));
            // The op below walks (its 100,000 components + 1) x history: ~6e7 steps, half a second or
            // more on a quiet machine, well past the 200 ms stall bound. (With 100 versions it could
            // finish inside the bound on a fast machine, and the stall was never seen.)
            int history = 600;
            for (int i = 0; i < history; i++) {
                c.send(op("heavy", 1 + i, 2 + i, TextOperation.insert(0, "b")));
            }
            c.await(m -> m.get("type").getAsString().equals("ack") && m.get("seq").getAsLong() == 1 + history);
            TextOperation.Builder b = TextOperation.builder();
            for (int i = 0; i < COMPONENTS / 2; i++) {
                b.retain(1).insert("a");
            }
            c.send(op("heavy", 1, 1_000, b.build()));

            HttpResponse<String> stalled = awaitHealth(http, server, 503);
            JsonObject body = JsonParser.parseString(stalled.body()).getAsJsonObject();
            assertEquals("stalled", body.get("status").getAsString(), stalled.body());
            // A task running too long, or (on a loaded machine) the watchdog's probe not run in time.
            assertTrue(body.get("cause").getAsString().matches(".*(running for|picked up).*"), stalled.body());
            // Once the op is through, the server is healthy again.
            awaitAck(c, 1_000);
            awaitHealth(http, server, 200);
        } finally {
            server.close();
        }
    }

    /** The ack of {@code seq}, however long a loaded machine takes to transform it (WsClient.await gives up after 10 s). */
    private static void awaitAck(WsClient c, long seq) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            JsonObject m = c.poll(1_000);
            if (m != null && m.get("type").getAsString().equals("ack") && m.get("seq").getAsLong() == seq) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "no ack of seq " + seq + " within 120 s");
        }
    }

    private static HttpResponse<String> health(HttpClient http, EditorServer server) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve("/healthz")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> awaitHealth(HttpClient http, EditorServer server, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            HttpResponse<String> r = health(http, server);
            if (r.statusCode() == status) {
                return r;
            }
            assertTrue(System.nanoTime() < deadline, "/healthz still says " + r.statusCode() + " " + r.body());
            Thread.sleep(20);
        }
    }
}
