package io.coedit.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.OtClient;
import io.coedit.ot.TextOperation;
import io.coedit.ot.json.OpJson;
import io.coedit.server.EditorServer;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that speaks ot-text-unicode, racing a replace against an insert, over a real
 * socket. The server must keep the operation it is sent exactly as sent (a delete followed
 * by an insert is a different edit from the insert followed by the delete: they put the
 * insert on different sides of a concurrent insert at the end of the deleted range), and
 * end on the text ot-text-unicode 4.0.0 gives, so that the client, transforming the other
 * operation past its own the ot-text-unicode way, agrees with it.
 */
class OtTextUnicodePeerTest {
    @TempDir
    Path data;
    EditorServer server;
    URI ws;

    @BeforeEach
    void start() {
        server = EditorServer.builder().port(0).dataDir(data).build().start();
        ws = server.webSocketUri();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aReplaceRacingAnInsertAtTheEndOfItsRangeEndsWhereOtTextUnicodeEnds() throws Exception {
        try (WsClient a = WsClient.hello(ws, null, null, "Ann"); WsClient b = WsClient.hello(ws, null, null, "Bob")) {
            b.open("race");
            b.send(WsClient.op("race", 0, 1, TextOperation.insert(0, "abc")));
            b.await(WsClient.type("ack"));
            a.open("race"); // at version 1, text "abc"
            b.send(WsClient.op("race", 1, 2, TextOperation.insert(2, "Y")));
            b.await(WsClient.type("ack")); // committed first, as version 1

            // Ann, an ot-text-unicode client, deletes "b" and then inserts "X", based on version 1.
            String annOp = "[1,{\"d\":1},\"X\"]";
            OtClient ann = new OtClient(1);
            String annText = "abc";
            TextOperation mine = OpJson.standard().parse(annOp);
            annText = mine.apply(annText);
            ann.applyLocal(mine);
            a.send("{\"type\":\"op\",\"doc\":\"race\",\"version\":1,\"seq\":1,\"op\":" + annOp + "}");

            JsonObject bobsOp = a.await(WsClient.type("op"));
            annText = ann.applyRemote(bobsOp.get("version").getAsLong(), OpJson.standard().fromJson(bobsOp.get("op"))).apply(annText);
            JsonObject ack = a.await(WsClient.type("ack"));
            ann.acknowledge(ack.get("seq").getAsLong(), ack.get("version").getAsLong());

            // What ot-text-unicode 4.0.0 gives: transform(ann, bob, "right") and its result.
            JsonObject annAsBobSeesIt = b.await(WsClient.type("op"));
            assertEquals(JsonParser.parseString("[1,{\"d\":1},1,\"X\"]"), annAsBobSeesIt.get("op"), annAsBobSeesIt::toString);
            String serverText = server.service().text("race", null).get().orElseThrow().text();
            assertEquals("aYXc", serverText, "the server's text");
            assertEquals("aYXc", annText, "the ot-text-unicode client's text");
        }
    }

    @Test
    void anEmptyOpIsCommittedAsAVersionLikeAnyOther() throws Exception {
        try (WsClient a = WsClient.hello(ws, null, null, "Ann"); WsClient b = WsClient.hello(ws, null, null, "Bob")) {
            a.open("empty");
            a.send(WsClient.op("empty", 0, 1, TextOperation.insert(0, "abc")));
            a.await(WsClient.type("ack"));
            b.open("empty");
            a.send("{\"type\":\"op\",\"doc\":\"empty\",\"version\":1,\"seq\":2,\"op\":[]}");
            JsonObject ack = a.await(WsClient.type("ack"));
            assertEquals(1, ack.get("version").getAsLong(), ack::toString);
            JsonObject relayed = b.await(WsClient.type("op"));
            assertEquals(JsonParser.parseString("[]"), relayed.get("op"), relayed::toString);
            assertEquals(1, relayed.get("version").getAsLong(), relayed::toString);
            var head = server.service().text("empty", null).get().orElseThrow();
            assertEquals("abc", head.text());
            assertEquals(2, head.version());
        }
    }
}
