package io.coedit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of the server, read from its sources: ws/http → protocol → session → store.
 * The session knows no transport, and the wire has its own types, so what the WebSocket edge
 * and the codec handle is never a storage record.
 */
class LayeringTest {
    private static final Path SOURCES = Path.of("src/main/java/io/coedit/server");

    @Test
    void theSessionKnowsNoTransport() throws IOException {
        assertEquals(List.of(), mentions("session", "io.coedit.server.ws", "io.coedit.server.http",
                "io.coedit.server.protocol"));
    }

    @Test
    void theWireCarriesNoStorageType() throws IOException {
        assertEquals(List.of(), mentions("ws", "io.coedit.server.store"));
        assertEquals(List.of(), mentions("protocol", "io.coedit.server.store"));
        assertEquals(List.of(), mentions("http", "io.coedit.server.store"));
    }

    /** The files of {@code pkg} that name any of {@code packages}, with the line. */
    private static List<String> mentions(String pkg, String... packages) throws IOException {
        Path dir = SOURCES.resolve(pkg);
        assertTrue(Files.isDirectory(dir), "no sources at " + dir.toAbsolutePath());
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    for (String p : packages) {
                        if (line.contains(p + ".")) {
                            found.add(file.getFileName() + ": " + line.trim());
                        }
                    }
                }
            }
        }
        return found;
    }
}
