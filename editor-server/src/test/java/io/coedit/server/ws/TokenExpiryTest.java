package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import jakarta.websocket.CloseReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token's {@code exp} holds for the life of the connection, not only at {@code hello}: once
 * it has passed (with the allowed clock skew) the server closes the connection (4401), and
 * the client gets back in with a fresh token.
 */
class TokenExpiryTest {
    @TempDir
    Path data;

    private static String token(String subject, Instant expires) {
        return Jwts.builder().subject(subject).claim("read", List.of("*")).claim("write", List.of("*"))
                .expiration(Date.from(expires))
                .signWith(Keys.hmacShaKeyFor(SecurityTest.SECRET.getBytes(StandardCharsets.UTF_8))).compact();
    }

    @Test
    void aConnectionEndsWhenItsTokenExpires() throws Exception {
        // One second of skew instead of thirty, so that the test is quick.
        EditorServer server = EditorServer.builder().port(0).dataDir(data).jwtSecret(SecurityTest.SECRET)
                .tokenClockSkew(Duration.ofSeconds(1)).build().start();
        try {
            // exp counts whole seconds: this one is 4 to 5 s away (time to connect and edit on a
            // loaded machine), and the connection ends 1 s after it.
            Instant exp = Instant.ofEpochSecond(Instant.now().getEpochSecond() + 5);
            WsClient c = WsClient.hello(server.webSocketUri(), null, token("ann", exp), null);
            c.open("notes");
            c.send(op("notes", 0, 1, TextOperation.insert(0, "before")));
            c.expect("ack");

            CloseReason closed = c.awaitClose(); // WsClient waits 10 s at most
            Instant at = Instant.now();
            assertEquals(4401, closed.getCloseCode().getCode(), closed::toString);
            assertTrue(closed.getReasonPhrase().contains("expired"), closed::toString);
            assertTrue(!at.isBefore(exp.plusSeconds(1)), "closed at " + at + ", before exp " + exp + " + 1 s of skew");
            List<JsonObject> told = new ArrayList<>();
            for (JsonObject m = c.poll(0); m != null; m = c.poll(0)) {
                told.add(m);
            }
            assertTrue(told.stream().anyMatch(m -> m.get("type").getAsString().equals("error")
                    && m.get("code").getAsString().equals("unauthorized")
                    && m.get("message").getAsString().contains("expired")), "told why before the close: " + told);
            c.close();

            // The expired token no longer gets in; a fresh one does, and edits.
            try (WsClient stale = WsClient.connect(server.webSocketUri())) {
                JsonObject hello = WsClient.msg("hello");
                hello.addProperty("token", token("ann", exp));
                stale.send(hello);
                assertTrue(stale.expectError("unauthorized").get("message").getAsString().contains("expired"));
            }
            try (WsClient fresh = WsClient.hello(server.webSocketUri(), null, token("ann", Instant.now().plusSeconds(600)),
                    null)) {
                assertEquals("before", fresh.open("notes").get("text").getAsString());
                fresh.send(op("notes", 1, 2, TextOperation.insert(6, " and after")));
                fresh.expect("ack");
            }
            assertEquals("before and after", server.service().text("notes", null).get().orElseThrow().text());
        } finally {
            server.close();
        }
    }
}
