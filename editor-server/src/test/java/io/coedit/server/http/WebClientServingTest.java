package io.coedit.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coedit.server.EditorServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web client's files come from the web-client module on the class path: the document
 * list at /, the editor at /d/{name} for any name, and the modules with a JavaScript type
 * (browsers refuse to run a module served as anything else).
 */
class WebClientServingTest {
    // HTTP/1.1 as browsers speak it here; the default h2c upgrade request gets Grizzly's static files without headers.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String type(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    @Test
    void servesThePagesAndTheirFiles(@TempDir Path data) throws Exception {
        try (EditorServer server = EditorServer.builder().port(0).dataDir(data).build().start()) {
            URI base = server.uri();

            HttpResponse<String> home = get(base, "/");
            assertEquals(200, home.statusCode());
            assertTrue(type(home).startsWith("text/html"), type(home));
            assertTrue(home.body().contains("/js/documents-page.js"), "the document list page");

            for (String doc : new String[] {"notes", "Team.plan_2026-01", "d%C3%A9j%C3%A0"}) {
                HttpResponse<String> editor = get(base, "/d/" + doc);
                assertEquals(200, editor.statusCode(), doc);
                assertTrue(type(editor).startsWith("text/html"), type(editor));
                assertTrue(editor.body().contains("/js/editor-page.js"), "the editor page for " + doc);
            }

            for (String module : new String[] {"/js/editor-page.js", "/js/text-operation.js", "/js/ot-client.js", "/sw.js"}) {
                HttpResponse<String> js = get(base, module);
                assertEquals(200, js.statusCode(), module);
                assertTrue(type(js).startsWith("text/javascript") || type(js).startsWith("application/javascript"),
                        module + " is served as " + type(js));
            }
            HttpResponse<String> css = get(base, "/css/app.css");
            assertEquals(200, css.statusCode());
            assertTrue(type(css).startsWith("text/css"), type(css));
            assertEquals(404, get(base, "/js/no-such-module.js").statusCode());
        }
    }
}
