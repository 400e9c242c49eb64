package io.coedit.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import io.coedit.server.EditorServer;
import io.coedit.server.protocol.DocumentId;
import io.coedit.server.ws.WsClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WebSocket's {@code doc} field and the HTTP API's path name documents by one rule. */
class DocumentIdEdgesTest {
    /** Ids on both sides of the rule; none holds a '/', which the HTTP path would read as a separator. */
    private static final List<String> IDS = List.of("a", "7", "Q3.plan_v2-final", "x".repeat(128), "x".repeat(129),
            ".hidden", "-x", "_x", "a b", "a%20b", "ünï", "😀", "a:b", "a~b");

    @Test
    void bothEdgesAcceptAndRefuseTheSameIds(@TempDir Path data) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (EditorServer server = EditorServer.builder().port(0).dataDir(data).build().start()) {
            for (String id : IDS) {
                boolean valid = DocumentId.isValid(id);
                String segment = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
                HttpResponse<String> got = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "api/docs/" + segment))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(valid ? 200 : 400, got.statusCode(), () -> "HTTP, id " + id + ": " + got.body());
                try (WsClient ws = WsClient.hello(server.webSocketUri(), null, null, "Ann")) {
                    JsonObject open = WsClient.msg("open");
                    open.addProperty("doc", id);
                    ws.send(open);
                    JsonObject reply = ws.next();
                    String expected = valid ? "opened" : "error bad_request";
                    String actual = reply.get("type").getAsString()
                            + (reply.has("code") ? " " + reply.get("code").getAsString() : "");
                    assertEquals(expected, actual, () -> "WebSocket, id " + id + ": " + reply);
                }
            }
        }
    }
}
