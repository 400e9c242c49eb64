package io.coedit.server.http;

import static io.coedit.server.ws.WsClient.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.coedit.ot.TextOperation;
import io.coedit.server.EditorServer;
import io.coedit.server.ws.WsClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edges of the HTTP side as a careful client reads them: odd paths, odd methods, HEAD, unwritten documents. */
class HttpEdgesTest {
    @TempDir
    static Path data;
    static EditorServer server;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        server = EditorServer.builder().port(0).dataDir(data).build().start();
        base = server.uri();
        try (WsClient c = WsClient.hello(server.webSocketUri(), null, null, "Ann")) {
            c.open("doc1");
            c.send(op("doc1", 0, 1, TextOperation.insert(0, "hello")));
            c.expect("ack");
            c.send(op("doc1", 1, 2, TextOperation.insert(5, " world")));
            c.expect("ack");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A JSON error answer: the status, the code, a message, and JSON's content type. */
    private static JsonObject assertError(int status, String code, RawHttp.Answer answer, String what) {
        assertEquals(status, answer.status(), what + ": " + answer);
        assertTrue(String.valueOf(answer.header("Content-Type")).startsWith("application/json"), what + ": " + answer);
        assertEquals(String.valueOf(answer.body().length), answer.header("Content-Length"), what);
        JsonObject json = answer.json();
        assertEquals(code, json.get("code").getAsString(), what + ": " + answer);
        assertTrue(json.get("message").getAsString().length() > 10, what + ": " + answer);
        return json;
    }

    @Test
    void aNeverEditedDocumentIsVersionZeroAndEmpty() throws Exception {
        for (String target : List.of("/api/docs/never-edited", "/api/docs/never-edited?version=0")) {
            RawHttp.Answer a = RawHttp.send(base, "GET", target);
            assertEquals(200, a.status(), target + ": " + a);
            JsonObject json = a.json();
            assertEquals("never-edited", json.get("id").getAsString());
            assertEquals(0, json.get("version").getAsLong(), target);
            assertEquals("", json.get("text").getAsString(), target);
        }
        JsonObject ahead = assertError(404, "not_found", RawHttp.send(base, "GET", "/api/docs/never-edited?version=1"), "beyond the head");
        assertTrue(ahead.get("message").getAsString().contains("version 1"), ahead.toString());
        assertError(404, "not_found", RawHttp.send(base, "GET", "/api/docs/doc1?version=3"), "beyond the head of an edited document");

        JsonObject zero = RawHttp.send(base, "GET", "/api/docs/doc1?version=0").json();
        assertEquals(0, zero.get("version").getAsLong());
        assertEquals("", zero.get("text").getAsString());
        assertEquals(0, RawHttp.send(base, "GET", "/api/docs/never-edited/ops").json().getAsJsonArray("ops").size());

        // Reading it created nothing, and the socket agrees: version 0, empty.
        assertEquals(1, RawHttp.send(base, "GET", "/api/docs").json().getAsJsonArray("docs").size());
        try (WsClient c = WsClient.hello(server.webSocketUri(), null, null, "Bo")) {
            JsonObject opened = c.open("never-edited-too");
            assertEquals(0, opened.get("version").getAsLong(), opened.toString());
            assertEquals("", opened.get("text").getAsString(), opened.toString());
        }
    }

    @Test
    void healthAndMetricsAnswerOnlyGetAndHead() throws Exception {
        for (String path : List.of("/healthz", "/metrics")) {
            for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
                String[] headers = method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
                        ? new String[] {"Content-Length: 0"} : new String[0];
                RawHttp.Answer a = RawHttp.send(base, method, path, headers);
                assertError(405, "method_not_allowed", a, method + " " + path);
                assertEquals("GET, HEAD", a.header("Allow"), method + " " + path);
            }
            assertEquals(200, RawHttp.send(base, "GET", path).status(), path);
        }
        RawHttp.Answer post = RawHttp.send(base, "POST", "/api/docs", "Content-Length: 0");
        assertError(405, "method_not_allowed", post, "POST /api/docs");
        assertEquals("GET, HEAD", post.header("Allow"));
    }

    @Test
    void headIsGetWithoutTheBodyOnEveryRoute() throws Exception {
        List<String> targets = List.of("/", "/index.html", "/d/doc1", "/api/docs", "/api/docs/doc1", "/api/docs/doc1?version=1",
                "/api/docs/doc1/ops", "/api/docs/never-edited", "/healthz", "/metrics",
                // and errors
                "/api/docs/-not-an-id", "/api/docs/doc1?version=9", "/api/docs/doc1?version=x", "/api/nothing", "/no-such-file");
        for (String target : targets) {
            RawHttp.Answer get = RawHttp.send(base, "GET", target);
            RawHttp.Answer head = RawHttp.send(base, "HEAD", target);
            assertEquals(get.status(), head.status(), target + ": " + get + " / " + head);
            assertArrayEquals(new byte[0], head.body(), target);
            Map<String, String> getHeaders = new HashMap<>(get.headers());
            Map<String, String> headHeaders = new HashMap<>(head.headers());
            getHeaders.remove("date");
            headHeaders.remove("date");
            assertNotNull(get.header("Content-Length"), target + " answers GET with its length: " + get);
            assertEquals(String.valueOf(get.body().length), get.header("Content-Length"), target);
            if (target.equals("/metrics")) { // the counters move between two scrapes; the headers' names do not
                assertEquals(getHeaders.keySet(), headHeaders.keySet(), target);
            } else {
                assertEquals(getHeaders, headHeaders, target);
            }
        }
    }

    @Test
    void malformedPathsGet400WithAJsonError() throws Exception {
        List<String> targets = List.of(
                "/api/docs/a%2fb", "/api/docs/a%2Fb", "/%2f", // an encoded slash
                "/api/docs/a%00b", "/%00", "/d/x%00", // an encoded NUL
                "/api/docs/%zz", "/api/docs/a%2", "/api/docs/a%", "/%g0", // bad percent-encoding
                "/api/docs/%c3%28", "/%ff", // not UTF-8 once decoded
                "/..", "/../etc/passwd", "/api/../../x", "/d/%2e%2e/%2e%2e/x", "/api/docs/..%2f..%2f"); // above the root
        for (String target : targets) {
            for (String method : List.of("GET", "HEAD")) {
                RawHttp.Answer a = RawHttp.send(base, method, target);
                if (method.equals("HEAD")) {
                    assertEquals(400, a.status(), method + " " + target + ": " + a);
                    assertArrayEquals(new byte[0], a.body());
                } else {
                    assertError(400, "bad_path", a, method + " " + target);
                }
            }
        }
        // A query with bad percent-encoding is refused too, rather than read as no query.
        assertError(400, "bad_path", RawHttp.send(base, "GET", "/api/docs/doc1?version=%zz"), "bad query");
        // ".." inside the root is only a longer way to say a path.
        assertEquals("hello world", RawHttp.send(base, "GET", "/api/x/../docs/doc1").json().get("text").getAsString());
        assertEquals(200, RawHttp.send(base, "GET", "/healthz").status(), "still serving");
    }

    /**
     * Grizzly's HTTP codec refuses these before any filter or handler of ours sees them; what it
     * answers is pinned here (and documented): 400, no body, the connection closed.
     */
    @Test
    void anOversizedRequestHeadGetsGrizzlysEmpty400() throws Exception {
        assertGrizzlyRefusal(400, RawHttp.send(base, "GET", "/api/docs", "X-Padding: " + "a".repeat(20_000)), "a 20 KB header");
        assertGrizzlyRefusal(400, RawHttp.send(base, "GET", "/api/docs/" + "a".repeat(20_000)), "a 20 KB request line");
        assertGrizzlyRefusal(400, RawHttp.send(base, "GET", "/api/docs", manyHeaders()), "many small headers");
        assertGrizzlyRefusal(400, RawHttp.send(base, "GET", "/healthz", "Content-Length: abc"), "a malformed length");
        // (the request line ends early, and the version RawHttp appends becomes a header's value)
        assertGrizzlyRefusal(505, RawHttp.send(base, "GET", "/healthz HTTP/9.9\r\nX-Old:"), "HTTP/9.9");
        assertEquals(200, RawHttp.send(base, "GET", "/healthz").status(), "still serving");
    }

    private static void assertGrizzlyRefusal(int status, RawHttp.Answer answer, String what) {
        assertEquals(status, answer.status(), what + ": " + answer);
        assertEquals("0", answer.header("Content-Length"), what + ": " + answer);
        assertArrayEquals(new byte[0], answer.body(), what);
    }

    private static String[] manyHeaders() {
        String[] lines = new String[400];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = "X-H" + i + ": " + i;
        }
        return lines;
    }
}
