package io.coedit.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The service worker's list of files to keep for offline loading names every file the
 * pages use, and only those: a missing one would break a reload without the server, a
 * stale one would stop the worker from installing at all.
 */
class ServiceWorkerShellTest {

    @Test
    void theOfflineShellListsEveryFileOfThePages() throws IOException, URISyntaxException {
        String worker;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("web/sw.js")) {
            assertNotNull(in, "web/sw.js");
            worker = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher list = Pattern.compile("const SHELL = \\[(.*?)];", Pattern.DOTALL).matcher(worker);
        assertEquals(true, list.find(), "sw.js has no SHELL list");
        Set<String> listed = new TreeSet<>();
        Matcher item = Pattern.compile("'([^']+)'").matcher(list.group(1));
        while (item.find()) {
            listed.add(item.group(1));
        }

        URL root = getClass().getClassLoader().getResource("web/index.html");
        assertNotNull(root, "web/index.html");
        Path web = Path.of(root.toURI()).getParent();
        Set<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(web)) {
            walk.filter(Files::isRegularFile).map(p -> "/" + web.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.equals("/sw.js"))
                    .map(p -> p.equals("/index.html") ? "/" : p)
                    .forEach(files::add);
        }
        assertEquals(files, listed, "SHELL in web/sw.js");
    }
}
