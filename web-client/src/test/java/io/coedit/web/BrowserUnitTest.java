package io.coedit.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The JavaScript tests of {@code web-test/unit/} run in Chromium, one JUnit test each:
 * random-operation properties of the engine against a naive model, the three-state client
 * case for case with the Java OtClientTest, the textarea diff, stored unsent edits, and the
 * shared document against a simulated server with delays, drops and page reloads.
 */
class BrowserUnitTest {

    @TestFactory
    Stream<DynamicTest> javaScriptTestsPassInChromium() {
        JsonArray results;
        List<String> consoleErrors;
        try (StaticSite site = StaticSite.start(); HeadlessChromium browser = HeadlessChromium.start()) {
            results = JsPage.results(browser, site.uri("/test/unit.html"), "unitResults", "unitError");
            consoleErrors = browser.consoleErrors();
        }
        assertEquals(List.of(), consoleErrors, "errors in the browser console");
        assertTrue(results.size() >= 25, "too few JavaScript tests ran: " + results.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement r : results) {
            JsonObject result = r.getAsJsonObject();
            tests.add(dynamicTest(result.get("name").getAsString(), () -> {
                if (!result.get("passed").getAsBoolean()) {
                    fail(result.get("message").getAsString());
                }
            }));
        }
        return tests.stream();
    }
}
