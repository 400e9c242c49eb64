package io.coedit.server.http;

import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.ws.WsClient;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP side, on the WebSocket's port, open and with tokens. */
class HttpApiTest {
    static final String SECRET = "http-test-secret-http-test-secret-http";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(URI base, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    /** Three edits to "doc1" by a socket client: "hello", "hello world", "Hello world". */
    private static void edit(EditorServer server, String token) throws Exception {
        try (WsClient c = WsClient.hello(server.webSocketUri(), null, token, "Ann")) {
            c.open("doc1");
            c.send(op("doc1", 0, 1, TextOperation.insert(0, "hello")));
            c.expect("ack");
            c.send(op("doc1", 1, 2, TextOperation.insert(5, " world")));
            c.expect("ack");
            c.send(op("doc1", 2, 3, TextOperation.splice(0, 1, "H")));
            c.expect("ack");
        }
    }

    @Test
    void longTextsWithAstralCharactersComeBackWhole(@TempDir Path data) throws Exception {
        // One code unit, then emoji: wherever the response is cut into buffers, some cut
        // falls between the two halves of an emoji, which must not become two '?'.
        String text = "a" + "😀".repeat(30_000);
        try (EditorServer server = EditorServer.builder().port(0).dataDir(data).build().start();
                WsClient c = WsClient.hello(server.webSocketUri(), null, null, "Ann")) {
            c.open("wide");
            c.send(op("wide", 0, 1, TextOperation.insert(0, text)));
            c.expect("ack");

            HttpResponse<String> doc = get(server.uri(), "/api/docs/wide", null);
            assertEquals(200, doc.statusCode());
            assertEquals(text, json(doc).get("text").getAsString());
            // Many at once, so that the server's writes are cut wherever the sockets allow.
            java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(16);
            try {
                List<java.util.concurrent.Future<String>> reads = new java.util.ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    reads.add(readers.submit(() -> json(get(server.uri(), "/api/docs/wide", null)).get("text").getAsString()));
                }
                for (java.util.concurrent.Future<String> read : reads) {
                    assertEquals(text, read.get());
                }
            } finally {
                readers.shutdownNow();
            }
            JsonObject ops = json(get(server.uri(), "/api/docs/wide/ops", null));
            assertEquals(1, ops.getAsJsonArray("ops").size());
            assertEquals("[\"" + text + "\"]", ops.getAsJsonArray("ops").get(0).getAsJsonObject().get("op").toString());
        }
    }

    @Test
    void openServerAnswersEveryEndpoint(@TempDir Path data) throws Exception {
        try (EditorServer server = EditorServer.builder().port(0).dataDir(data).build().start()) {
            URI base = server.uri();
            edit(server, null);

            HttpResponse<String> page = get(base, "/", null);
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("coedit"));

            HttpResponse<String> list = get(base, "/api/docs", null);
            assertEquals(200, list.statusCode());
            assertTrue(list.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonObject doc = json(list).getAsJsonArray("docs").get(0).getAsJsonObject();
            assertEquals("doc1", doc.get("id").getAsString());
            assertEquals(3, doc.get("version").getAsLong());
            assertTrue(doc.get("updated").getAsLong() > 0);

            JsonObject head = json(get(base, "/api/docs/doc1", null));
            assertEquals("Hello world", head.get("text").getAsString());
            assertEquals(3, head.get("version").getAsLong());
            JsonObject old = json(get(base, "/api/docs/doc1?version=1", null));
            assertEquals("hello", old.get("text").getAsString());
            assertEquals(1, old.get("version").getAsLong());
            assertEquals(404, get(base, "/api/docs/doc1?version=9", null).statusCode());
            assertEquals(400, get(base, "/api/docs/doc1?version=-1", null).statusCode());
            assertEquals(400, get(base, "/api/docs/-starts-with-a-dash", null).statusCode());

            JsonObject ops = json(get(base, "/api/docs/doc1/ops?from=1&to=3", null));
            JsonArray items = ops.getAsJsonArray("ops");
            assertEquals(2, items.size());
            assertEquals(1, items.get(0).getAsJsonObject().get("version").getAsLong());
            assertEquals("[5,\" world\"]", items.get(0).getAsJsonObject().get("op").toString());
            assertEquals(2, items.get(0).getAsJsonObject().get("seq").getAsLong());
            assertEquals(3, json(get(base, "/api/docs/doc1/ops", null)).getAsJsonArray("ops").size());

            assertEquals(404, get(base, "/api/nothing", null).statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(base.resolve("/api/docs"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());

            HttpResponse<String> health = get(base, "/healthz", null);
            assertEquals(200, health.statusCode());
            assertEquals("ok", json(health).get("status").getAsString());

            HttpResponse<String> metrics = get(base, "/metrics", null);
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("coedit_ops_committed_total 3.0"), metrics.body());
            assertTrue(metrics.body().contains("coedit_connections "), metrics.body());
            assertTrue(metrics.body().contains("coedit_documents_open "), metrics.body());
            assertTrue(metrics.body().contains("coedit_errors_total{code=\"invalid_op\"}"), metrics.body());
            assertTrue(metrics.body().contains("coedit_ack_latency_seconds_count 3"), metrics.body());
            // However the three ops were grouped, the group commits carried three in all.
            assertTrue(metrics.body().contains("coedit_commit_ops_sum 3.0"), metrics.body());
            assertTrue(metrics.body().contains("coedit_commit_seconds_count "), metrics.body());
            assertTrue(metrics.body().contains("coedit_commit_documents_max 1.0"), metrics.body());
        }
    }

    @Test
    void withASecretTheApiTakesTheSocketsTokens(@TempDir Path data) throws Exception {
        try (EditorServer server = EditorServer.builder().port(0).dataDir(data).jwtSecret(SECRET).build().start()) {
            URI base = server.uri();
            edit(server, token("ann", List.of(), List.of("*")));
            String narrow = token("bo", List.of("other"), List.of());

            HttpResponse<String> anonymous = get(base, "/api/docs", null);
            assertEquals(401, anonymous.statusCode());
            assertEquals("unauthorized", json(anonymous).get("code").getAsString());
            assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals(401, get(base, "/api/docs", "garbage").statusCode());
            assertEquals(403, get(base, "/api/docs/doc1", narrow).statusCode());
            assertEquals(403, get(base, "/api/docs/doc1/ops", narrow).statusCode());
            assertEquals(0, json(get(base, "/api/docs", narrow)).getAsJsonArray("docs").size(), "the list shows only readable documents");
            String reader = token("cy", List.of("doc1"), List.of());
            assertEquals("Hello world", json(get(base, "/api/docs/doc1", reader)).get("text").getAsString());
            // Probes and scrapers carry no token.
            assertEquals(200, get(base, "/healthz", null).statusCode());
            assertEquals(200, get(base, "/metrics", null).statusCode());
            assertEquals(200, get(base, "/", null).statusCode());
        }
    }

    static String token(String subject, List<String> read, List<String> write) {
        return Jwts.builder().subject(subject).claim("read", read).claim("write", write)
                .signWith(Keys.hmacShaKeyFor(SECRET.getBytes(StandardCharsets.UTF_8))).compact();
    }
}
