package io.coedit.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The browser's OT engine ({@code web/js/text-operation.js}) against the shared vectors in
 * {@code conformance/text-ot.json}, in real Chromium: the same file the Java engine's
 * ConformanceTest runs, so the two engines cannot drift apart. One test per case, named
 * after it, and a first test that lists every failing case by name.
 */
class ConformanceInBrowserTest {
    /** Surefire runs in the module folder; the vectors live one level up. */
    private static final Path VECTORS = Path.of("..", "conformance", "text-ot.json");

    @TestFactory
    Stream<DynamicTest> everyVectorPassesInChromium() throws IOException {
        JsonArray results;
        List<String> consoleErrors;
        try (StaticSite site = StaticSite.start(); HeadlessChromium browser = HeadlessChromium.start()) {
            results = JsPage.results(browser, site.uri("/test/conformance.html"), "conformanceResults", "conformanceError");
            consoleErrors = browser.consoleErrors();
        }
        assertEquals(List.of(), consoleErrors, "errors in the browser console");

        List<String> expectedNames = new ArrayList<>();
        JsonObject file = JsonParser.parseString(Files.readString(VECTORS, StandardCharsets.UTF_8)).getAsJsonObject();
        for (JsonElement c : file.getAsJsonArray("cases")) {
            expectedNames.add(c.getAsJsonObject().get("name").getAsString());
        }
        List<String> ranNames = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (JsonElement r : results) {
            JsonObject result = r.getAsJsonObject();
            ranNames.add(result.get("name").getAsString());
            if (!result.get("passed").getAsBoolean()) {
                failures.add(result.get("name").getAsString() + ": " + result.get("message").getAsString());
            }
        }
        assertEquals(expectedNames, ranNames, "the browser must run every case of " + VECTORS + ", in order");

        DynamicTest summary = dynamicTest("all " + results.size() + " vectors pass", () -> {
            if (!failures.isEmpty()) {
                fail(failures.size() + " of " + results.size() + " vectors failed in Chromium:\n  "
                        + String.join("\n  ", failures));
            }
        });
        Stream<DynamicTest> perCase = ranNames.stream().map(name -> {
            JsonObject result = find(results, name);
            return dynamicTest(name, () -> {
                if (!result.get("passed").getAsBoolean()) {
                    fail(result.get("kind").getAsString() + " case failed: " + result.get("message").getAsString());
                }
            });
        });
        return Stream.concat(Stream.of(summary), perCase);
    }

    private static JsonObject find(JsonArray results, String name) {
        for (JsonElement r : results) {
            if (r.getAsJsonObject().get("name").getAsString().equals(name)) {
                return r.getAsJsonObject();
            }
        }
        throw new IllegalArgumentException(name);
    }
}
