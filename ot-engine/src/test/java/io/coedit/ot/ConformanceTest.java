package io.coedit.ot;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the shared vectors in {@code conformance/text-ot.json} (at the repository root, so
 * every engine reads the same file) against this engine, one dynamic test per case. See
 * {@code conformance/README.md} for the format and {@link ConformanceVectorsGenerator} for
 * where the file comes from.
 */
class ConformanceTest {
    /** Surefire runs in the module folder; the vectors live one level up. */
    private static final Path VECTORS = Path.of("..", "conformance", "text-ot.json");

    private static List<JsonObject> cases() throws IOException {
        return OpCases.read(Files.readString(VECTORS, StandardCharsets.UTF_8));
    }

    @TestFactory
    Stream<DynamicTest> everyVectorPasses() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.get("name").getAsString(), () -> OpCases.check(c)));
    }

    /** Guards against a truncated or accidentally emptied file, which would pass vacuously. */
    @Test
    void everyKindIsCovered() throws IOException {
        Map<String, Integer> perKind = new HashMap<>();
        for (JsonObject c : cases()) {
            perKind.merge(c.get("kind").getAsString(), 1, Integer::sum);
        }
        for (String kind : List.of("apply", "normalize", "compose", "transform", "invert", "transformPosition", "invalid")) {
            assertTrue(perKind.getOrDefault(kind, 0) >= 5, "too few '" + kind + "' vectors: " + perKind);
        }
    }
}
