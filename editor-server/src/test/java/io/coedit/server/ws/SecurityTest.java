package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.msg;
import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import jakarta.websocket.DeploymentException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens, grants, Origin and per-address limits, over real sockets. */
class SecurityTest {
    static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

    @TempDir
    Path data;
    EditorServer server;
    URI ws;

    @BeforeEach
    void start() {
        server = EditorServer.builder().port(0).dataDir(data).jwtSecret(SECRET)
                .allowedOrigins(List.of("https://editor.example.com"))
                .limits(ConnectionLimits.defaults().withMaxSessionsPerAddress(4))
                .build().start();
        ws = server.webSocketUri();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String token(String subject, List<String> read, List<String> write) {
        return Jwts.builder().subject(subject).claim("name", subject.toUpperCase(java.util.Locale.ROOT))
                .claim("read", read).claim("write", write)
                .signWith(Keys.hmacShaKeyFor(SECRET.getBytes(StandardCharsets.UTF_8))).compact();
    }

    @Test
    void readOnlyTokenCanReadButNotWrite() throws Exception {
        try (WsClient writer = WsClient.hello(ws, null, token("wes", List.of(), List.of("notes")), null);
             WsClient reader = WsClient.hello(ws, null, token("rae", List.of("*"), List.of()), null)) {
            writer.open("notes");
            writer.send(op("notes", 0, 1, TextOperation.insert(0, "mine")));
            writer.expect("ack");

            JsonObject opened = reader.open("notes");
            assertTrue(opened.get("readOnly").getAsBoolean());
            assertEquals("mine", opened.get("text").getAsString());
            assertTrue(WsClient.isJoin(writer.expect("presence")), "the reader's arrival");
            reader.send(op("notes", 1, 1, TextOperation.insert(0, "x")));
            JsonObject error = reader.expectError("forbidden");
            assertEquals("notes", error.get("doc").getAsString());
            assertEquals(1, error.get("seq").getAsLong());
            assertTrue(writer.sync().isEmpty(), "a refused op reaches nobody");
            assertEquals("mine", server.service().text("notes", null).get().orElseThrow().text());
            // Still connected, still reading.
            writer.send(op("notes", 1, 2, TextOperation.insert(4, "!")));
            writer.expect("ack");
            assertEquals("mine!", io.coedit.ot.json.OpJson.standard().fromJson(reader.expect("op").get("op")).apply("mine"));
        }
    }

    @Test
    void readOnlyUsersSeeTheChatButMayNotAddToIt() throws Exception {
        try (WsClient writer = WsClient.hello(ws, null, token("wes", List.of(), List.of("talk")), null);
             WsClient reader = WsClient.hello(ws, null, token("rae", List.of("*"), List.of()), null)) {
            writer.open("talk");
            JsonObject line = msg("chat");
            line.addProperty("doc", "talk");
            line.addProperty("text", "tea?");
            writer.send(line);
            writer.expect("chat");

            JsonObject opened = reader.open("talk");
            assertTrue(opened.get("readOnly").getAsBoolean());
            assertEquals("tea?", opened.getAsJsonArray("chat").get(0).getAsJsonObject().get("text").getAsString());
            JsonObject reply = msg("chat");
            reply.addProperty("doc", "talk");
            reply.addProperty("text", "yes please");
            reader.send(reply);
            JsonObject error = reader.expectError("forbidden");
            assertEquals("talk", error.get("doc").getAsString());
            assertTrue(error.get("message").getAsString().contains("chat"), error::toString);
            for (JsonObject m : writer.sync()) {
                assertNotEquals("chat", m.get("type").getAsString(), "a refused chat line reaches nobody");
            }
            // Nor is it kept: a later opener sees only the writer's line.
            try (WsClient later = WsClient.hello(ws, null, token("lou", List.of("*"), List.of()), null)) {
                assertEquals(1, later.open("talk").getAsJsonArray("chat").size());
            }
            // The writer still chats.
            writer.send(line);
            assertEquals("tea?", reader.await(WsClient.type("chat")).get("text").getAsString());
        }
    }

    @Test
    void grantsLimitWhichDocumentsOpen() throws Exception {
        try (WsClient c = WsClient.hello(ws, null, token("una", List.of("team-*"), List.of()), null)) {
            c.open("team-a");
            JsonObject open = msg("open");
            open.addProperty("doc", "private");
            c.send(open);
            assertEquals("private", c.expectError("forbidden").get("doc").getAsString());
        }
    }

    @Test
    void tokensAreRequiredAndChecked() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            c.send(msg("hello"));
            assertTrue(c.expectError("unauthorized").get("message").getAsString().contains("requires a token"));
            JsonObject bad = msg("hello");
            bad.addProperty("token", token("x", List.of("*"), List.of("*")) + "tampered");
            c.send(bad);
            c.expectError("unauthorized");
            // Still usable: a good token gets in, with a client id of that user's own.
            JsonObject good = msg("hello");
            good.addProperty("token", token("ann", List.of("*"), List.of("*")));
            good.addProperty("clientId", "someone-elses-id");
            c.send(good);
            JsonObject welcome = c.expect("welcome");
            assertNotEquals("someone-elses-id", welcome.get("clientId").getAsString());
            assertEquals("ann", welcome.getAsJsonObject("user").get("id").getAsString());
            assertEquals("ANN", welcome.getAsJsonObject("user").get("name").getAsString());
        }
    }

    @Test
    void repeatedBadHellosCloseTheSocket() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            for (int i = 0; i < 3; i++) {
                c.send(msg("hello"));
                c.expectError("unauthorized");
            }
            assertEquals(1008, c.awaitClose().getCloseCode().getCode());
        }
    }

    @Test
    void foreignOriginIsRefusedAtTheHandshake() throws Exception {
        DeploymentException refused = assertThrows(DeploymentException.class,
                () -> WsClient.connect(ws, "https://evil.example.net"));
        assertTrue(String.valueOf(refused.getMessage()).contains("403")
                        || String.valueOf(refused.getCause()).contains("403"), refused::toString);
        assertThrows(DeploymentException.class, () -> WsClient.connect(ws, "null"));
        // Allowed: the configured origin, the server's own, and programs that send none.
        WsClient.connect(ws, "https://editor.example.com").close();
        WsClient.connect(ws, "http://127.0.0.1:" + server.port()).close();
        WsClient.connect(ws, null).close();
        // With origins configured, other localhost ports are no longer trusted.
        assertThrows(DeploymentException.class, () -> WsClient.connect(ws, "http://localhost:1"));
    }

    @Test
    void sessionsPerAddressAreCapped() throws Exception {
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                open.add(WsClient.connect(ws));
            }
            WsClient extra = WsClient.connect(ws);
            open.add(extra);
            assertEquals(1013, extra.awaitClose().getCloseCode().getCode());
            open.get(0).close();
            open.get(0).awaitClose();
            // A slot is free again (the server counts it down as the socket closes).
            WsClient again = null;
            for (int attempt = 0; attempt < 50 && again == null; attempt++) {
                WsClient c = WsClient.connect(ws);
                c.send(msg("ping"));
                if (c.poll(1000) != null) {
                    again = c;
                } else {
                    c.close();
                }
            }
            assertTrue(again != null, "a freed slot can be used");
            open.add(again);
        } finally {
            open.forEach(WsClient::close);
        }
    }
}
