package io.coedit.ot;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Replays {@code regressions.json} (next to this class in the test resources): every bug
 * the property tests or anyone else found, as a case in the conformance format
 * ({@code conformance/README.md}), so it stays fixed. Add a case there for each new bug,
 * with a {@code note} saying what went wrong.
 */
class RegressionTest {
    private static List<JsonObject> cases() throws IOException {
        try (InputStream in = RegressionTest.class.getResourceAsStream("regressions.json")) {
            assertNotNull(in, "regressions.json is missing from the test resources");
            return OpCases.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRegressionStaysFixed() throws IOException {
        List<JsonObject> cases = cases();
        assertFalse(cases.isEmpty(), "regressions.json has no cases");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("name").getAsString(), () -> OpCases.check(c)));
    }
}
