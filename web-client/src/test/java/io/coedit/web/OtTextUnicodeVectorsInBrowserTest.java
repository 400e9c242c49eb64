package io.coedit.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The browser's OT engine against {@code conformance/ot-text-unicode-vectors.json}, the
 * results ot-text-unicode 4.0.0 itself computed for 10,000 random cases (apply, compose,
 * transform on both sides, invert, cursor and selection transform), in real Chromium: the
 * same file the Java engine's OtTextUnicodeVectorsTest replays.
 */
class OtTextUnicodeVectorsInBrowserTest {

    @Test
    void everyResultIsOtTextUnicodesInChromium() {
        JsonArray results;
        List<String> consoleErrors;
        try (StaticSite site = StaticSite.start(); HeadlessChromium browser = HeadlessChromium.start()) {
            results = JsPage.results(browser, site.uri("/test/ot-text-unicode.html"), "otTextUnicodeResults",
                    "otTextUnicodeError");
            consoleErrors = browser.consoleErrors();
        }
        assertEquals(List.of(), consoleErrors, "errors in the browser console");
        JsonObject summary = results.get(0).getAsJsonObject();
        int cases = summary.get("cases").getAsInt();
        assertTrue(cases >= 10_000, "at least 10,000 cases, ran " + cases);
        assertTrue(summary.get("checks").getAsInt() >= 100_000, "checks made: " + summary.get("checks"));
        List<String> failures = new ArrayList<>();
        for (JsonElement f : summary.getAsJsonArray("failures")) {
            failures.add(f.getAsString());
        }
        assertEquals(List.of(), failures, "results that differ from ot-text-unicode (the first 50 at most)");
    }
}
