package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @Test
    void helloOpenOpAck(@TempDir Path dir) throws Exception {
        try (EditorServer server = EditorServer.builder().port(0).dataDir(dir).build().start();
             WsClient a = WsClient.hello(server.webSocketUri(), null, null, "Ann")) {
            System.out.println("port " + server.port() + " " + server.webSocketUri());
            JsonObject opened = a.open("d1");
            System.out.println(opened);
            a.send(WsClient.op("d1", 0, 1, TextOperation.insert(0, "hi")));
            System.out.println(a.next());
        }
    }
}
