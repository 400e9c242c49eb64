package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.msg;
import static io.coedit.server.ws.WsClient.op;
import static io.coedit.server.ws.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that take more than their share: they are cut off, and the others carry on. */
class BackpressureTest {
    @TempDir
    Path data;
    EditorServer server;
    URI ws;

    @BeforeEach
    void start() {
        server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(1_000).withMaxMessageBytes(64 * 1024)
                        .withMaxQueuedBytes(512 * 1024).withIdleTimeout(Duration.ofSeconds(30)))
                .build().start();
        ws = server.webSocketUri();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void clientThatStopsReadingIsDisconnectedAndOthersCarryOn() throws Exception {
        try (WsClient writer = WsClient.hello(ws, null, null, "Wes");
             RawWebSocket stuck = new RawWebSocket(ws, 4096)) {
            writer.open("big");
            stuck.sendText("{\"type\":\"hello\",\"clientId\":\"stuck-1\"}");
            stuck.sendText("{\"type\":\"open\",\"doc\":\"big\"}");
            writer.sync();
            // ~60 KB an op, acked one at a time; socket buffers hold a few MB at most, the queue 512 KB.
            String chunk = "x".repeat(30_000);
            long version = 0;
            JsonObject leave = null;
            for (int seq = 1; seq <= 400 && leave == null; seq++) {
                writer.send(op("big", version, seq, seq % 2 == 1 ? TextOperation.insert(0, chunk)
                        : TextOperation.delete(0, 30_000)));
                while (true) {
                    JsonObject m = writer.next();
                    String t = m.get("type").getAsString();
                    if (t.equals("leave")) {
                        leave = m;
                    } else if (t.equals("ack")) {
                        version = m.get("version").getAsLong() + 1;
                        break;
                    }
                }
            }
            assertTrue(leave != null, "the stuck client was dropped");
            assertEquals("stuck-1", leave.get("clientId").getAsString());
            // Reading again, it finds what was already on its way, then the close.
            int code = stuck.readUntilClosed();
            assertTrue(code == 1008 || code == -1, "closed with 1008 (or the socket just ended), got " + code);
            // The writer is unaffected.
            writer.send(op("big", version, 1_000, TextOperation.insert(0, "still here")));
            writer.await(type("ack"));
            assertTrue(server.service().text("big", null).get().orElseThrow().text().startsWith("still here"));
        }
    }

    @Test
    void floodingPastTheRateLimitClosesWith1008() throws Exception {
        server.close();
        server = EditorServer.builder().port(0).dataDir(data)
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(5)).build().start();
        try (WsClient c = WsClient.hello(server.webSocketUri(), null, null, "Flo")) {
            c.open("f");
            JsonObject chat = msg("chat");
            chat.addProperty("doc", "f");
            chat.addProperty("text", "spam");
            for (int i = 0; i < 20; i++) {
                c.send(chat);
            }
            assertEquals(1008, c.awaitClose().getCloseCode().getCode());
        }
    }
}
