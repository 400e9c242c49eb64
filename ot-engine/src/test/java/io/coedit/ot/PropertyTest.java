package io.coedit.ot;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.coedit.ot.Component.Delete;
import io.coedit.ot.Component.Insert;
import io.coedit.ot.Component.Retain;
import io.coedit.ot.OtClient.Submission;
import io.coedit.ot.json.OpJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded randomized properties of the engine, checked against {@link ReferenceText}, the
 * naive model, wherever a property has a document-valued answer.
 *
 * <p>Every run draws a base seed (or takes {@code -Dcoedit.seed=N}) and derives one seed
 * per case from it and the property's name, so a failure message names the seeds that
 * replay it:
 * <pre>
 *   mvn -B -o verify -pl ot-engine -Dtest=PropertyTest -Dcoedit.seed=N                    # the whole run
 *   mvn -B -o verify -pl ot-engine -Dtest='PropertyTest#name' -Dcoedit.caseSeed=M          # one case
 * </pre>
 * {@code -Dcoedit.scale=10} runs ten times as many cases, for a longer soak.
 */
class PropertyTest {
    private static final long BASE_SEED = baseSeed();
    private static final double SCALE = Double.parseDouble(System.getProperty("coedit.scale", "1"));
    private static final Long ONLY_CASE = System.getProperty("coedit.caseSeed") == null
            ? null : Long.decode(System.getProperty("coedit.caseSeed").trim());
    private static final OpJson JSON = OpJson.standard();

    /** Cases checked by this run, for the summary line; a sequence's steps count one each. */
    private static final AtomicLong CASES = new AtomicLong();

    private static long baseSeed() {
        String given = System.getProperty("coedit.seed");
        return given == null || given.isBlank() ? new SplittableRandom().nextLong() : Long.decode(given.trim());
    }

    @BeforeAll
    static void announceSeed() {
        System.out.println("PropertyTest base seed " + BASE_SEED + " (replay with -Dcoedit.seed=" + BASE_SEED + ")");
    }

    @AfterAll
    static void summarise() {
        System.out.println("PropertyTest checked " + CASES.get() + " cases, base seed " + BASE_SEED);
    }

    // ==================================================================================
    // apply and canonical form

    @Test
    void applyMatchesReference() {
        forAll("applyMatchesReference", 15_000, c -> {
            String doc = c.note("doc", c.gen.document());
            int length = ReferenceText.length(doc);
            TextOperation op = c.note("op", c.gen.chance(0.1) ? c.gen.opPastEnd(length) : c.gen.op(length));
            assertCanonical(op);
            String expected;
            try {
                expected = ReferenceText.apply(doc, op);
            } catch (IllegalArgumentException tooLong) {
                expected = null;
            }
            assertEquals(expected == null, op.baseLength() > length, "fits exactly when baseLength <= length");
            if (expected == null) {
                assertThrows(IllegalArgumentException.class, () -> op.apply(doc));
                assertThrows(IllegalArgumentException.class, () -> op.resultLength(length));
            } else {
                assertEquals(expected, op.apply(doc));
                assertEquals(ReferenceText.length(expected), op.resultLength(length));
            }
        });
    }

    @Test
    void normalisesNonCanonicalComponents() {
        forAll("normalisesNonCanonicalComponents", 10_000, c -> {
            String doc = c.note("doc", c.gen.document());
            List<Component> raw = c.note("components", c.gen.nonCanonicalComponents(ReferenceText.length(doc)));
            TextOperation op = c.note("of(components)", TextOperation.of(raw));
            assertCanonical(op);
            assertEquals(ReferenceText.apply(doc, raw), op.apply(doc), "same result as the raw components");

            // The builder, fed the same steps with empty ones mixed in and built halfway,
            // ends at the same operation; building halfway must not disturb it.
            TextOperation.Builder b = TextOperation.builder();
            int half = raw.size() / 2;
            for (int k = 0; k < raw.size(); k++) {
                if (c.gen.chance(0.2)) {
                    switch (c.gen.nextInt(3)) {
                        case 0 -> b.retain(0);
                        case 1 -> b.insert("");
                        default -> b.delete(0);
                    }
                }
                Component step = raw.get(k);
                if (step instanceof Retain r) {
                    b.retain(r.count());
                } else if (step instanceof Insert i) {
                    b.insert(i.text());
                } else {
                    b.append(step);
                }
                if (k == half) {
                    TextOperation prefix = b.build();
                    assertCanonical(prefix);
                    assertEquals(TextOperation.of(raw.subList(0, k + 1)), prefix, "built halfway");
                }
            }
            assertEquals(op, b.build(), "builder");
            assertThrows(IllegalArgumentException.class, () -> TextOperation.builder().retain(-1));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.builder().delete(-1));
        });
    }

    // ==================================================================================
    // compose

    @Test
    void composeMatchesSequentialApply() {
        forAll("composeMatchesSequentialApply", 15_000, c -> {
            String doc = c.note("doc", c.gen.document());
            int length = ReferenceText.length(doc);
            TextOperation a = c.note("a", c.gen.op(length));
            String middle = ReferenceText.apply(doc, a);
            TextOperation b = c.note("b", c.gen.op(ReferenceText.length(middle)));
            TextOperation ab = c.note("compose(a, b)", TextOperation.compose(a, b));
            assertCanonical(ab);
            assertEquals(ReferenceText.apply(middle, b), ReferenceText.apply(doc, ab), "compose(a, b) vs a then b");
            assertEquals(ReferenceText.apply(middle, b), ab.apply(doc), "engine apply of compose(a, b)");

            // Text past both operations' reach stays, composed or not.
            String longer = doc + c.gen.text(c.gen.between(1, 3));
            assertEquals(ReferenceText.apply(ReferenceText.apply(longer, a), b), ReferenceText.apply(longer, ab),
                    "on a longer document");

            // compose(a, b) fits every document a, then b, fit. (Not only those: when b
            // deletes what a appended, the composed op needs less document than a.)
            int shorter = c.gen.between(0, length);
            if (a.baseLength() <= shorter && b.baseLength() <= shorter + a.lengthChange()) {
                assertTrue(ab.baseLength() <= shorter, "fits a document of " + shorter);
            }

            // Associative, exactly: canonical forms are unique.
            TextOperation next = c.note("c", c.gen.op(ReferenceText.length(ReferenceText.apply(middle, b))));
            assertEquals(TextOperation.compose(ab, next), TextOperation.compose(a, TextOperation.compose(b, next)),
                    "compose is associative");
            assertEquals(a, TextOperation.compose(a, TextOperation.NOOP));
            assertEquals(b, TextOperation.compose(TextOperation.NOOP, b));
        });
    }

    // ==================================================================================
    // transform

    @Test
    void transformConvergesToTheReferenceMerge() {
        forAll("transformConvergesToTheReferenceMerge", 20_000, c -> {
            String doc = c.note("doc", c.gen.document());
            int length = ReferenceText.length(doc);
            TextOperation a = c.note("a", c.gen.op(length));
            // Sometimes both sides make the very same edit.
            TextOperation b = c.note("b", c.gen.chance(0.05) ? a : c.gen.op(length));
            String afterA = ReferenceText.apply(doc, a);
            String afterB = ReferenceText.apply(doc, b);
            for (Side side : Side.values()) {
                TextOperation a2 = c.note("transform(a, b, " + side + ")", TextOperation.transform(a, b, side));
                TextOperation b2 = c.note("transform(b, a, " + side.opposite() + ")",
                        TextOperation.transform(b, a, side.opposite()));
                assertCanonical(a2);
                assertCanonical(b2);
                String merged = ReferenceText.merge(doc, a, b, side == Side.LEFT);
                assertEquals(merged, ReferenceText.apply(afterB, a2), side + ": a transformed, after b");
                assertEquals(merged, ReferenceText.apply(afterA, b2), side + ": b transformed, after a");
                assertEquals(merged, a2.apply(b.apply(doc)), side + ": engine apply");
                // Both paths round the diamond make the same text. (Not always the same
                // operation: [{d:1},"x"] and ["x",{d:1}] are different edits with one result,
                // and the normal form keeps the order each path wrote them in.)
                assertEquals(TextOperation.compose(b, a2).apply(doc), TextOperation.compose(a, b2).apply(doc),
                        side + ": diamond");
            }
            assertEquals(a, TextOperation.transform(a, TextOperation.NOOP, Side.LEFT));
            assertEquals(TextOperation.NOOP, TextOperation.transform(TextOperation.NOOP, b, Side.RIGHT));
        });
    }

    @Test
    void leftSideInsertGoesFirstOnATie() {
        forAll("leftSideInsertGoesFirstOnATie", 5_000, c -> {
            String doc = c.note("doc", c.gen.document());
            int[] points = ReferenceText.codePoints(doc);
            int at = c.gen.between(0, points.length);
            String mine = c.gen.text(c.gen.between(1, 4));
            String theirs = c.gen.text(c.gen.between(1, 4));
            int myDelete = c.gen.chance(0.5) ? 0 : c.gen.between(0, points.length - at);
            int theirDelete = c.gen.chance(0.5) ? 0 : c.gen.between(0, points.length - at);
            // Both inserts in one gap: at `at` in front of their deletes, or both after
            // deleting the same text ([at, {d:n}, text]).
            boolean deleteFirst = c.gen.chance(0.5);
            if (deleteFirst) {
                theirDelete = myDelete;
            }
            TextOperation a = c.note("a", deleteFirst ? TextOperation.splice(at, myDelete, mine)
                    : TextOperation.builder().retain(at).insert(mine).delete(myDelete).build());
            TextOperation b = c.note("b", deleteFirst ? TextOperation.splice(at, theirDelete, theirs)
                    : TextOperation.builder().retain(at).insert(theirs).delete(theirDelete).build());
            String before = ReferenceText.string(java.util.Arrays.stream(points, 0, at).boxed().toList());
            String after = ReferenceText.string(
                    java.util.Arrays.stream(points, at + Math.max(myDelete, theirDelete), points.length).boxed().toList());
            assertEquals(before + mine + theirs + after, TextOperation.transform(a, b, Side.LEFT).apply(b.apply(doc)),
                    "LEFT: a's insert first");
            assertEquals(before + mine + theirs + after, TextOperation.transform(b, a, Side.RIGHT).apply(a.apply(doc)),
                    "b as RIGHT agrees");
            assertEquals(before + theirs + mine + after, TextOperation.transform(a, b, Side.RIGHT).apply(b.apply(doc)),
                    "RIGHT: a's insert second");
        });
    }

    // ==================================================================================
    // invert

    @Test
    void invertRoundTrips() {
        forAll("invertRoundTrips", 10_000, c -> {
            String doc = c.note("doc", c.gen.document());
            int length = ReferenceText.length(doc);
            TextOperation a = c.note("a", c.gen.op(length));
            String after = ReferenceText.apply(doc, a);
            TextOperation inverse = c.note("invert(a, doc)", TextOperation.invert(a, doc));
            assertCanonical(inverse);
            assertEquals(doc, ReferenceText.apply(after, inverse), "undoes a");
            assertEquals(a, TextOperation.invert(inverse, after), "inverting twice gives a back");
            assertEquals(ReferenceText.deletedText(doc, a.components()), insertedText(inverse),
                    "puts back exactly what a deleted");
            assertEquals(doc, TextOperation.compose(a, inverse).apply(doc), "compose(a, inverse) changes nothing");
            TextOperation tooLong = c.note("too long", c.gen.opPastEnd(length));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.invert(tooLong, doc));
        });
    }

    // ==================================================================================
    // positions and selections

    @Test
    void transformPositionMatchesReference() {
        forAll("transformPositionMatchesReference", 15_000, c -> {
            String doc = c.note("doc", c.gen.document());
            int length = ReferenceText.length(doc);
            TextOperation op = c.note("op", c.gen.op(length));
            int[] before = ReferenceText.codePoints(doc);
            int[] after = ReferenceText.codePoints(op.apply(doc));
            ReferenceText.Effect effect = ReferenceText.effect(op.components(), length);
            for (int k = 0; k < 3; k++) {
                int position = c.note("position", c.gen.between(0, length + 2));
                int left = op.transformPosition(position, Side.LEFT);
                int right = op.transformPosition(position, Side.RIGHT);
                assertEquals(ReferenceText.transformPosition(op, position, Side.LEFT), left, "LEFT vs reference");
                assertEquals(ReferenceText.transformPosition(op, position, Side.RIGHT), right, "RIGHT vs reference");
                assertTrue(left <= right, "LEFT never after RIGHT");
                assertTrue(op.transformPosition(position + 1, Side.LEFT) >= right, "monotonic");
                if (position < length && effect.kept()[position]) {
                    // A caret right before a surviving code point stays right before it (on the
                    // left side, behind the text inserted at the caret).
                    assertEquals(before[position], after[right], "still before the same code point");
                }
                if (position <= length) {
                    // A caret moves the way a zero-width insert at it would under transform.
                    for (Side side : Side.values()) {
                        TextOperation caret = TextOperation.transform(TextOperation.insert(position, "§"), op, side);
                        List<Component> parts = caret.components();
                        int landed = parts.size() == 2 ? parts.get(0).length() : 0;
                        assertEquals(List.of("§"), parts.stream().filter(p -> p instanceof Insert)
                                .map(p -> ((Insert) p).text()).toList());
                        assertEquals(landed, op.transformPosition(position, side), side + ": like a caret insert");
                    }
                }
            }
            int anchor = c.gen.between(0, length + 1);
            int head = c.gen.chance(0.3) ? anchor : c.gen.between(0, length + 1);
            Selection selection = c.note("selection", new Selection(anchor, head));
            for (Side side : Side.values()) {
                assertEquals(new Selection(op.transformPosition(anchor, side), op.transformPosition(head, side)),
                        op.transformSelection(selection, side), side + ": selection");
            }
            assertThrows(IllegalArgumentException.class, () -> op.transformPosition(-1, Side.LEFT));
        });
    }

    // ==================================================================================
    // JSON wire form

    @Test
    void jsonRoundTrips() {
        forAll("jsonRoundTrips", 10_000, c -> {
            String doc = c.gen.document();
            TextOperation op = c.note("op", c.gen.op(ReferenceText.length(doc)));
            String json = c.note("toJson", JSON.toJson(op));
            assertEquals(op, JSON.parse(json), "parse(toJson(op))");
            assertEquals(op, JSON.parse(op.toString()), "parse(op.toString())");
            // toString claims to be the JSON form: it must be strict JSON with the same value.
            assertEquals(JsonParser.parseString(json), strictJson(op.toString()), "toString is the JSON form");

            // Any spelling of a non-canonical op reads as its canonical form.
            List<Component> raw = c.note("components", c.gen.nonCanonicalComponents(ReferenceText.length(doc)));
            String text = c.note("raw JSON", jsonText(raw, c.gen));
            assertEquals(TextOperation.of(raw), JSON.parse(text), "parse of a non-canonical array");
            // The item limit counts the items as sent, not the canonical components.
            if (!raw.isEmpty()) {
                assertEquals(TextOperation.of(raw), OpJson.withMaxComponents(raw.size()).parse(text), "at the limit");
            }
            if (raw.size() > 1) {
                assertThrows(IllegalArgumentException.class, () -> OpJson.withMaxComponents(raw.size() - 1).parse(text),
                        "over the limit");
            }
        });
    }

    /** Items no parser may accept, each with the reason it is wrong. */
    private static final List<String> BAD_ITEMS = List.of(
            "0", "-1", "-0", "1.5", "0.5", "1e-1", "2147483648", "1e10", "\"\"", "\"\\ud800\"", "\"a\\udc00\"",
            "\"\\udc00\\ud800\"", "{\"d\":0}", "{\"d\":-1}", "{\"d\":1.5}", "{\"d\":\"1\"}", "{\"d\":null}",
            "{\"x\":1}", "{\"d\":1,\"x\":1}", "{}", "{\"d\":{}}", "null", "true", "false", "[1]", "[]");

    @Test
    void jsonRejectsBadItems() {
        forAll("jsonRejectsBadItems", 3_000, c -> {
            List<Component> raw = c.gen.nonCanonicalComponents(c.gen.between(0, 20));
            List<String> items = new ArrayList<>();
            for (Component part : raw) {
                items.add(itemText(part, c.gen));
            }
            int at = c.gen.between(0, items.size());
            String bad = c.note("bad item", c.gen.pick(BAD_ITEMS));
            items.add(at, bad);
            String text = c.note("JSON", "[" + String.join(",", items) + "]");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JSON.parse(text));
            // Gson's strict reader already refuses unpaired surrogate escapes, before items are read.
            if (!bad.contains("\\u")) {
                assertTrue(e.getMessage().startsWith("op[" + at + "]"), "should name op[" + at + "]: " + e.getMessage());
            }
        });
    }

    // ==================================================================================
    // Rope

    @Test
    void ropeMatchesStringApply() {
        forAll("ropeMatchesStringApply", 300, c -> {
            String doc;
            int roll = c.gen.nextInt(10);
            if (roll == 0) {
                // More UTF-16 units than MAX_CHILDREN (32) full leaves of MAX_LEAF (1024) hold,
                // so the tree has at least three levels.
                doc = c.gen.largeDocument(40_000);
            } else if (roll < 4) {
                doc = c.gen.largeDocument(c.gen.between(1_000, 8_000));
            } else {
                doc = c.gen.document();
            }
            c.note("initial document", doc);
            Rope rope = Rope.of(doc);
            checkRope(c, rope, doc);
            int steps = c.gen.between(20, 150);
            for (int step = 0; step < steps; step++) {
                c.note("step", step);
                c.note("document before the step", doc);
                int length = ReferenceText.length(doc);
                int kind = c.gen.nextInt(50);
                if (kind == 49) {
                    // Empty the rope; the next steps grow it back from nothing.
                    TextOperation all = c.note("op", TextOperation.delete(0, length));
                    rope.apply(all);
                    doc = "";
                } else if (kind < 3) {
                    // An op that does not fit changes nothing.
                    TextOperation tooLong = c.note("op", c.gen.opPastEnd(length));
                    assertThrows(IllegalArgumentException.class, () -> rope.apply(tooLong));
                } else if (kind < 10) {
                    // The rope's own insert and delete, against the same edit as an op.
                    int at = c.gen.between(0, length);
                    if (c.gen.chance(0.5)) {
                        String text = c.note("insert", c.gen.chance(0.8) ? c.gen.text(c.gen.between(0, 5))
                                : c.gen.largeDocument(c.gen.between(1, 2_500)));
                        c.note("op", "Rope.insert(" + at + ", text)");
                        rope.insert(at, text);
                        doc = TextOperation.insert(at, text).apply(doc);
                    } else {
                        int count = c.gen.between(0, Math.min(length - at, c.gen.chance(0.8) ? 5 : length));
                        c.note("op", "Rope.delete(" + at + ", " + count + ")");
                        rope.delete(at, count);
                        doc = TextOperation.delete(at, count).apply(doc);
                    }
                } else {
                    TextOperation op = c.note("op", c.gen.edit(length));
                    rope.apply(op);
                    // The String apply is itself checked against the reference in
                    // applyMatchesReference; on small documents compare with the model directly.
                    doc = doc.length() < 200 ? ReferenceText.apply(doc, op) : op.apply(doc);
                }
                checkRope(c, rope, doc);
                CASES.incrementAndGet();
            }
        });
    }

    private static void checkRope(Case c, Rope rope, String expected) {
        assertEquals(expected, rope.toString(), "rope text");
        int length = expected.codePointCount(0, expected.length());
        assertEquals(length, rope.length(), "rope length in code points");
        assertEquals(expected.length(), rope.utf16Length(), "rope length in UTF-16 units");
        int from = c.gen.between(0, length);
        int to = c.gen.between(from, Math.min(length, from + (c.gen.chance(0.8) ? 20 : length)));
        int start = expected.offsetByCodePoints(0, from);
        assertEquals(expected.substring(start, expected.offsetByCodePoints(start, to - from)), rope.substring(from, to),
                "substring(" + from + ", " + to + ")");
        if (length > 0) {
            int at = c.gen.between(0, length - 1);
            assertEquals(expected.codePointAt(expected.offsetByCodePoints(0, at)), rope.codePointAt(at),
                    "codePointAt(" + at + ")");
        }
    }

    // ==================================================================================
    // malformed text and UTF-16 splices

    @Test
    void loneSurrogatesAreRejected() {
        forAll("loneSurrogatesAreRejected", 2_000, c -> {
            String doc = c.gen.document();
            int length = ReferenceText.length(doc);
            // At a code point boundary a lone surrogate cannot pair up with a neighbour.
            int at = doc.offsetByCodePoints(0, c.gen.between(0, length));
            String bad = c.note("document", doc.substring(0, at) + (c.gen.chance(0.5) ? '\uD83D' : '\uDE00')
                    + doc.substring(at));
            TextOperation op = c.note("op", c.gen.op(length));
            assertThrows(IllegalArgumentException.class, () -> op.apply(bad), "apply");
            assertThrows(IllegalArgumentException.class, () -> TextOperation.invert(op, bad), "invert");
            assertThrows(IllegalArgumentException.class, () -> Rope.of(bad), "Rope.of");
            assertThrows(IllegalArgumentException.class, () -> Rope.of(doc).insert(0, bad), "Rope.insert");
            assertThrows(IllegalArgumentException.class, () -> Component.insert(bad), "Component.insert");
            assertThrows(IllegalArgumentException.class, () -> TextOperation.insert(0, bad), "TextOperation.insert");
        });
    }

    @Test
    void spliceUtf16MatchesCodePointSplice() {
        forAll("spliceUtf16MatchesCodePointSplice", 3_000, c -> {
            String doc = c.note("doc", c.gen.document());
            int length = ReferenceText.length(doc);
            int from = c.gen.between(0, length);
            int count = c.gen.between(0, length - from);
            String text = c.gen.text(c.gen.between(0, 3));
            int index = doc.offsetByCodePoints(0, from);
            int units = doc.offsetByCodePoints(index, count) - index;
            assertEquals(TextOperation.splice(from, count, text), TextOperation.spliceUtf16(doc, index, units, text));
            // An end inside a surrogate pair is refused.
            for (int k = 0; k < doc.length(); k++) {
                if (Character.isLowSurrogate(doc.charAt(k))) {
                    int inside = k;
                    assertThrows(IllegalArgumentException.class, () -> TextOperation.spliceUtf16(doc, inside, 0, "x"));
                    break;
                }
            }
        });
    }

    // ==================================================================================
    // OtClient: clients and a central server exchanging operations

    @Test
    void otClientsConvergeWithAServer() {
        SimulationStats stats = new SimulationStats();
        forAll("otClientsConvergeWithAServer", 500, c -> new Simulation(c, stats).run());
        if (ONLY_CASE == null && SCALE >= 1) {
            // A simulation that never reconnects or never resubmits would prove little about
            // those paths; with 500 runs each happens hundreds of times.
            assertTrue(stats.reconnects > 0, "no client ever reconnected");
            assertTrue(stats.resentCommitted > 0, "no committed submission was ever resent");
            assertTrue(stats.resentLost > 0, "no lost submission was ever resent");
            assertTrue(stats.bufferedSends > 0, "no buffered edit was ever sent on acknowledgement");
        }
        System.out.println("OtClient simulations: " + stats.reconnects + " reconnects, " + stats.resentCommitted
                + " resent after commit, " + stats.resentLost + " resent after loss, " + stats.bufferedSends
                + " buffered sends");
    }

    /** How often a run took the paths worth exercising. */
    private static final class SimulationStats {
        int reconnects;
        int resentCommitted;
        int resentLost;
        int bufferedSends;
    }

    /**
     * A central server with a linear history and 2 to 4 {@link OtClient}s. Each
     * client-server link is FIFO in each direction; which link delivers next is random, as
     * is when clients edit. A client can lose its connection (everything in transit on its
     * link is dropped) and reconnect: the server then replays the history the client has
     * not seen, with acknowledgements for the client's own operations, and the client resends
     * its in-flight submission, which the server must recognise by sequence number if it
     * already committed it.
     */
    private static final class Simulation {
        private final Case c;
        private final RandomOps gen;
        private final SimulationStats stats;
        private final List<TextOperation> history = new ArrayList<>();
        private final List<Integer> authors = new ArrayList<>();
        private final List<Long> seqs = new ArrayList<>();
        private final List<String> documents = new ArrayList<>(); // documents.get(v): after v operations
        private final List<String> trace = new ArrayList<>();
        private Peer[] peers;

        private sealed interface Message permits Ack, Remote {}

        private record Ack(long seq, long version) implements Message {}

        private record Remote(long version, TextOperation op) implements Message {}

        private static final class Peer {
            final int id;
            final OtClient client = new OtClient(0);
            String document;
            boolean connected = true;
            final ArrayDeque<Submission> toServer = new ArrayDeque<>();
            final ArrayDeque<Message> fromServer = new ArrayDeque<>();
            long committedSeq; // the server's record: the last seq it committed from this client
            long committedVersion;

            Peer(int id, String document) {
                this.id = id;
                this.document = document;
            }
        }

        Simulation(Case c, SimulationStats stats) {
            this.c = c;
            this.gen = c.gen;
            this.stats = stats;
            c.note("trace (last events)", new Object() {
                @Override
                public String toString() {
                    return String.join("\n    ", trace.subList(Math.max(0, trace.size() - 40), trace.size()));
                }
            });
        }

        void run() {
            String initial = c.note("initial document", gen.document());
            documents.add(initial);
            peers = new Peer[gen.between(2, 4)];
            for (int k = 0; k < peers.length; k++) {
                peers[k] = new Peer(k, initial);
            }
            int events = gen.between(20, 200);
            for (int e = 0; e < events; e++) {
                int roll = gen.nextInt(100);
                Peer peer = peers[gen.nextInt(peers.length)];
                if (roll < 35) {
                    edit(peer);
                } else if (roll < 38 && peer.connected) {
                    disconnect(peer);
                } else if (roll < 43 && !peer.connected) {
                    reconnect(peer);
                } else {
                    deliverOne();
                }
                CASES.incrementAndGet();
            }
            // Quiescence: everyone back online, every message delivered.
            for (Peer peer : peers) {
                if (!peer.connected) {
                    reconnect(peer);
                }
            }
            while (deliverOne()) {
                CASES.incrementAndGet();
            }
            String server = documents.get(documents.size() - 1);
            for (Peer peer : peers) {
                assertEquals(server, peer.document, "client " + peer.id + " converged to the server's document");
                assertEquals(OtClient.State.SYNCHRONIZED, peer.client.state(), "client " + peer.id + " state");
                assertEquals(history.size(), peer.client.version(), "client " + peer.id + " version");
            }
        }

        private void edit(Peer peer) {
            TextOperation op = gen.op(peer.document);
            trace.add("client " + peer.id + " edits " + op);
            peer.document = ReferenceText.apply(peer.document, op);
            peer.client.applyLocal(op).ifPresent(s -> send(peer, s));
            // The user's selection after the edit: somewhere in the new document.
            int length = ReferenceText.length(peer.document);
            int anchor = gen.between(0, length);
            peer.client.setSelection(new Selection(anchor, gen.chance(0.5) ? anchor : gen.between(0, length)));
            checkClient(peer);
        }

        private void send(Peer peer, Submission s) {
            if (peer.connected) {
                trace.add("client " + peer.id + " sends " + s);
                peer.toServer.add(s);
            }
        }

        private void disconnect(Peer peer) {
            trace.add("client " + peer.id + " disconnects, dropping " + peer.toServer + " and " + peer.fromServer);
            peer.connected = false;
            peer.toServer.clear();
            peer.fromServer.clear();
        }

        private void reconnect(Peer peer) {
            long from = peer.client.version();
            trace.add("client " + peer.id + " reconnects at version " + from);
            peer.connected = true;
            for (int v = (int) from; v < history.size(); v++) {
                peer.fromServer.add(authors.get(v) == peer.id ? new Ack(seqs.get(v), v) : new Remote(v, history.get(v)));
            }
            stats.reconnects++;
            Optional<Submission> again = peer.client.resend();
            again.ifPresent(s -> {
                if (s.seq() <= peer.committedSeq) {
                    stats.resentCommitted++;
                } else {
                    stats.resentLost++;
                }
                send(peer, s);
            });
        }

        /** Delivers the head of one random non-empty link; false if every link is empty. */
        private boolean deliverOne() {
            List<Runnable> ready = new ArrayList<>();
            for (Peer peer : peers) {
                if (!peer.toServer.isEmpty()) {
                    ready.add(() -> serverReceives(peer, peer.toServer.poll()));
                }
                if (!peer.fromServer.isEmpty()) {
                    ready.add(() -> clientReceives(peer, peer.fromServer.poll()));
                }
            }
            if (ready.isEmpty()) {
                return false;
            }
            gen.pick(ready).run();
            return true;
        }

        private void serverReceives(Peer from, Submission s) {
            trace.add("server receives " + s + " from client " + from.id);
            if (s.seq() <= from.committedSeq) {
                // A resubmission of what is already committed: acknowledge it again, do not apply twice.
                assertEquals(from.committedSeq, s.seq(), "only the latest submission can come again");
                from.fromServer.add(new Ack(s.seq(), from.committedVersion));
                return;
            }
            assertEquals(from.committedSeq + 1, s.seq(), "submissions are numbered one by one");
            assertTrue(s.version() <= history.size(), "based on a version the server has");
            String base = documents.get((int) s.version());
            assertTrue(s.op().baseLength() <= ReferenceText.length(base), "fits the document at its version");
            TextOperation op = s.op();
            for (int v = (int) s.version(); v < history.size(); v++) {
                assertTrue(authors.get(v) != from.id, "a client never builds on its own unacknowledged op");
                op = TextOperation.transform(op, history.get(v), Side.RIGHT);
            }
            long version = history.size();
            history.add(op);
            authors.add(from.id);
            seqs.add(s.seq());
            documents.add(ReferenceText.apply(documents.get(documents.size() - 1), op));
            from.committedSeq = s.seq();
            from.committedVersion = version;
            trace.add("server commits " + op + " as version " + version);
            for (Peer peer : peers) {
                if (peer.connected) {
                    peer.fromServer.add(peer == from ? new Ack(s.seq(), version) : new Remote(version, op));
                }
            }
        }

        private void clientReceives(Peer peer, Message m) {
            trace.add("client " + peer.id + " receives " + m);
            if (m instanceof Ack ack) {
                peer.client.acknowledge(ack.seq(), ack.version()).ifPresent(s -> {
                    stats.bufferedSends++;
                    send(peer, s);
                });
            } else {
                Remote remote = (Remote) m;
                Selection before = peer.client.selection();
                TextOperation local = peer.client.applyRemote(remote.version(), remote.op());
                trace.add("client " + peer.id + " applies " + local);
                peer.document = ReferenceText.apply(peer.document, local);
                // The local selection moves with the remote edit; a remote insert at the caret
                // goes after it (LEFT keeps the caret before).
                Selection expected = new Selection(
                        ReferenceText.transformPosition(local, before.anchor(), Side.LEFT),
                        ReferenceText.transformPosition(local, before.head(), Side.LEFT));
                assertEquals(expected, peer.client.selection(), "client " + peer.id + " selection");
            }
            checkClient(peer);
        }

        /**
         * The client's promise: its document is the server's document at its version, then
         * the in-flight operation, then the buffer.
         */
        private void checkClient(Peer peer) {
            OtClient client = peer.client;
            String expected = documents.get((int) client.version());
            Optional<Submission> inFlight = client.inFlight();
            if (inFlight.isPresent()) {
                assertEquals(client.version(), inFlight.get().version(), "in-flight op is based on the client's version");
                expected = ReferenceText.apply(expected, inFlight.get().op());
            } else {
                assertTrue(client.buffer().isNoop(), "nothing buffered without an op in flight");
            }
            expected = ReferenceText.apply(expected, client.buffer());
            assertEquals(expected, peer.document, "client " + peer.id + ": server document + in flight + buffer");
            assertCanonical(client.buffer());

            // A peer's caret at the server version maps into this client's document through
            // the in-flight op, then the buffer.
            int serverLength = ReferenceText.length(documents.get((int) client.version()));
            int caret = gen.between(0, serverLength);
            int mapped = caret;
            if (inFlight.isPresent()) {
                mapped = ReferenceText.transformPosition(inFlight.get().op(), mapped, Side.LEFT);
                mapped = ReferenceText.transformPosition(client.buffer(), mapped, Side.LEFT);
            }
            assertEquals(Selection.caret(mapped), client.transformIncoming(Selection.caret(caret)),
                    "client " + peer.id + " transformIncoming(" + caret + ")");
            assertTrue(mapped <= ReferenceText.length(peer.document), "mapped caret inside the document");
        }
    }

    // ==================================================================================
    // helpers

    /**
     * Fails unless {@code op} is canonical ({@link ReferenceText#canonicalViolation}) and its
     * bookkeeping agrees with its components.
     */
    static void assertCanonical(TextOperation op) {
        List<Component> parts = op.components();
        String why = ReferenceText.canonicalViolation(parts);
        if (why != null) {
            fail("not canonical (" + why + "): " + op);
        }
        int inserted = 0;
        int deleted = 0;
        for (Component part : parts) {
            if (part instanceof Insert) {
                inserted += part.length();
            } else if (part instanceof Delete) {
                deleted += part.length();
            }
        }
        // A trailing retain the normal form dropped still counts in baseLength.
        assertTrue(op.baseLength() >= ReferenceText.walkLength(parts), "baseLength of " + op);
        assertEquals(inserted - deleted, op.lengthChange(), "lengthChange of " + op);
        assertEquals(parts.isEmpty(), op.isNoop(), "isNoop of " + op);
        TextOperation again = TextOperation.of(parts);
        assertEquals(op, again, "normalising a canonical op changes nothing");
        assertEquals(op.hashCode(), again.hashCode(), "hashCode");
    }

    private static String insertedText(TextOperation op) {
        StringBuilder s = new StringBuilder();
        for (Component part : op.components()) {
            if (part instanceof Insert i) {
                s.append(i.text());
            }
        }
        return s.toString();
    }

    private static JsonElement strictJson(String text) {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        return JsonParser.parseReader(reader);
    }

    /** A JSON array for {@code parts}, spelled in random but valid ways. */
    private static String jsonText(List<Component> parts, RandomOps gen) {
        StringBuilder s = new StringBuilder("[");
        for (int k = 0; k < parts.size(); k++) {
            s.append(k > 0 ? "," : "").append(gen.chance(0.2) ? " \n\t" : "").append(itemText(parts.get(k), gen));
        }
        return s.append(gen.chance(0.2) ? " ]" : "]").toString();
    }

    private static String itemText(Component part, RandomOps gen) {
        if (part instanceof Insert i) {
            return stringLiteral(i.text(), gen);
        }
        String count = countText(part.length(), gen);
        return part instanceof Retain ? count : (gen.chance(0.2) ? "{ \"d\" : " + count + " }" : "{\"d\":" + count + "}");
    }

    /** A whole number as JSON allows writing it. */
    private static String countText(int n, RandomOps gen) {
        return switch (gen.nextInt(10)) {
            case 0 -> n + ".0";
            case 1 -> n + "e0";
            case 2 -> (n * 10L) + "E-1";
            default -> Integer.toString(n);
        };
    }

    /** A JSON string literal, each char written raw or as a \\u escape at random. */
    private static String stringLiteral(String text, RandomOps gen) {
        StringBuilder s = new StringBuilder("\"");
        for (int k = 0; k < text.length(); k++) {
            char ch = text.charAt(k);
            if (ch == '"' || ch == '\\') {
                s.append('\\').append(ch);
            } else if (ch < 0x20 || gen.chance(0.2)) {
                s.append(String.format("\\u%04X", (int) ch));
            } else {
                s.append(ch);
            }
        }
        return s.append('"').toString();
    }

    // ==================================================================================
    // the harness

    /** One generated case: its generator, and what to print about it if it fails. */
    static final class Case {
        final RandomOps gen;
        private final Map<String, Object> notes = new LinkedHashMap<>();

        Case(RandomOps gen) {
            this.gen = gen;
        }

        /** Records {@code value} under {@code label} for the failure message, and returns it. */
        <T> T note(String label, T value) {
            notes.put(label, value);
            return value;
        }

        String describe() {
            StringBuilder s = new StringBuilder();
            notes.forEach((label, value) -> s.append("\n  ").append(label).append(" = ").append(show(value)));
            return s.toString();
        }
    }

    interface Property {
        void check(Case c) throws Exception;
    }

    /**
     * Runs {@code property} on {@code cases} (times {@code coedit.scale}) generated cases,
     * each seeded from the base seed, the property's name and its index; or on the single
     * case {@code -Dcoedit.caseSeed} names.
     */
    private static void forAll(String name, int cases, Property property) {
        int count = ONLY_CASE != null ? 1 : Math.max(1, (int) Math.round(cases * SCALE));
        long propertySeed = mix(BASE_SEED ^ mix(name.hashCode()));
        for (int i = 0; i < count; i++) {
            long caseSeed = ONLY_CASE != null ? ONLY_CASE : mix(propertySeed + i);
            Case c = new Case(new RandomOps(caseSeed));
            try {
                property.check(c);
            } catch (Throwable t) {
                throw new AssertionError(name + " failed on case " + i + ": " + t.getMessage()
                        + "\n  replay the run:  -Dcoedit.seed=" + BASE_SEED
                        + "\n  replay the case: -Dtest='PropertyTest#" + name + "' -Dcoedit.caseSeed=" + caseSeed
                        + c.describe(), t);
            }
            CASES.incrementAndGet();
        }
    }

    /** A 64-bit finaliser (MurmurHash3's), so neighbouring indices give unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** A value for a failure message: text quoted with everything but printable ASCII escaped, long text cut. */
    private static String show(Object value) {
        String text;
        if (value instanceof String s) {
            text = quote(s) + " (" + s.codePointCount(0, s.length()) + " code points)";
        } else if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                items.add(item instanceof Insert i ? quote(i.text()) : item instanceof Delete d
                        ? "{\"d\":" + d.count() + "}" : item instanceof Retain r ? Integer.toString(r.count())
                        : String.valueOf(item));
            }
            text = "[" + String.join(",", items) + "]";
        } else {
            // Operations print as JSON (their own escapes); a trace's line breaks are layout.
            text = escapeNonAscii(String.valueOf(value), true);
        }
        return text.length() > 3_000 ? text.substring(0, 3_000) + "... (" + text.length() + " chars; replay the seed)"
                : text;
    }

    private static String quote(String s) {
        return "\"" + escapeNonAscii(s.replace("\\", "\\\\").replace("\"", "\\\""), false) + "\"";
    }

    private static String escapeNonAscii(String s, boolean keepLineBreaks) {
        StringBuilder out = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            if ((ch >= 0x20 && ch < 0x7f) || (keepLineBreaks && ch == '\n')) {
                out.append(ch);
            } else if (ch == '\n') {
                out.append("\\n");
            } else {
                out.append(String.format("\\u%04x", (int) ch));
            }
        }
        return out.toString();
    }
}
