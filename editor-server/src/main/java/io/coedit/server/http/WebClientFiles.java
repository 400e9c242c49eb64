package io.coedit.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.util.MimeType;

/**
 * The web client's files, from the class path folder {@code web/}: {@code /} is
 * {@code web/index.html}. Each answer carries its length, and HEAD gets the same status and
 * headers as GET (Grizzly's static handler refused HEAD with 405 and sent larger files
 * without a length). Files are read on each request: they are small, and a cache would only
 * hold memory for a class path that never changes.
 */
final class WebClientFiles extends HttpHandler {
    /** Segments of letters, digits, '.', '_' and '-', none starting with '.'. */
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*/?");

    private final ClassLoader classLoader;

    WebClientFiles(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    @Override
    public void service(Request request, Response response) throws IOException {
        if (Reply.refusedUnlessGetOrHead(request, response)) {
            return;
        }
        String path = request.getDecodedRequestURI();
        if (path.endsWith("/")) {
            path += "index.html";
        }
        URL file = PATH.matcher(path).matches() ? classLoader.getResource("web" + path) : null;
        if (file == null || isFolder(file)) {
            Reply.error(404, "not_found", "no such file: " + request.getRequestURI()).send(response);
            return;
        }
        byte[] bytes;
        try (InputStream in = file.openStream()) {
            bytes = in.readAllBytes();
        }
        String type = MimeType.getByFilename(path);
        Reply.bytes(200, type != null ? type : "application/octet-stream", bytes).header("Cache-Control", "no-cache").send(response);
    }

    private static boolean isFolder(URL url) throws IOException {
        switch (url.getProtocol()) {
            case "file":
                try {
                    return Files.isDirectory(Path.of(url.toURI()));
                } catch (URISyntaxException e) {
                    return true;
                }
            case "jar":
                JarURLConnection jar = (JarURLConnection) url.openConnection();
                return jar.getJarEntry() == null || jar.getJarEntry().isDirectory();
            default:
                return true;
        }
    }
}
