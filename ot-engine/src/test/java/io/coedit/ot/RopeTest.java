package io.coedit.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RopeTest {
    private static final String EMOJI = "😀";

    @Test
    void emptyRope() {
        Rope rope = new Rope();
        assertEquals(0, rope.length());
        assertEquals("", rope.toString());
        rope.apply(TextOperation.insert(0, "hi"));
        assertEquals("hi", rope.toString());
    }

    @Test
    void countsCodePointsAndUtf16Units() {
        Rope rope = Rope.of("a" + EMOJI + "b");
        assertEquals(3, rope.length());
        assertEquals(4, rope.utf16Length());
        assertEquals(EMOJI.codePointAt(0), rope.codePointAt(1));
        assertEquals(EMOJI + "b", rope.substring(1, 3));
    }

    @Test
    void largeDocumentSpansManyLeavesAndStaysExact() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append(i % 7 == 0 ? EMOJI : String.valueOf((char) ('a' + i % 26)));
        }
        Rope rope = Rope.of(text.toString());
        assertEquals(text.toString(), rope.toString());
        assertEquals(text.codePointCount(0, text.length()), rope.length());

        String reference = text.toString();
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            int length = reference.codePointCount(0, reference.length());
            int position = random.nextInt(length + 1);
            int deleteCount = random.nextInt(Math.min(40, length - position) + 1);
            String insert = random.nextBoolean() ? "x" + EMOJI : "";
            TextOperation op = TextOperation.splice(position, deleteCount, insert);
            rope.apply(op);
            reference = op.apply(reference);
        }
        assertEquals(reference, rope.toString());
        assertEquals(reference.codePointCount(0, reference.length()), rope.length());
    }

    @Test
    void deletingAcrossManyLeavesAndEverything() {
        String text = "0123456789".repeat(1_000);
        Rope rope = Rope.of(text);
        rope.delete(5, 9_990);
        assertEquals("0123456789", rope.toString());
        rope.delete(0, 10);
        assertEquals("", rope.toString());
        rope.insert(0, "again");
        assertEquals("again", rope.toString());
    }

    @Test
    void typingOneKeyAtATimeIntoABigDocument() {
        Rope rope = Rope.of("x".repeat(100_000));
        StringBuilder typed = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            char c = (char) ('a' + i % 26);
            rope.insert(50_000 + i, String.valueOf(c));
            typed.append(c);
        }
        for (int i = 0; i < 1_000; i++) {
            rope.delete(50_000 + typed.length() - 1, 1);
            typed.setLength(typed.length() - 1);
        }
        assertEquals("x".repeat(50_000) + typed + "x".repeat(50_000), rope.toString());
    }

    @Test
    void anOpThatDoesNotFitChangesNothing() {
        Rope rope = Rope.of("abc");
        TextOperation tooLong = TextOperation.of(Component.insert("Z"), Component.retain(2), Component.delete(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rope.apply(tooLong));
        assertEquals("op deletes past the end of a 3-code-point document: component 2 deletes 5 from position 2",
                e.getMessage());
        assertEquals("abc", rope.toString());
    }

    @Test
    void rangesOutsideTheDocumentAreRejected() {
        Rope rope = Rope.of("abc");
        assertThrows(IllegalArgumentException.class, () -> rope.insert(4, "x"));
        assertThrows(IllegalArgumentException.class, () -> rope.delete(2, 2));
        assertThrows(IllegalArgumentException.class, () -> rope.substring(2, 1));
        assertThrows(IllegalArgumentException.class, () -> rope.insert(0, "\uD800"));
        assertEquals("abc", rope.toString());
    }

    @Test
    void longInsertDoesNotSplitSurrogatePairsBetweenLeaves() {
        String text = ("ab" + EMOJI).repeat(2_000);
        Rope rope = Rope.of("");
        rope.insert(0, text);
        assertEquals(text, rope.toString());
        assertEquals(6_000, rope.length());
        assertEquals(EMOJI + "ab", rope.substring(2, 5));
    }
}
