package io.coedit.server.faults;

import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.store.PostgresDocumentStore;
import io.coedit.server.store.PostgresServer;
import io.coedit.server.store.StoredOp;
import io.coedit.server.ws.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL server goes away under a running editor server and comes back: meanwhile a
 * submission is answered {@code internal} (resend) and not acknowledged, and {@code /healthz}
 * says 503 with the reason; afterwards the same server, never restarted, acknowledges the
 * resent submission and says 200, and the history holds each acknowledged operation once.
 */
class DatabaseLostTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void submissionsFailAndHealthSays503UntilTheDatabaseReturns(@TempDir Path data) throws Exception {
        PostgresServer pg = PostgresServer.shared();
        String url = pg.jdbcUrl(pg.newDatabase());
        try (EditorServer server = EditorServer.builder().port(0).dataDir(data)
                .database(url, pg.user(), pg.password()).build().start();
                WsClient ann = WsClient.hello(server.webSocketUri(), null, null, "Ann")) {
            URI health = server.uri().resolve("/healthz");
            ann.open("doc");
            ann.send(op("doc", 0, 1, TextOperation.insert(0, "a")));
            assertEquals(1, ann.await(m -> m.get("type").getAsString().equals("ack")).get("seq").getAsLong());
            assertEquals(200, get(health).statusCode());

            pg.stop();
            try {
                ann.send(op("doc", 1, 2, TextOperation.insert(1, "b")));
                JsonObject failed = ann.await(m -> !m.get("type").getAsString().equals("presence"));
                assertEquals("error", failed.get("type").getAsString(), failed::toString);
                assertEquals("internal", failed.get("code").getAsString(), failed::toString);
                assertEquals(2, failed.get("seq").getAsLong(), failed::toString);
                HttpResponse<String> down = awaitStatus(health, 503);
                JsonObject body = JsonParser.parseString(down.body()).getAsJsonObject();
                assertEquals("unavailable", body.get("status").getAsString(), down::body);
                assertTrue(body.get("cause").getAsString().contains(url), down::body);
            } finally {
                pg.start();
            }

            awaitStatus(health, 200);
            // The resend, as the client does after internal; the document is back at version 1.
            JsonObject reopened = ann.open("doc");
            assertEquals(1, reopened.get("version").getAsLong(), reopened::toString);
            ann.send(op("doc", 1, 2, TextOperation.insert(1, "b")));
            JsonObject ack = ann.await(m -> m.get("type").getAsString().equals("ack"));
            assertEquals(2, ack.get("seq").getAsLong());
            assertEquals(1, ack.get("version").getAsLong());
        }
        try (PostgresDocumentStore store = new PostgresDocumentStore(url, pg.user(), pg.password())) {
            List<StoredOp> history = store.ops("doc", 0, Long.MAX_VALUE);
            assertEquals(List.of(1L, 2L), history.stream().map(StoredOp::seq).toList());
            assertEquals(List.of(0L, 1L), history.stream().map(StoredOp::version).toList());
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> awaitStatus(URI uri, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            HttpResponse<String> response = get(uri);
            if (response.statusCode() == status) {
                return response;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/healthz never answered " + status + "; last: " + response.statusCode() + " "
                        + response.body());
            }
            Thread.sleep(100);
        }
    }
}
