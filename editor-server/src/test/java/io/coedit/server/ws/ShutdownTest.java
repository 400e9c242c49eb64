package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing the server: clients are told (1001), what was acked is there after a restart. */
class ShutdownTest {
    @Test
    void gracefulCloseKeepsAckedOpsAndTellsClients(@TempDir Path data) throws Exception {
        EditorServer server = EditorServer.builder().port(0).dataDir(data).build().start();
        WsClient c = WsClient.hello(server.webSocketUri(), null, null, "Ann");
        c.open("kept");
        for (int seq = 1; seq <= 20; seq++) {
            c.send(op("kept", seq - 1, seq, TextOperation.insert(0, "x")));
            c.expect("ack");
        }
        server.close();
        assertEquals(1001, c.awaitClose().getCloseCode().getCode());
        server.close(); // twice is harmless

        try (EditorServer again = EditorServer.builder().port(0).dataDir(data).build().start();
             WsClient d = WsClient.hello(again.webSocketUri(), c.clientId, null, "Ann")) {
            assertEquals("x".repeat(20), d.open("kept").get("text").getAsString());
            d.send(op("kept", 20, 20, TextOperation.insert(0, "x")));
            assertEquals(19, d.expect("ack").get("version").getAsLong(), "a resubmission after restart is recognised");
        }
    }
}
