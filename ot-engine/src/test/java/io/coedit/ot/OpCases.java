package io.coedit.ot;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.coedit.ot.json.OpJson;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and checks operation test cases in the language-neutral format of
 * {@code conformance/text-ot.json} (described in {@code conformance/README.md}), which the
 * regression file {@code regressions.json} shares.
 *
 * <p>Each case is checked twice: against the value written in the file (so another engine
 * must agree with this one), and semantically against {@link ReferenceText} (so the file
 * itself cannot hold a wrong answer that this engine happens to reproduce).
 */
final class OpCases {
    private OpCases() {}

    static final Set<String> KINDS = Set.of(
            "apply", "normalize", "compose", "transform", "invert", "transformPosition", "applySequence", "invalid");

    private static final OpJson JSON = OpJson.standard();

    /** The cases of a case file, after checking that every case names a known kind and names are unique. */
    static List<JsonObject> read(String fileText) {
        JsonObject root = JsonParser.parseString(fileText).getAsJsonObject();
        List<JsonObject> cases = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonElement e : root.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            if (!names.add(name)) {
                throw new IllegalArgumentException("duplicate case name: " + name);
            }
            if (!KINDS.contains(c.get("kind").getAsString())) {
                throw new IllegalArgumentException("case " + name + " has unknown kind " + c.get("kind"));
            }
            cases.add(c);
        }
        return cases;
    }

    /** Checks one case; throws {@link AssertionError} saying what disagreed. */
    static void check(JsonObject c) {
        switch (c.get("kind").getAsString()) {
            case "apply" -> checkApply(c);
            case "normalize" -> checkNormalize(c);
            case "compose" -> checkCompose(c);
            case "transform" -> checkTransform(c);
            case "invert" -> checkInvert(c);
            case "transformPosition" -> checkTransformPosition(c);
            case "applySequence" -> checkApplySequence(c);
            case "invalid" -> checkInvalid(c);
            default -> throw new AssertionError("unknown kind " + c.get("kind"));
        }
    }

    private static void checkApply(JsonObject c) {
        String doc = c.get("doc").getAsString();
        String expected = c.get("expected").getAsString();
        TextOperation op = parse(c.get("op"));
        // The file's answer must be what the naive model gets from the raw, possibly
        // non-canonical, items, and what the engine gets from the parsed operation.
        same("reference apply", expected, ReferenceText.apply(doc, components(c.get("op"))));
        same("TextOperation.apply", expected, op.apply(doc));
        Rope rope = Rope.of(doc);
        rope.apply(op);
        same("Rope.apply", expected, rope.toString());
        same("resultLength", ReferenceText.length(expected), op.resultLength(ReferenceText.length(doc)));
    }

    private static void checkNormalize(JsonObject c) {
        TextOperation op = parse(c.get("op"));
        expectCanonical(c.get("expected"));
        same("canonical form", c.get("expected"), JSON.toJsonTree(op));
        same("TextOperation.of(items)", op, TextOperation.of(components(c.get("op"))));
    }

    private static void checkCompose(JsonObject c) {
        String doc = c.get("doc").getAsString();
        TextOperation a = parse(c.get("op"));
        TextOperation b = parse(c.get("other"));
        expectCanonical(c.get("expected"));
        same("compose(op, other)", c.get("expected"), JSON.toJsonTree(TextOperation.compose(a, b)));
        String sequential = ReferenceText.apply(ReferenceText.apply(doc, a), b);
        same("expected applied to doc vs op then other", sequential,
                ReferenceText.apply(doc, components(c.get("expected"))));
    }

    private static void checkTransform(JsonObject c) {
        String doc = c.get("doc").getAsString();
        TextOperation op = parse(c.get("op"));
        TextOperation other = parse(c.get("other"));
        Side side = side(c);
        expectCanonical(c.get("expected"));
        same("transform(op, other, " + side + ")", c.get("expected"),
                JSON.toJsonTree(TextOperation.transform(op, other, side)));
        // Semantics: after other, the expected op reaches the merge of both edits, op's
        // inserts first on a tie exactly when op is the left side.
        String merged = ReferenceText.merge(doc, op, other, side == Side.LEFT);
        same("expected applied after other vs reference merge", merged,
                ReferenceText.apply(ReferenceText.apply(doc, other), components(c.get("expected"))));
        TextOperation otherPrime = TextOperation.transform(other, op, side.opposite());
        same("convergence: other transformed, applied after op", merged, otherPrime.apply(op.apply(doc)));
    }

    private static void checkInvert(JsonObject c) {
        String doc = c.get("doc").getAsString();
        TextOperation op = parse(c.get("op"));
        expectCanonical(c.get("expected"));
        same("invert(op, doc)", c.get("expected"), JSON.toJsonTree(TextOperation.invert(op, doc)));
        same("expected undoes op", doc, ReferenceText.apply(ReferenceText.apply(doc, op), components(c.get("expected"))));
    }

    private static void checkTransformPosition(JsonObject c) {
        TextOperation op = parse(c.get("op"));
        int position = c.get("pos").getAsInt();
        Side side = side(c);
        int expected = c.get("expected").getAsInt();
        same("reference transformPosition", expected, ReferenceText.transformPosition(op, position, side));
        same("transformPosition", expected, op.transformPosition(position, side));
        if (c.has("doc")) {
            // A caret right before a surviving code point stays right before it, except that
            // on the left side, text inserted at the caret goes in between.
            String doc = c.get("doc").getAsString();
            int[] before = ReferenceText.codePoints(doc);
            ReferenceText.Effect effect = ReferenceText.effect(op.components(),
                    Math.max(before.length, op.baseLength()));
            if (position < before.length && effect.kept()[position]) {
                int[] after = ReferenceText.codePoints(op.apply(doc));
                int skip = side == Side.LEFT ? ReferenceText.length(effect.inserted()[position]) : 0;
                same("code point after the moved caret", before[position], after[expected + skip]);
            }
        }
    }

    /** Operations applied one after another; for bugs that need a history (a rope's tree shape, say). */
    private static void checkApplySequence(JsonObject c) {
        String doc = c.get("doc").getAsString();
        Rope rope = Rope.of(doc);
        String text = doc;
        int step = 0;
        for (JsonElement e : c.getAsJsonArray("ops")) {
            TextOperation op = parse(e);
            text = ReferenceText.apply(text, components(e));
            rope.apply(op);
            same("Rope after step " + step, text, rope.toString());
            same("Rope length after step " + step, ReferenceText.length(text), rope.length());
            step++;
        }
        same("final document", c.get("expected").getAsString(), text);
    }

    private static void checkInvalid(JsonObject c) {
        String stage = c.get("stage").getAsString();
        if (stage.equals("parse")) {
            String text = c.get("opJson").getAsString();
            IllegalArgumentException e = expectRejected("OpJson.parse", () -> JSON.parse(text));
            if (c.has("item")) {
                String prefix = "op[" + c.get("item").getAsInt() + "]";
                if (!e.getMessage().startsWith(prefix)) {
                    throw new AssertionError("the message should name " + prefix + ": " + e.getMessage());
                }
            }
        } else if (stage.equals("apply")) {
            String doc = c.get("doc").getAsString();
            TextOperation op = parse(c.get("op")); // well-formed: only applying it must fail
            expectRejected("reference apply", () -> ReferenceText.apply(doc, components(c.get("op"))));
            expectRejected("TextOperation.apply", () -> op.apply(doc));
            expectRejected("TextOperation.invert", () -> TextOperation.invert(op, doc));
            if (!wellFormed(doc)) {
                expectRejected("Rope.of", () -> Rope.of(doc));
            } else {
                Rope rope = Rope.of(doc);
                expectRejected("Rope.apply", () -> rope.apply(op));
                same("rope left unchanged by a rejected op", doc, rope.toString());
            }
        } else {
            throw new AssertionError("unknown stage " + stage);
        }
    }

    private static boolean wellFormed(String text) {
        try {
            ReferenceText.codePoints(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Parses an operation the way a receiving server does: from its JSON text. */
    static TextOperation parse(JsonElement op) {
        return JSON.parse(op.toString());
    }

    /**
     * The items of a JSON operation as components, read without the engine's parser and
     * without normalising, for the reference model.
     */
    static List<Component> components(JsonElement op) {
        List<Component> out = new ArrayList<>();
        for (JsonElement item : op.getAsJsonArray()) {
            if (item.isJsonObject()) {
                out.add(Component.delete(item.getAsJsonObject().get("d").getAsInt()));
            } else if (item.getAsJsonPrimitive().isString()) {
                out.add(Component.insert(item.getAsString()));
            } else {
                out.add(Component.retain(item.getAsInt()));
            }
        }
        return out;
    }

    private static void expectCanonical(JsonElement op) {
        JsonArray items = op.getAsJsonArray();
        for (JsonElement item : items) {
            if (item.isJsonPrimitive() && item.getAsJsonPrimitive().isNumber()
                    && !item.getAsString().matches("[1-9][0-9]*")) {
                throw new AssertionError("expected op " + op + " writes a count as " + item + ", not as a plain integer");
            }
        }
        String why = ReferenceText.canonicalViolation(components(op));
        if (why != null) {
            throw new AssertionError("expected op " + op + " is not canonical: " + why);
        }
    }

    private static Side side(JsonObject c) {
        return switch (c.get("side").getAsString()) {
            case "left" -> Side.LEFT;
            case "right" -> Side.RIGHT;
            default -> throw new AssertionError("side must be \"left\" or \"right\", got " + c.get("side"));
        };
    }

    private static IllegalArgumentException expectRejected(String what, Runnable action) {
        try {
            action.run();
        } catch (IllegalArgumentException e) {
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError(what + " should throw IllegalArgumentException, threw " + e, e);
        }
        throw new AssertionError(what + " should have been rejected");
    }

    private static void same(String what, Object expected, Object actual) {
        if (!expected.equals(actual)) {
            throw new AssertionError(what + ": expected " + expected + " but got " + actual);
        }
    }
}
