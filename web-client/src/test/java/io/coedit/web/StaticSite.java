package io.coedit.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A file server for browser tests that need no editor-server: ES modules do not load from
 * {@code file:} pages, so the modules are served over HTTP on a free loopback port.
 * <pre>
 *   /conformance/...   the repository's conformance/ folder (the shared vectors)
 *   /test/...          the classpath folder web-test/ (test pages and JavaScript tests)
 *   /...               the classpath folder web/ (what editor-server serves)
 * </pre>
 */
public final class StaticSite implements AutoCloseable {
    /** Surefire runs in the module folder; the shared vectors live one level up. */
    private static final Path CONFORMANCE = Path.of("..", "conformance");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json; charset=utf-8",
            "svg", "image/svg+xml");

    private final HttpServer server;

    private StaticSite(HttpServer server) {
        this.server = server;
    }

    public static StaticSite start() {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", StaticSite::serve);
        server.start();
        return new StaticSite(server);
    }

    /** The address of {@code path}, e.g. {@code uri("/test/unit.html")}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = path.contains("..") ? null : read(path);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String extension = path.substring(path.lastIndexOf('.') + 1);
            exchange.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(extension, "application/octet-stream"));
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static byte[] read(String path) throws IOException {
        if (path.startsWith("/conformance/")) {
            Path file = CONFORMANCE.resolve(path.substring("/conformance/".length()));
            return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
        }
        String resource = path.startsWith("/test/") ? "web-test/" + path.substring("/test/".length())
                : "web" + (path.equals("/") ? "/index.html" : path);
        try (InputStream in = StaticSite.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
