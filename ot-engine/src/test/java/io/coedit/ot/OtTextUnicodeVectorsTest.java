package io.coedit.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.json.OpJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Replays {@code conformance/ot-text-unicode-vectors.json}: random documents and operations
 * (astral characters, combining marks, ZWJ sequences, CJK; every order of inserts and
 * deletes) with the results ot-text-unicode 4.0.0 itself computed for apply, compose,
 * transform on both sides, invert and cursor and selection transform. This engine must
 * give the same JSON, not just the same text. The file is written by
 * {@code conformance/generator/generate.js}; this test needs only the file.
 */
class OtTextUnicodeVectorsTest {
    /** Surefire runs in the module folder; the vectors live one level up. */
    private static final Path VECTORS = Path.of("..", "conformance", "ot-text-unicode-vectors.json");
    private static final OpJson JSON = OpJson.standard();

    @Test
    void everyResultIsOtTextUnicodes() throws IOException {
        JsonObject file = JsonParser.parseString(Files.readString(VECTORS, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonArray cases = file.getAsJsonArray("cases");
        assertTrue(cases.size() >= 10_000, "at least 10,000 cases, found " + cases.size());
        List<String> failures = new ArrayList<>();
        int checks = 0;
        for (int k = 0; k < cases.size(); k++) {
            JsonObject c = cases.get(k).getAsJsonObject();
            String doc = c.get("doc").getAsString();
            TextOperation a = JSON.fromJson(c.get("a"));
            TextOperation b = JSON.fromJson(c.get("b"));
            TextOperation after = JSON.fromJson(c.get("c"));
            List<String> wrong = new ArrayList<>();
            checks += same(wrong, "apply", c.get("apply").getAsString(), () -> a.apply(doc));
            checks += same(wrong, "applyB", c.get("applyB").getAsString(), () -> b.apply(doc));
            checks += same(wrong, "compose", c.get("compose"), () -> JSON.toJsonTree(TextOperation.compose(a, after)));
            checks += same(wrong, "left", c.get("left"), () -> JSON.toJsonTree(TextOperation.transform(a, b, Side.LEFT)));
            checks += same(wrong, "right", c.get("right"), () -> JSON.toJsonTree(TextOperation.transform(a, b, Side.RIGHT)));
            checks += same(wrong, "invert", c.get("invert"), () -> JSON.toJsonTree(TextOperation.invert(a, doc)));
            JsonArray positions = c.getAsJsonArray("pos");
            JsonArray moved = c.getAsJsonArray("posAfter");
            for (int p = 0; p < positions.size(); p++) {
                int position = positions.get(p).getAsInt();
                checks += same(wrong, "transformPosition(" + position + ")", moved.get(p).getAsInt(),
                        () -> a.transformPosition(position, Side.LEFT));
            }
            JsonArray sel = c.getAsJsonArray("sel");
            JsonArray selAfter = c.getAsJsonArray("selAfter");
            checks += same(wrong, "transformSelection", List.of(selAfter.get(0).getAsInt(), selAfter.get(1).getAsInt()), () -> {
                Selection s = a.transformSelection(new Selection(sel.get(0).getAsInt(), sel.get(1).getAsInt()), Side.LEFT);
                return List.of(s.anchor(), s.head());
            });
            if (!wrong.isEmpty()) {
                failures.add("case " + k + " " + c + ":\n      " + String.join("\n      ", wrong));
            }
        }
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())),
                failures.size() + " of " + cases.size() + " cases differ from ot-text-unicode (first 20 shown)");
        assertTrue(checks >= 100_000, "checks made: " + checks);
    }

    private static int same(List<String> wrong, String what, Object expected, Supplier<Object> actual) {
        try {
            Object got = actual.get();
            if (!expected.equals(got)) {
                wrong.add(what + ": ot-text-unicode " + expected + ", this engine " + got);
            }
        } catch (RuntimeException e) {
            wrong.add(what + ": ot-text-unicode " + expected + ", this engine threw " + e);
        }
        return 1;
    }
}
