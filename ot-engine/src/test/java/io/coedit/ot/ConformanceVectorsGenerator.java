package io.coedit.ot;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.coedit.ot.json.OpJson;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@code conformance/text-ot.json}, the operation test vectors every coedit engine
 * (this one, and the JavaScript one to come) must pass. Run by hand after changing the
 * cases below; see {@code conformance/README.md}:
 * <pre>
 *   mvn -B -q -o -pl ot-engine test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.coedit.ot.ConformanceVectorsGenerator
 * </pre>
 * An optional argument names the output file; by default it is found by walking up from
 * the working directory to the folder that holds {@code conformance/}.
 *
 * <p>Expected values: documents come from {@link ReferenceText} (the naive model), never
 * from the engine; operations (compose, transform, invert results) and canonical forms
 * come from the engine, since the model has no operation-valued answers. Every
 * hand-written case also states the answer its author expects, and the generator stops if
 * the computed one differs. Before writing, every case runs through {@link OpCases#check},
 * which cross-checks the operation-valued answers semantically against the model, so a
 * wrong answer cannot be written down.
 *
 * <p>The random cases come from a fixed seed, so running the generator again rewrites the
 * same file unless the cases or the engine changed.
 */
public final class ConformanceVectorsGenerator {
    private static final long RANDOM_SEED = 0x636f65646974L; // "coedit"
    private static final OpJson JSON = OpJson.standard();

    private final List<JsonObject> cases = new ArrayList<>();

    private ConformanceVectorsGenerator() {}

    public static void main(String[] args) throws IOException {
        Path out = args.length > 0 ? Path.of(args[0]) : findConformanceDir().resolve("text-ot.json");
        ConformanceVectorsGenerator g = new ConformanceVectorsGenerator();
        g.handWritten();
        g.random(150);
        for (JsonObject c : g.cases) {
            try {
                OpCases.check(c);
            } catch (AssertionError | RuntimeException e) {
                throw new IllegalStateException("case " + c.get("name") + " fails its own check: " + e.getMessage(), e);
            }
        }
        Files.writeString(out, g.render(), StandardCharsets.UTF_8);
        System.out.println("wrote " + g.cases.size() + " cases to " + out.toAbsolutePath().normalize());
    }

    private static Path findConformanceDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("conformance")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir.resolve("conformance");
            }
        }
        throw new IllegalStateException("no conformance/ folder above " + Path.of("").toAbsolutePath());
    }

    // ----------------------------------------------------------------------------------
    // The hand-chosen cases. Op items: an int retains, a String inserts, d(n) deletes.

    private void handWritten() {
        // apply: documents computed by the reference model
        apply("apply: no-op on the empty document", "", op(), "");
        apply("apply: insert into the empty document", "", op("hello"), "hello");
        apply("apply: insert at the start", "abc", op("X"), "Xabc");
        apply("apply: insert at the end", "abc", op(3, "X"), "abcX");
        apply("apply: delete at the start", "abc", op(d(1)), "bc");
        apply("apply: delete at the end", "abc", op(2, d(1)), "ab");
        apply("apply: delete everything", "abc", op(d(3)), "");
        apply("apply: replace everything", "abc", op("xyz", d(3)), "xyz");
        apply("apply: what the op does not reach is kept", "abcdef", op(1, "X", d(1)), "aXcdef");
        apply("apply: an astral code point is one position", "a😀b", op(1, d(1)), "ab");
        apply("apply: retain counts astral code points once", "😀😀c", op(2, "X"), "😀😀Xc");
        apply("apply: insert astral text", "ab", op(1, "𝒳😀"), "a𝒳😀b");
        apply("apply: a combining mark is a code point of its own", "e\u0301x", op(1, d(1)), "ex");
        apply("apply: insert between a letter and its combining mark", "e\u0301", op(1, "X"), "eX\u0301");
        apply("apply: a ZWJ emoji sequence is five code points", "👨‍👩‍👧!", op(d(5)), "!");
        apply("apply: CJK", "中文字", op(1, "国", d(1)), "中国字");
        apply("apply: a flag is two regional indicators", "🇫🇷🇩🇪", op(2, d(2)), "🇫🇷");
        apply("apply: JSON-special characters in an insert", "", op("\"q\"\\\n\t\u0001\u2028"), "\"q\"\\\n\t\u0001\u2028");
        apply("apply: a non-canonical op means the same as its canonical form", "abcdef",
                op(1, 1, d(1), d(1), "X", "Y", 1), "abXYef");

        // normalize: the normal form (ot-text-unicode's) a parser must return
        normalize("normalize: neighbours of one kind merge", op(1, 2, "a", "b", d(1), d(2)), op(3, "ab", d(3)));
        normalize("normalize: an insert after a delete stays after it", op(d(2), "x"), op(d(2), "x"),
                "[{d:2},\"x\"] and [\"x\",{d:2}] give one text but tie differently with a concurrent insert at 2");
        normalize("normalize: inserts around a delete stay on their sides", op("a", d(1), "b"), op("a", d(1), "b"));
        normalize("normalize: delete, insert, delete", op(d(1), "x", d(1)), op(d(1), "x", d(1)));
        normalize("normalize: only neighbours merge", op(d(1), "x", "y", d(1), d(1), "z"), op(d(1), "xy", d(2), "z"));
        normalize("normalize: a trailing retain is dropped", op(2, "x", 3), op(2, "x"));
        normalize("normalize: only retains is the no-op", op(4, 1), op());
        normalize("normalize: the empty array is the no-op", op(), op());
        JsonArray wholeWithFraction = new JsonArray();
        wholeWithFraction.add(new JsonPrimitive(new BigDecimal("2.0")));
        wholeWithFraction.add("x");
        normalize("normalize: a whole number written as 2.0 is a count", wholeWithFraction, op(2, "x"),
                "JSON does not distinguish 2.0 from 2 (JavaScript's JSON.parse cannot), so neither may a parser");

        // compose
        compose("compose: insert then delete it cancels out", "", op("abc"), op(d(3)), op());
        compose("compose: two inserts", "", op("ab"), op(2, "c"), op("abc"));
        compose("compose: delete then insert at the same place", "abc", op(1, d(1)), op(1, "X"), op(1, "X", d(1)));
        compose("compose: a delete across inserted and original text", "abc", op(1, "XY"), op(2, d(2)),
                op(1, "X", d(1)));
        compose("compose: deletes add up", "abc", op(d(1)), op(d(1)), op(d(2)));
        compose("compose: the second op reaches past the first", "abc", op(1, "X"), op(3, "Y"), op(1, "X", 1, "Y"));
        compose("compose: with the no-op first", "abc", op(), op(1, "X"), op(1, "X"));
        compose("compose: with the no-op second", "abc", op(1, "X"), op(), op(1, "X"));
        compose("compose: astral insert deleted again", "😀😀", op(1, "𝒳"), op(1, d(1)), op());
        compose("compose: replace then replace", "abc", op("X", d(3)), op("Y", d(1)), op("Y", d(3)));
        compose("compose: a delete inside an earlier insert", "", op("hello"), op(1, d(3)), op("ho"));

        // transform(op, other, side): op rewritten to apply after other
        transform("transform: same-place inserts, left goes first", "", op("a"), op("b"), Side.LEFT, op("a"));
        transform("transform: same-place inserts, right goes second", "", op("a"), op("b"), Side.RIGHT, op(1, "a"));
        transform("transform: same-place inserts at the end, left", "xy", op(2, "a"), op(2, "b"), Side.LEFT,
                op(2, "a"));
        transform("transform: same-place inserts at the end, right", "xy", op(2, "a"), op(2, "b"), Side.RIGHT,
                op(3, "a"));
        transform("transform: same-place astral inserts, right", "", op("😀"), op("𝒳"), Side.RIGHT, op(1, "😀"));
        transform("transform: an insert after a delete moves back", "abcde", op(3, "X"), op(d(2)), Side.LEFT,
                op(1, "X"));
        transform("transform: an insert inside a deleted range survives at its start, left", "abcde", op(2, "X"),
                op(1, d(3)), Side.LEFT, op(1, "X"));
        transform("transform: an insert inside a deleted range survives at its start, right", "abcde", op(2, "X"),
                op(1, d(3)), Side.RIGHT, op(1, "X"));
        transform("transform: an insert at the start of a deleted range", "abcd", op(1, "X"), op(1, d(2)),
                Side.RIGHT, op(1, "X"));
        transform("transform: an insert at the end of a deleted range", "abcd", op(3, "X"), op(1, d(2)), Side.LEFT,
                op(1, "X"));
        transform("transform: overlapping deletes", "abcdef", op(1, d(3)), op(2, d(3)), Side.LEFT, op(1, d(1)));
        transform("transform: overlapping deletes, the other way round", "abcdef", op(2, d(3)), op(1, d(3)),
                Side.RIGHT, op(1, d(1)));
        transform("transform: identical deletes leave nothing", "abc", op(1, d(1)), op(1, d(1)), Side.LEFT, op());
        transform("transform: a delete containing the other", "abcdef", op(1, d(4)), op(2, d(1)), Side.LEFT,
                op(1, d(3)));
        transform("transform: a delete contained in the other", "abcdef", op(2, d(1)), op(1, d(4)), Side.LEFT,
                op());
        transform("transform: a delete across the other's insert keeps it", "abcd", op(1, d(2)), op(2, "X"),
                Side.LEFT, op(1, d(1), 1, d(1)));
        transform("transform: replace against replace of the same range, left", "ab", op("X", d(2)),
                op("Y", d(2)), Side.LEFT, op("X"));
        transform("transform: replace against replace of the same range, right", "ab", op("X", d(2)),
                op("Y", d(2)), Side.RIGHT, op(1, "X"));
        transform("transform: same-place inserts, one also deletes, left", "abc", op("X", d(2)), op("Y"),
                Side.LEFT, op("X", 1, d(2)));
        transform("transform: same-place inserts, one also deletes, right", "abc", op("X", d(2)), op("Y"),
                Side.RIGHT, op(1, "X", d(2)));
        transform("transform: the other's replace inside this delete", "abcdef", op(1, d(4)),
                op(2, "XY", d(1)), Side.LEFT, op(1, d(1), 2, d(2)));
        transform("transform: the no-op against an edit", "abc", op(), op(1, "X"), Side.LEFT, op());
        transform("transform: an edit against the no-op", "abc", op(1, "X"), op(), Side.RIGHT, op(1, "X"));
        transform("transform: an edit beyond the other's reach", "abcdef", op(5, "X"), op("ab"), Side.LEFT,
                op(7, "X"));
        transform("transform: astral positions", "😀😀😀", op(1, "a"), op(d(1)), Side.LEFT, op("a"));
        transform("transform: an insert before a combining mark whose letter is deleted", "e\u0301", op(1, "X"),
                op(d(1)), Side.LEFT, op("X"));
        transform("transform: several edits each", "abcdefgh", op("1", 2, d(2), "2", 2, "3"),
                op(1, d(2), "x", 3, d(1)), Side.LEFT, op("1", 2, d(1), "2", 2, "3"));
        transform("transform: delete then insert, against an insert at the end of the range, right", "abc",
                op(1, d(1), "X"), op(2, "Y"), Side.RIGHT, op(1, d(1), 1, "X"),
                "ot-text-unicode's answer: \"aYXc\". Moving X in front of the delete would give \"aXYc\"");
        transform("transform: delete then insert, against an insert at the end of the range, left", "abc",
                op(1, d(1), "X"), op(2, "Y"), Side.LEFT, op(1, d(1), "X"));
        transform("transform: an insert at the end of the other's delete-then-insert, left", "abc", op(2, "Y"),
                op(1, d(1), "X"), Side.LEFT, op(1, "Y"));
        transform("transform: insert then delete, against an insert at the end of the range, right", "abc",
                op(1, "X", d(1)), op(2, "Y"), Side.RIGHT, op(1, "X", d(1)));

        // invert(op, doc)
        invert("invert: an insert becomes a delete", "abc", op(1, "XY"), op(1, d(2)));
        invert("invert: a delete puts the text back", "a😀b", op(1, d(1)), op(1, "😀"));
        invert("invert: a replace", "abc", op("X", d(2)), op(d(1), "ab"));
        invert("invert: a delete-then-insert replace", "abc", op(d(2), "X"), op("ab", d(1)));
        invert("invert: the no-op", "abc", op(), op());
        invert("invert: delete everything", "e\u0301中", op(d(3)), op("e\u0301中"));
        invert("invert: several edits", "abcdef", op("X", 1, d(2), 2, "Y"), op(d(1), 1, "bc", 2, d(1)));

        // transformPosition(pos, side) of a caret in code points
        position("position: before an insert it stays", "abcd", op(2, "XY"), 1, Side.LEFT, 1);
        position("position: at an insert, left keeps it before", "abcd", op(2, "XY"), 2, Side.LEFT, 2);
        position("position: at an insert, right moves it after", "abcd", op(2, "XY"), 2, Side.RIGHT, 4);
        position("position: after an insert it shifts", "abcd", op(2, "XY"), 3, Side.LEFT, 5);
        position("position: inside a delete it moves to the start, left", "abcdef", op(1, d(3)), 2, Side.LEFT, 1);
        position("position: inside a delete it moves to the start, right", "abcdef", op(1, d(3)), 2, Side.RIGHT,
                1);
        position("position: at the start of a delete it stays", "abcdef", op(1, d(3)), 1, Side.RIGHT, 1);
        position("position: at the end of a delete it moves to the start", "abcdef", op(1, d(3)), 4, Side.LEFT, 1);
        position("position: after a delete it shifts back", "abcdef", op(1, d(3)), 5, Side.LEFT, 2);
        position("position: inside a replaced range it lands after the new text", "abcdef", op(1, "XY", d(3)), 2,
                Side.LEFT, 3);
        position("position: at the start of a replaced range, left", "abcdef", op(1, "XY", d(3)), 1, Side.LEFT, 1);
        position("position: at the start of a replaced range, right", "abcdef", op(1, "XY", d(3)), 1, Side.RIGHT,
                3);
        position("position: at the end of a replaced range", "abcdef", op(1, "XY", d(3)), 4, Side.LEFT, 3);
        position("position: inside a range deleted before an insert, right", "abcdef", op(1, d(3), "XY"), 2,
                Side.RIGHT, 1);
        position("position: at the end of a range deleted before an insert, left", "abcdef", op(1, d(3), "XY"), 4,
                Side.LEFT, 1);
        position("position: at the end of a range deleted before an insert, right", "abcdef", op(1, d(3), "XY"), 4,
                Side.RIGHT, 3);
        position("position: past the end of the document", "abc", op(1, "X"), 10, Side.LEFT, 11);
        position("position: 0 with an insert at 0, left", "ab", op("X"), 0, Side.LEFT, 0);
        position("position: 0 with an insert at 0, right", "ab", op("X"), 0, Side.RIGHT, 1);
        position("position: at the end with an insert there, right", "ab", op(2, "X"), 2, Side.RIGHT, 3);
        position("position: counts code points, not UTF-16 units", "😀😀", op(1, d(1)), 2, Side.LEFT, 1);
        position("position: an astral insert moves it by one", "ab", op(1, "😀"), 2, Side.LEFT, 3);
        position("position: the no-op keeps it", "ab", op(), 1, Side.RIGHT, 1);

        // invalid on the wire: a parser must reject these
        invalidParse("invalid: zero retain", "[0]", "zero-count", 0);
        invalidParse("invalid: negative retain", "[1,-2]", "negative-count", 1);
        invalidParse("invalid: negative zero", "[-0]", "zero-count", 0);
        invalidParse("invalid: fractional retain", "[1.5]", "fractional-count", 0);
        invalidParse("invalid: fractional retain written with an exponent", "[1e-1]", "fractional-count", 0);
        invalidParse("invalid: zero delete", "[{\"d\":0}]", "zero-count", 0);
        invalidParse("invalid: negative delete", "[{\"d\":-1}]", "negative-count", 0);
        invalidParse("invalid: fractional delete", "[3,{\"d\":2.5}]", "fractional-count", 1);
        invalidParse("invalid: count above 2^31-1", "[2147483648,\"x\"]", "count-too-large", 0);
        invalidParse("invalid: an unknown key besides d", "[{\"d\":1,\"x\":1}]", "unknown-key", 0);
        invalidParse("invalid: an unknown key instead of d", "[{\"del\":1}]", "unknown-key", 0);
        invalidParse("invalid: an empty delete object", "[{}]", "missing-count", 0);
        invalidParse("invalid: a delete count written as a string", "[{\"d\":\"1\"}]", "bad-count-type", 0);
        invalidParse("invalid: an empty insert", "[1,\"\"]", "empty-insert", 1);
        invalidParse("invalid: a lone high surrogate", "[\"\\ud800\"]", "lone-surrogate", null);
        invalidParse("invalid: a lone low surrogate", "[\"a\\udc00b\"]", "lone-surrogate", null);
        invalidParse("invalid: surrogates in the wrong order", "[\"\\ude00\\ud83d\"]", "lone-surrogate", null);
        invalidParse("invalid: null item", "[null]", "bad-item", 0);
        invalidParse("invalid: boolean item", "[2,true]", "bad-item", 1);
        invalidParse("invalid: nested array", "[[1]]", "bad-item", 0);
        invalidParse("invalid: an object, not an array", "{\"d\":1}", "not-array", null);
        invalidParse("invalid: a string, not an array", "\"abc\"", "not-array", null);
        invalidParse("invalid: malformed JSON", "[1,", "malformed-json", null);
        invalidParse("invalid: content after the array", "[1] [2]", "malformed-json", null);

        // invalid for a document: well-formed, but applying must fail
        invalidApply("invalid: retain past the end", "abc", op(4, "x"), "retain-past-end");
        invalidApply("invalid: a trailing retain past the end", "ab", op(3), "retain-past-end");
        invalidApply("invalid: a trailing retain of 2^31-1", "ab", op(Integer.MAX_VALUE), "retain-past-end");
        invalidApply("invalid: a trailing retain past the end after an insert", "abc", op(1, "x", 3), "retain-past-end");
        invalidApply("invalid: delete past the end", "abc", op(2, d(2)), "delete-past-end");
        invalidApply("invalid: delete on the empty document", "", op(d(1)), "delete-past-end");
        invalidApply("invalid: an astral character is one code point, not two", "😀", op(d(2)), "delete-past-end");
        invalidApply("invalid: retain counts code points, not UTF-16 units", "😀", op(2, "x"), "retain-past-end");
        invalidApply("invalid: a lone surrogate in the document", "a\ud800", op(1, "x"),
                "lone-surrogate-in-document");
    }

    // ----------------------------------------------------------------------------------
    // Random cases: small documents, so that edits collide often.

    private void random(int count) {
        RandomOps gen = new RandomOps(RANDOM_SEED);
        String[] kinds = {"apply", "compose", "transform", "transform", "invert", "transformPosition"};
        for (int k = 1; k <= count; k++) {
            String kind = kinds[gen.nextInt(kinds.length)];
            String doc = gen.text(gen.between(0, 16));
            int length = ReferenceText.length(doc);
            TextOperation a = gen.op(length);
            JsonObject c = newCase("random " + kind + " " + k, kind);
            c.addProperty("doc", doc);
            c.add("op", JSON.toJsonTree(a));
            switch (kind) {
                case "apply" -> c.addProperty("expected", ReferenceText.apply(doc, a));
                case "compose" -> {
                    TextOperation b = gen.op(ReferenceText.length(ReferenceText.apply(doc, a)));
                    c.add("other", JSON.toJsonTree(b));
                    c.add("expected", JSON.toJsonTree(TextOperation.compose(a, b)));
                }
                case "transform" -> {
                    TextOperation b = gen.op(length);
                    Side side = gen.chance(0.5) ? Side.LEFT : Side.RIGHT;
                    c.add("other", JSON.toJsonTree(b));
                    c.addProperty("side", side == Side.LEFT ? "left" : "right");
                    c.add("expected", JSON.toJsonTree(TextOperation.transform(a, b, side)));
                }
                case "invert" -> c.add("expected", JSON.toJsonTree(TextOperation.invert(a, doc)));
                default -> {
                    int pos = gen.between(0, length + 1);
                    Side side = gen.chance(0.5) ? Side.LEFT : Side.RIGHT;
                    c.addProperty("pos", pos);
                    c.addProperty("side", side == Side.LEFT ? "left" : "right");
                    c.addProperty("expected", ReferenceText.transformPosition(a, pos, side));
                }
            }
            cases.add(c);
        }
    }

    // ----------------------------------------------------------------------------------
    // Case builders. Each checks the author's expectation against the computed answer.

    private void apply(String name, String doc, JsonArray op, String expected) {
        String computed = ReferenceText.apply(doc, OpCases.components(op));
        expect(name, expected, computed);
        JsonObject c = newCase(name, "apply");
        c.addProperty("doc", doc);
        c.add("op", op);
        c.addProperty("expected", computed);
        cases.add(c);
    }

    private void normalize(String name, JsonArray op, JsonArray expected) {
        normalize(name, op, expected, null);
    }

    private void normalize(String name, JsonArray op, JsonArray expected, String note) {
        JsonArray computed = JSON.toJsonTree(OpCases.parse(op));
        expect(name, expected, computed);
        JsonObject c = newCase(name, "normalize");
        c.add("op", op);
        c.add("expected", computed);
        if (note != null) {
            c.addProperty("note", note);
        }
        cases.add(c);
    }

    private void compose(String name, String doc, JsonArray a, JsonArray b, JsonArray expected) {
        JsonArray computed = JSON.toJsonTree(TextOperation.compose(OpCases.parse(a), OpCases.parse(b)));
        expect(name, expected, computed);
        JsonObject c = newCase(name, "compose");
        c.addProperty("doc", doc);
        c.add("op", a);
        c.add("other", b);
        c.add("expected", computed);
        cases.add(c);
    }

    private void transform(String name, String doc, JsonArray op, JsonArray other, Side side, JsonArray expected) {
        transform(name, doc, op, other, side, expected, null);
    }

    private void transform(String name, String doc, JsonArray op, JsonArray other, Side side, JsonArray expected,
            String note) {
        JsonArray computed = JSON.toJsonTree(TextOperation.transform(OpCases.parse(op), OpCases.parse(other), side));
        expect(name, expected, computed);
        JsonObject c = newCase(name, "transform");
        c.addProperty("doc", doc);
        c.add("op", op);
        c.add("other", other);
        c.addProperty("side", side == Side.LEFT ? "left" : "right");
        c.add("expected", computed);
        if (note != null) {
            c.addProperty("note", note);
        }
        cases.add(c);
    }

    private void invert(String name, String doc, JsonArray op, JsonArray expected) {
        JsonArray computed = JSON.toJsonTree(TextOperation.invert(OpCases.parse(op), doc));
        expect(name, expected, computed);
        JsonObject c = newCase(name, "invert");
        c.addProperty("doc", doc);
        c.add("op", op);
        c.add("expected", computed);
        cases.add(c);
    }

    private void position(String name, String doc, JsonArray op, int pos, Side side, int expected) {
        int computed = ReferenceText.transformPosition(OpCases.parse(op), pos, side);
        expect(name, expected, computed);
        JsonObject c = newCase(name, "transformPosition");
        c.addProperty("doc", doc);
        c.add("op", op);
        c.addProperty("pos", pos);
        c.addProperty("side", side == Side.LEFT ? "left" : "right");
        c.addProperty("expected", computed);
        cases.add(c);
    }

    private void invalidParse(String name, String opJson, String reason, Integer item) {
        JsonObject c = newCase(name, "invalid");
        c.addProperty("stage", "parse");
        c.addProperty("opJson", opJson);
        c.addProperty("reason", reason);
        if (item != null) {
            c.addProperty("item", item);
        }
        cases.add(c);
    }

    private void invalidApply(String name, String doc, JsonArray op, String reason) {
        JsonObject c = newCase(name, "invalid");
        c.addProperty("stage", "apply");
        c.addProperty("doc", doc);
        c.add("op", op);
        c.addProperty("reason", reason);
        cases.add(c);
    }

    private static JsonObject newCase(String name, String kind) {
        JsonObject c = new JsonObject();
        c.addProperty("name", name);
        c.addProperty("kind", kind);
        return c;
    }

    private static void expect(String name, Object expected, Object computed) {
        if (!expected.equals(computed)) {
            throw new IllegalStateException(
                    "case \"" + name + "\": the author expected " + expected + " but the computed answer is " + computed);
        }
    }

    /** A delete item for {@link #op}. */
    private record Del(int count) {}

    private static Del d(int count) {
        return new Del(count);
    }

    /** A JSON operation: an Integer retains, a String inserts, a {@link Del} deletes. Not normalised. */
    private static JsonArray op(Object... items) {
        JsonArray out = new JsonArray();
        for (Object item : items) {
            if (item instanceof Integer n) {
                out.add(n);
            } else if (item instanceof String s) {
                out.add(s);
            } else {
                JsonObject delete = new JsonObject();
                delete.addProperty("d", ((Del) item).count());
                out.add(delete);
            }
        }
        return out;
    }

    // ----------------------------------------------------------------------------------
    // Output: one case per line, so that the file reads and diffs well.

    private String render() {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        StringBuilder out = new StringBuilder();
        out.append("{\n");
        out.append("  \"description\": ").append(gson.toJson(
                "Test vectors for coedit plain-text OT (ot-text-unicode wire form, positions in Unicode code points). "
                        + "Format: conformance/README.md. Generated by "
                        + "ot-engine/src/test/java/io/coedit/ot/ConformanceVectorsGenerator.java; edit that, not this file."))
                .append(",\n");
        out.append("  \"format\": 1,\n");
        out.append("  \"cases\": [\n");
        for (int k = 0; k < cases.size(); k++) {
            out.append("    ").append(gson.toJson(cases.get(k))).append(k + 1 < cases.size() ? ",\n" : "\n");
        }
        out.append("  ]\n}\n");
        return escapeForReaders(out.toString());
    }

    /**
     * Escapes, as JSON {@code \\uXXXX}, what a reader of the file could not see or what
     * UTF-8 cannot hold: combining marks and format characters (so that {@code "e\\u0301"}
     * is not mistaken for a precomposed {@code é}, nor a ZWJ sequence for one emoji), and
     * lone surrogates, which Gson writes as a bare char and the invalid cases need. These
     * only ever occur inside JSON strings, where the escape means the same.
     */
    private static String escapeForReaders(String json) {
        StringBuilder out = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); ) {
            int cp = json.codePointAt(i);
            int type = Character.getType(cp);
            boolean hidden = type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK || type == Character.FORMAT
                    || type == Character.SURROGATE;
            if (hidden) {
                for (char ch : Character.toChars(cp)) {
                    out.append(String.format("\\u%04x", (int) ch));
                }
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }
}
