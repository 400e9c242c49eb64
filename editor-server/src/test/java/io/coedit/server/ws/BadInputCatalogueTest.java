package io.coedit.server.ws;

import static io.coedit.server.ws.WsClient.msg;
import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.session.DocumentService;
import io.coedit.server.session.ErrorCode;
import io.coedit.server.store.DocumentCommit;
import io.coedit.server.store.DocumentStore;
import io.coedit.server.store.InMemoryDocumentStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every error code of protocol v1 provoked over a real socket, each answered as
 * docs/PROTOCOL.md says: the error names the code (and the doc and seq where there are
 * some), the document is unchanged, nobody else hears of it, and the connection stays
 * usable except where the protocol closes it (an oversized message).
 */
class BadInputCatalogueTest {
    static final String WRITE_ALL = SecurityTest.token("wes", List.of(), List.of("*"));
    static final String READ_ALL = SecurityTest.token("rae", List.of("*"), List.of());

    @TempDir
    static Path data;
    static EditorServer server;
    static URI ws;
    static WsClient watcher; // subscribed to "cat": must never hear of a refused request
    static final Set<ErrorCode> provoked = EnumSet.noneOf(ErrorCode.class);

    @BeforeAll
    static void start() throws Exception {
        server = EditorServer.builder().port(0).dataDir(data).jwtSecret(SecurityTest.SECRET)
                .store(failingFor("broken"))
                .limits(ConnectionLimits.defaults().withMaxOpsPerSecond(5).withMaxMessageBytes(4096))
                .documentSettings(DocumentService.Settings.builder().maxCatchUp(2).maxDocumentCodePoints(40).build())
                .workLimits(DocumentService.WorkLimits.defaults().withMaxTransformCost(20))
                .build().start();
        ws = server.webSocketUri();
        try (WsClient w = hello(WRITE_ALL)) {
            w.open("cat");
            w.send(op("cat", 0, 1, TextOperation.insert(0, "abc")));
            w.expect("ack");
        }
        watcher = hello(READ_ALL);
        watcher.open("cat");
    }

    @AfterAll
    static void stop() {
        watcher.close();
        server.close();
        assertEquals(EnumSet.allOf(ErrorCode.class), provoked, "every error code is provoked");
    }

    /** A store that cannot commit to documents whose id starts with {@code prefix}, like a failing disk. */
    static DocumentStore failingFor(String prefix) {
        DocumentStore inner = new InMemoryDocumentStore();
        return (DocumentStore) Proxy.newProxyInstance(DocumentStore.class.getClassLoader(), new Class<?>[] {DocumentStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        for (Object c : (List<?>) args[0]) {
                            if (((DocumentCommit) c).docId().startsWith(prefix)) {
                                throw new IllegalStateException("disk failure (simulated)");
                            }
                        }
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static WsClient hello(String token) throws Exception {
        return WsClient.hello(ws, null, token, null);
    }

    /** Asserts the error, then that the document and the watcher saw nothing and the connection still answers. */
    static JsonObject refused(WsClient c, String code, String doc, Long seq) {
        JsonObject e = c.expectError(code);
        provoked.add(ErrorCode.valueOf(code.toUpperCase(Locale.ROOT)));
        assertTrue(e.get("message").getAsString().length() > 10, () -> "a message that says something: " + e);
        if (doc != null) {
            assertEquals(doc, e.get("doc").getAsString(), e::toString);
        }
        if (seq != null) {
            assertEquals(seq, e.get("seq").getAsLong(), e::toString);
        }
        assertTrue(c.sync().isEmpty(), "connection still usable, nothing else sent");
        return e;
    }

    static void catUnchanged() throws Exception {
        DocumentService.DocumentText cat = server.service().text("cat", null).get().orElseThrow();
        assertEquals("abc", cat.text());
        assertEquals(1, cat.version());
        // Peers come and go (presence, leave); no edit or chat reached the watcher.
        for (JsonObject m : watcher.sync()) {
            String type = m.get("type").getAsString();
            assertTrue(type.equals("presence") || type.equals("leave"), () -> "the watcher should not see " + m);
        }
    }

    @Test
    void badRequest() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("cat");
            c.send("{\"type\":\"op\",");
            assertTrue(refused(c, "bad_request", null, null).get("message").getAsString().startsWith("malformed JSON"));
            c.send("{\"type\":\"shout\"}");
            assertTrue(refused(c, "bad_request", null, null).get("message").getAsString().contains("unknown message type"));
            c.send("{\"type\":\"open\"}");
            assertTrue(refused(c, "bad_request", null, null).get("message").getAsString().contains("\"doc\" is missing"));
            c.send("{\"type\":\"op\",\"doc\":\"cat\",\"version\":\"1\",\"seq\":1,\"op\":[1]}");
            assertTrue(refused(c, "bad_request", "cat", 1L).get("message").getAsString().contains("\"version\""));
            c.send("{\"type\":\"op\",\"doc\":\"cat\",\"version\":1,\"seq\":2,\"op\":[0,\"x\"]}");
            assertTrue(refused(c, "bad_request", "cat", 2L).get("message").getAsString().contains("op[0]"));
            c.send(msg("hello"));
            refused(c, "bad_request", null, null); // hello twice
        }
        catUnchanged();
    }

    @Test
    void invalidName() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            JsonObject hello = msg("hello");
            hello.addProperty("token", WRITE_ALL);
            hello.addProperty("name", "\u202Eevil");
            c.send(hello);
            assertTrue(refused(c, "invalid_name", null, null).get("message").getAsString().contains("bidirectional"));
            JsonObject claimed = msg("hello");
            claimed.addProperty("token", SecurityTest.token("\u200B", List.of("*"), List.of("*")));
            c.send(claimed);
            assertTrue(refused(c, "invalid_name", null, null).get("message").getAsString().contains("\"name\" claim"));
            JsonObject good = msg("hello");
            good.addProperty("token", WRITE_ALL);
            c.send(good);
            c.expect("welcome");
        }
        catUnchanged();
    }

    @Test
    void helloRequired() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            JsonObject open = msg("open");
            open.addProperty("doc", "cat");
            c.send(open);
            refused(c, "hello_required", null, null);
            c.send(op("cat", 1, 1, TextOperation.insert(0, "x")));
            refused(c, "hello_required", null, null);
            JsonObject hello = msg("hello");
            hello.addProperty("token", WRITE_ALL);
            c.send(hello);
            c.expect("welcome");
        }
        catUnchanged();
    }

    @Test
    void unauthorized() throws Exception {
        try (WsClient c = WsClient.connect(ws)) {
            JsonObject hello = msg("hello");
            hello.addProperty("token", "not-a-jwt");
            c.send(hello);
            refused(c, "unauthorized", null, null);
            hello.addProperty("token", WRITE_ALL);
            c.send(hello);
            c.expect("welcome");
        }
        catUnchanged();
    }

    @Test
    void forbidden() throws Exception {
        try (WsClient c = hello(READ_ALL);
             WsClient narrow = hello(SecurityTest.token("nia", List.of("other"), List.of()))) {
            c.open("cat");
            c.send(op("cat", 1, 1, TextOperation.insert(0, "x")));
            refused(c, "forbidden", "cat", 1L);
            JsonObject open = msg("open");
            open.addProperty("doc", "cat");
            narrow.send(open);
            refused(narrow, "forbidden", "cat", null);
        }
        catUnchanged();
    }

    @Test
    void notOpen() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.send(op("cat", 1, 1, TextOperation.insert(0, "x")));
            refused(c, "not_open", "cat", 1L);
            JsonObject chat = msg("chat");
            chat.addProperty("doc", "cat");
            chat.addProperty("text", "hi");
            c.send(chat);
            refused(c, "not_open", "cat", null);
        }
        catUnchanged();
    }

    @Test
    void invalidOp() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("cat");
            c.send(op("cat", 1, 1, TextOperation.builder().retain(10).insert("x").build()));
            refused(c, "invalid_op", "cat", 1L);
            c.send(op("cat", 1, 2, TextOperation.delete(1, 5)));
            refused(c, "invalid_op", "cat", 2L);
        }
        catUnchanged();
    }

    @Test
    void trailingRetainPastTheEndIsInvalidOp() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("cat");
            // A trailing retain says nothing the op must do, but one past the end still
            // says the sender has the wrong document: [4] on "abc" is refused, not a no-op.
            c.send("{\"type\":\"op\",\"doc\":\"cat\",\"version\":1,\"seq\":1,\"op\":[4]}");
            refused(c, "invalid_op", "cat", 1L);
            c.send("{\"type\":\"op\",\"doc\":\"cat\",\"version\":1,\"seq\":2,\"op\":[2147483647]}");
            refused(c, "invalid_op", "cat", 2L);
            c.send("{\"type\":\"op\",\"doc\":\"cat\",\"version\":1,\"seq\":3,\"op\":[1,\"x\",3]}");
            refused(c, "invalid_op", "cat", 3L);
            // Checked against the document it was made on: version 0 was empty.
            c.send("{\"type\":\"op\",\"doc\":\"cat\",\"version\":0,\"seq\":4,\"op\":[1]}");
            refused(c, "invalid_op", "cat", 4L);
        }
        catUnchanged();
    }

    @Test
    void versionAhead() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("cat");
            c.send(op("cat", 99, 1, TextOperation.insert(0, "x")));
            refused(c, "version_ahead", "cat", 1L);
            JsonObject open = msg("open");
            open.addProperty("doc", "cat");
            open.addProperty("version", 99);
            c.send(open);
            refused(c, "version_ahead", "cat", null);
        }
        catUnchanged();
    }

    @Test
    void historyGone() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("old");
            for (int v = 0; v < 3; v++) {
                c.send(op("old", v, v + 1, TextOperation.insert(0, "z")));
                c.expect("ack");
            }
            // Based on version 0, three ops behind a head that keeps two for catch-up.
            c.send(op("old", 0, 4, TextOperation.insert(0, "late")));
            refused(c, "history_gone", "old", 4L);
            try (WsClient back = hello(WRITE_ALL)) {
                JsonObject open = msg("open");
                open.addProperty("doc", "old");
                open.addProperty("version", 0);
                back.send(open);
                refused(back, "history_gone", "old", null);
                assertEquals("zzz", back.open("old").get("text").getAsString(), "a reload still works");
            }
        }
        catUnchanged();
    }

    @Test
    void tooCostly() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("dear");
            c.send(op("dear", 0, 1, TextOperation.insert(0, "0123456789")));
            c.expect("ack");
            c.send(op("dear", 1, 2, TextOperation.insert(0, "z")));
            c.expect("ack");
            // 20 components based 1 version behind: 20 + 2 components to walk, over the limit of 20.
            TextOperation.Builder b = TextOperation.builder();
            for (int i = 0; i < 10; i++) {
                b.retain(1).insert("y");
            }
            c.send(op("dear", 1, 3, b.build()));
            JsonObject e = refused(c, "too_costly", "dear", 3L);
            assertTrue(e.get("message").getAsString().contains("limit of 20"), e::toString);
            assertEquals("z0123456789", server.service().text("dear", null).get().orElseThrow().text());
        }
        catUnchanged();
    }

    @Test
    void tooLargeDocumentKeepsTheConnection() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("cat");
            c.send(op("cat", 1, 1, TextOperation.insert(0, "x".repeat(38))));
            refused(c, "too_large", "cat", 1L);
            JsonObject chat = msg("chat");
            chat.addProperty("doc", "cat");
            chat.addProperty("text", "y".repeat(4001));
            c.send(chat);
            refused(c, "too_large", "cat", null);
        }
        catUnchanged();
    }

    @Test
    void tooLargeMessageClosesWith1009() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("cat");
            c.send(op("cat", 1, 1, TextOperation.insert(0, "é".repeat(2100)))); // 4,200 bytes of é alone
            JsonObject e = c.expectError("too_large");
            provoked.add(ErrorCode.TOO_LARGE);
            assertTrue(e.get("message").getAsString().contains("4096"), e::toString);
            assertEquals(1009, c.awaitClose().getCloseCode().getCode());
        }
        catUnchanged();
    }

    @Test
    void rateLimited() throws Exception {
        try (WsClient c = hello(WRITE_ALL)) {
            c.open("cat");
            JsonObject presence = msg("presence");
            presence.addProperty("doc", "cat");
            presence.addProperty("version", 1);
            presence.add("selection", JsonNull.INSTANCE);
            for (int i = 0; i < 5; i++) {
                c.send(presence); // the five a second allows
            }
            c.send(op("cat", 1, 1, TextOperation.insert(0, "x")));
            refused(c, "rate_limited", "cat", 1L);
        }
        catUnchanged();
    }

    @Test
    void internal() throws Exception {
        try (WsClient c = hello(WRITE_ALL); WsClient other = hello(WRITE_ALL)) {
            c.open("broken-1");
            other.open("broken-1");
            assertTrue(WsClient.isJoin(c.expect("presence")), "the other's arrival");
            c.send(op("broken-1", 0, 1, TextOperation.insert(0, "lost")));
            JsonObject e = refused(c, "internal", "broken-1", 1L);
            assertTrue(e.get("message").getAsString().contains("resubmit"), e::toString);
            assertTrue(other.sync().isEmpty(), "an op that was not saved reaches nobody");
            DocumentService.DocumentText broken = server.service().text("broken-1", null).get().orElseThrow();
            assertEquals("", broken.text());
            assertEquals(0, broken.version());
        }
        catUnchanged();
    }
}
