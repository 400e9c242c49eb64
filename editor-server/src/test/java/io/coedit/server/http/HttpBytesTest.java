package io.coedit.server.http;

import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.ws.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JSON answer is exact UTF-8 for any text. A writer that encodes in chunks of UTF-16
 * units turns a surrogate pair cut by a chunk boundary into "??"; which pairs are cut depends
 * on where the text sits in the answer, so each text is read at both parities (an ASCII
 * prefix of odd and of even length, and a head one unit longer than its first version) and
 * is long enough to cross a dozen boundaries of 8,192 units.
 */
class HttpBytesTest {
    /** Astral characters only (four UTF-8 bytes, two UTF-16 units each): emoji, a musical symbol, a Gothic letter, a CJK ideograph of plane 2. */
    private static final String ASTRAL = "😀𝄞𐍈𠀋🀄👩";

    /** {@code prefix} ASCII units, then astral characters up to at least 100,000 units. */
    private static String text(int prefix) {
        StringBuilder s = new StringBuilder("x".repeat(prefix));
        while (s.length() < 100_000) {
            s.append(ASTRAL);
        }
        return s.toString();
    }

    private record Doc(String id, String first, String head) {}

    /** Version 1 is {@code first}; version 2 puts one ASCII unit in front of it. */
    private static Doc write(WsClient c, String id, String first) {
        c.open(id);
        c.send(op(id, 0, 1, TextOperation.insert(0, first)));
        c.expect("ack");
        c.send(op(id, 1, 2, TextOperation.insert(0, "b")));
        c.expect("ack");
        return new Doc(id, first, "b" + first);
    }

    /** What each endpoint must carry, checked on the bytes of an answer. */
    private static void check(Doc doc, String target, int status, byte[] body, String contentLength) {
        RawHttp.Answer answer = new RawHttp.Answer(status, java.util.Map.of(), body);
        assertEquals(200, status, target);
        JsonObject json = answer.json(); // fails on a byte that is not UTF-8
        if (target.endsWith("/ops")) {
            JsonArray ops = json.getAsJsonArray("ops");
            assertEquals(2, ops.size(), target);
            assertSameText(doc.first, ops.get(0).getAsJsonObject().getAsJsonArray("op").get(0).getAsString(), target);
            assertEquals("b", ops.get(1).getAsJsonObject().getAsJsonArray("op").get(0).getAsString(), target);
        } else if (target.endsWith("?version=1")) {
            assertEquals(1, json.get("version").getAsLong(), target);
            assertSameText(doc.first, json.get("text").getAsString(), target);
        } else if (target.startsWith("/api/docs/")) {
            assertEquals(2, json.get("version").getAsLong(), target);
            assertSameText(doc.head, json.get("text").getAsString(), target);
        } else {
            assertEquals(2, json.getAsJsonArray("docs").size(), target);
        }
        assertEquals(String.valueOf(body.length), contentLength, target + ": Content-Length");
    }

    /** Equal texts, or a failure that names the first unit that differs (not two 100,000-unit texts). */
    private static void assertSameText(String expected, String actual, String target) {
        int i = 0;
        while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) {
            i++;
        }
        if (i < expected.length() || i < actual.length()) {
            String got = actual.substring(i, Math.min(actual.length(), i + 8));
            String wanted = expected.substring(i, Math.min(expected.length(), i + 8));
            throw new AssertionError(target + ": the text differs at UTF-16 unit " + i + " (of " + expected.length()
                    + "): got \"" + got + "\", expected \"" + wanted + "\"; lengths " + actual.length() + " and " + expected.length());
        }
    }

    private static List<String> targets(Doc doc) {
        return List.of("/api/docs/" + doc.id, "/api/docs/" + doc.id + "?version=1", "/api/docs/" + doc.id + "/ops", "/api/docs");
    }

    @Test
    void longAstralTextsComeBackByteExactFromEveryEndpoint(@TempDir Path data) throws Exception {
        try (EditorServer server = EditorServer.builder().port(0).dataDir(data).build().start()) {
            URI base = server.uri();
            List<Doc> docs = new ArrayList<>();
            try (WsClient c = WsClient.hello(server.webSocketUri(), null, null, "Ann")) {
                docs.add(write(c, "even", text(2)));
                docs.add(write(c, "odd", text(1)));
            }

            // Alone, on fresh connections.
            for (Doc doc : docs) {
                for (String target : targets(doc)) {
                    RawHttp.Answer a = RawHttp.send(base, "GET", target);
                    check(doc, target, a.status(), a.body(), a.header("Content-Length"));
                }
            }

            // Many at once over kept-alive connections, so that the server's writes are cut
            // wherever the sockets allow and answers are written while others wait.
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            ExecutorService readers = Executors.newFixedThreadPool(64);
            try {
                List<Future<?>> reads = new ArrayList<>();
                for (int i = 0; i < 256; i++) {
                    Doc doc = docs.get(i % 2);
                    String target = targets(doc).get((i / 2) % 4);
                    reads.add(readers.submit(() -> {
                        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(base.resolve(target))
                                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
                        check(doc, target, r.statusCode(), r.body(), r.headers().firstValue("Content-Length").orElse(null));
                        return null;
                    }));
                }
                for (Future<?> read : reads) {
                    read.get(120, TimeUnit.SECONDS);
                }
            } finally {
                readers.shutdownNow();
            }
        }
    }
}
