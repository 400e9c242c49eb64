package io.coedit.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * {@code GET /d/{name}}: the web client's editor page ({@code web/editor.html} from the
 * web-client module). The page is the same for every document; it reads the name from its
 * own address.
 */
final class EditorPageHandler extends HttpHandler {
    private final byte[] page; // null when the web client is not on the class path

    EditorPageHandler(ClassLoader classLoader) {
        try (InputStream in = classLoader.getResourceAsStream("web/editor.html")) {
            page = in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read web/editor.html", e);
        }
    }

    @Override
    public void service(Request request, Response response) {
        if (Reply.refusedUnlessGetOrHead(request, response)) {
            return;
        }
        if (page == null) {
            Reply.error(404, "not_found", "the web client is not installed").send(response);
            return;
        }
        Reply.bytes(200, "text/html", page).header("Cache-Control", "no-cache").send(response);
    }
}
