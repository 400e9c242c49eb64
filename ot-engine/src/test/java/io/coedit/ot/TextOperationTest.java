package io.coedit.ot;

import static io.coedit.ot.Component.delete;
import static io.coedit.ot.Component.insert;
import static io.coedit.ot.Component.retain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Hand-picked edge cases; the random properties live in PropertyTest. */
class TextOperationTest {
    private static final String EMOJI = "😀"; // one code point, two UTF-16 units
    private static final String ASTRAL = "𝒳";

    @Nested
    class CanonicalForm {
        @Test
        void neighboursOfOneKindMerge() {
            TextOperation op = TextOperation.of(retain(1), retain(2), insert("a"), insert("b"), delete(1), delete(2));
            assertEquals(List.of(retain(3), insert("ab"), delete(3)), op.components());
        }

        @Test
        void insertsAndDeletesKeepTheirOrder() {
            // Same text, different edits: each puts "x" on another side of a concurrent insert at 2.
            assertNotEquals(TextOperation.of(insert("x"), delete(2)), TextOperation.of(delete(2), insert("x")));
            assertEquals(List.of(delete(2), insert("x")), TextOperation.of(delete(2), insert("x")).components());
            assertEquals(List.of(delete(1), insert("x"), delete(1), insert("y")),
                    TextOperation.of(delete(1), insert("x"), delete(1), insert("y")).components());
            assertEquals(List.of(insert("x"), delete(2), insert("y")),
                    TextOperation.of(insert("x"), delete(1), delete(1), insert("y")).components());
        }

        @Test
        void aDeleteThenInsertTransformsAsOtTextUnicodeDoes() {
            // ot-text-unicode 4.0.0: transform([1,{d:1},"X"], [2,"Y"], "right") == [1,{d:1},1,"X"],
            // and transform([2,"Y"], [1,{d:1},"X"], "left") == [1,"Y"]: both end on "aYXc".
            TextOperation replace = TextOperation.of(retain(1), delete(1), insert("X"));
            TextOperation insertY = TextOperation.insert(2, "Y");
            assertEquals(TextOperation.of(retain(1), delete(1), retain(1), insert("X")),
                    TextOperation.transform(replace, insertY, Side.RIGHT));
            assertEquals(TextOperation.insert(1, "Y"), TextOperation.transform(insertY, replace, Side.LEFT));
            assertEquals("aYXc", TextOperation.transform(replace, insertY, Side.RIGHT).apply(insertY.apply("abc")));
        }

        @Test
        void trailingRetainIsDroppedButStillMustFit() {
            assertEquals(List.of(insert("a")), TextOperation.of(insert("a"), retain(5)).components());
            assertEquals("[\"a\"]", TextOperation.of(insert("a"), retain(5)).toString());
            assertTrue(TextOperation.of(retain(7)).isNoop());
            assertEquals("ab", TextOperation.of(retain(2)).apply("ab"));
            assertEquals("aabcde", TextOperation.of(insert("a"), retain(5)).apply("abcde"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TextOperation.of(retain(3)).apply("ab"));
            assertEquals("op retains past the end of a 2-code-point document: component 0 retains 3 from position 0",
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TextOperation.of(retain(Integer.MAX_VALUE)).apply("ab"));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.of(insert("a"), retain(5)).apply("abcd"));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.of(retain(3)).resultLength(2));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.invert(TextOperation.of(retain(3)), "ab"));
        }

        @Test
        void emptyComponentsAreRejectedOrIgnored() {
            assertThrows(IllegalArgumentException.class, () -> retain(0));
            assertThrows(IllegalArgumentException.class, () -> delete(-1));
            assertThrows(IllegalArgumentException.class, () -> insert(""));
            assertTrue(TextOperation.builder().retain(0).insert("").delete(0).build().isNoop());
        }

        @Test
        void equalEditsAreEqual() {
            assertEquals(TextOperation.splice(2, 1, "q"), TextOperation.of(retain(1), retain(1), delete(1), insert("q")));
            assertEquals(TextOperation.splice(2, 1, "q").hashCode(),
                    TextOperation.of(retain(2), delete(1), insert("q")).hashCode());
            assertNotEquals(TextOperation.insert(1, "a"), TextOperation.insert(2, "a"));
        }

        @Test
        void lengthsAreCodePoints() {
            TextOperation op = TextOperation.of(retain(2), insert(EMOJI + "a"), delete(3));
            assertEquals(5, op.baseLength());
            assertEquals(-1, op.lengthChange());
            assertEquals(9, op.resultLength(10));
            assertEquals(2, ((Component.Insert) op.components().get(1)).length());
        }

        @Test
        void toStringIsTheWireForm() {
            assertEquals("[2,\"a\\\"\\n\",{\"d\":1}]", TextOperation.of(retain(2), insert("a\"\n"), delete(1)).toString());
            assertEquals("[]", TextOperation.NOOP.toString());
        }
    }

    @Nested
    class Apply {
        @Test
        void emptyDocument() {
            assertEquals("hi", TextOperation.insert(0, "hi").apply(""));
            assertEquals("", TextOperation.NOOP.apply(""));
        }

        @Test
        void editsAtBothEnds() {
            assertEquals(">abc<", TextOperation.of(insert(">"), retain(3), insert("<")).apply("abc"));
            assertEquals("b", TextOperation.of(delete(1), retain(1), delete(1)).apply("abc"));
        }

        @Test
        void untouchedTailIsKept() {
            assertEquals("aXbcdef", TextOperation.insert(1, "X").apply("abcdef"));
        }

        @Test
        void astralCharactersCountAsOne() {
            String doc = "a" + EMOJI + "b" + ASTRAL + "c";
            assertEquals("a" + EMOJI + "!b" + ASTRAL + "c", TextOperation.insert(2, "!").apply(doc));
            assertEquals("a" + EMOJI + "b", TextOperation.delete(3, 2).apply(doc));
            assertEquals("ab" + ASTRAL + "c", TextOperation.delete(1, 1).apply(doc));
        }

        @Test
        void combiningMarksAreSeparateCodePoints() {
            String doc = "e\u0301t"; // é as e + combining acute
            assertEquals("et", TextOperation.delete(1, 1).apply(doc));
            assertEquals("e\u0301\u0301t", TextOperation.insert(2, "\u0301").apply(doc));
        }

        @Test
        void retainPastTheEndSaysWhy() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TextOperation.insert(4, "x").apply("abc"));
            assertEquals("op retains past the end of a 3-code-point document: component 0 retains 4 from position 0",
                    e.getMessage());
        }

        @Test
        void deletePastTheEndSaysWhy() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TextOperation.delete(1, 3).apply("a" + EMOJI + "c"));
            assertEquals("op deletes past the end of a 3-code-point document: component 1 deletes 3 from position 1",
                    e.getMessage());
        }

        @Test
        void loneSurrogatesAreRejected() {
            assertThrows(IllegalArgumentException.class, () -> insert("a\uD83D"));
            assertThrows(IllegalArgumentException.class, () -> insert("\uDE00b"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TextOperation.insert(0, "x").apply("ab\uD83D"));
            assertEquals("document has a lone surrogate U+D83D at UTF-16 index 2", e.getMessage());
        }

        @Test
        void insertsAreCheckedAtThePublicBoundaryOnly() {
            assertThrows(IllegalArgumentException.class, () -> new Component.Insert("a\uD83D"));
            assertThrows(IllegalArgumentException.class, () -> Component.insert("\uDE00b"));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.builder().insert("x\uD83D"));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.splice(0, 0, "\uD83D"));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.insert(0, "\uDE00"));
            // Inside, an insert's text and length are trusted: compose, transform and invert
            // slice and join them without scanning them again (typing k characters into a
            // buffer would otherwise cost k^2). A value the engine made itself is not checked,
            // which this one, made through the package's trusting constructor, shows.
            Component.Insert trusted = new Component.Insert("\uD83Dx", 2);
            TextOperation typed = TextOperation.compose(TextOperation.of(trusted), TextOperation.insert(2, "y"));
            assertEquals("[\"\uD83Dxy\"]", typed.toString());
            assertEquals("[\"\uD83D\"]", TextOperation.compose(typed, TextOperation.delete(1, 2)).toString());
            assertEquals("[3,\"x\"]",
                    TextOperation.transform(TextOperation.insert(1, "x"), TextOperation.of(trusted), Side.RIGHT).toString());
            assertEquals("[{\"d\":2}]", TextOperation.invert(TextOperation.of(trusted), "").toString());
        }
    }

    @Nested
    class Utf16Edges {
        @Test
        void convertsUtf16SpliceToCodePoints() {
            String doc = EMOJI + "ab"; // UTF-16: [hi, lo, a, b]
            assertEquals(TextOperation.splice(1, 1, "X"), TextOperation.spliceUtf16(doc, 2, 1, "X"));
            assertEquals(TextOperation.delete(0, 1), TextOperation.spliceUtf16(doc, 0, 2, ""));
        }

        @Test
        void rejectsSplittingASurrogatePair() {
            String doc = "a" + EMOJI;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TextOperation.spliceUtf16(doc, 2, 0, "x"));
            assertEquals("UTF-16 index 2 splits a surrogate pair", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TextOperation.spliceUtf16(doc, 1, 1, ""));
            assertThrows(IllegalArgumentException.class, () -> TextOperation.spliceUtf16(doc, 2, 5, ""));
        }
    }

    @Nested
    class Compose {
        @Test
        void composeEqualsSequentialApply() {
            String doc = "hello world";
            TextOperation a = TextOperation.of(retain(5), insert(","), retain(1), delete(5), insert("there"));
            TextOperation b = TextOperation.of(delete(1), insert("J"), retain(5), insert("you "));
            assertEquals(b.apply(a.apply(doc)), TextOperation.compose(a, b).apply(doc));
        }

        @Test
        void deleteOfJustInsertedTextCancels() {
            TextOperation a = TextOperation.insert(1, "xyz");
            TextOperation b = TextOperation.delete(1, 3);
            assertTrue(TextOperation.compose(a, b).isNoop());
        }

        @Test
        void composeWithNoopIsIdentity() {
            TextOperation a = TextOperation.splice(3, 2, EMOJI);
            assertSame(a, TextOperation.compose(a, TextOperation.NOOP));
            assertSame(a, TextOperation.compose(TextOperation.NOOP, a));
        }

        @Test
        void secondOpMayReachPastWhatTheFirstTouched() {
            TextOperation a = TextOperation.insert(0, "a");
            TextOperation b = TextOperation.delete(5, 1);
            assertEquals("a1234", TextOperation.compose(a, b).apply("12345"));
        }
    }

    @Nested
    class Transform {
        private void assertConverges(String doc, TextOperation a, TextOperation b) {
            String viaB = TextOperation.transform(a, b, Side.LEFT).apply(b.apply(doc));
            String viaA = TextOperation.transform(b, a, Side.RIGHT).apply(a.apply(doc));
            assertEquals(viaB, viaA);
        }

        @Test
        void insertsAtTheSamePlaceFollowTheSide() {
            TextOperation mine = TextOperation.insert(1, "M");
            TextOperation theirs = TextOperation.insert(1, "T");
            assertEquals("aMTb", TextOperation.transform(mine, theirs, Side.LEFT).apply(theirs.apply("ab")));
            assertEquals("aTMb", TextOperation.transform(mine, theirs, Side.RIGHT).apply(theirs.apply("ab")));
            assertConverges("ab", mine, theirs);
        }

        @Test
        void overlappingDeletesDeleteOnce() {
            TextOperation a = TextOperation.delete(1, 3); // abcdef -> aef
            TextOperation b = TextOperation.delete(2, 3); // abcdef -> abf
            assertEquals("af", TextOperation.transform(a, b, Side.LEFT).apply(b.apply("abcdef")));
            assertConverges("abcdef", a, b);
        }

        @Test
        void sameDeleteOnBothSidesBecomesNoop() {
            TextOperation a = TextOperation.delete(2, 2);
            assertTrue(TextOperation.transform(a, a, Side.LEFT).isNoop());
        }

        @Test
        void insertInsideADeletedRangeSurvives() {
            TextOperation ins = TextOperation.insert(3, "X");
            TextOperation del = TextOperation.delete(1, 4);
            assertEquals("aXf", TextOperation.transform(ins, del, Side.LEFT).apply(del.apply("abcdef")));
            assertConverges("abcdef", ins, del);
        }

        @Test
        void astralInsertsShiftByOneCodePoint() {
            TextOperation a = TextOperation.insert(0, EMOJI);
            TextOperation b = TextOperation.insert(1, ASTRAL);
            assertEquals(TextOperation.insert(2, ASTRAL), TextOperation.transform(b, a, Side.LEFT));
            assertConverges("xy", a, b);
        }

        @Test
        void transformAgainstNoopIsIdentity() {
            TextOperation a = TextOperation.splice(1, 1, "z");
            assertSame(a, TextOperation.transform(a, TextOperation.NOOP, Side.RIGHT));
            assertTrue(TextOperation.transform(TextOperation.NOOP, a, Side.LEFT).isNoop());
        }
    }

    @Nested
    class Invert {
        @Test
        void invertRestoresTheDocument() {
            String doc = "a" + EMOJI + "bc" + ASTRAL;
            TextOperation op = TextOperation.of(retain(1), delete(2), insert("Z"), retain(1), delete(1), insert("!"));
            TextOperation inverse = TextOperation.invert(op, doc);
            assertEquals(doc, inverse.apply(op.apply(doc)));
            assertEquals(List.of(retain(1), insert(EMOJI + "b"), delete(1), retain(1), insert(ASTRAL), delete(1)),
                    inverse.components());
        }

        @Test
        void invertOfAnOpThatDoesNotFitIsRejected() {
            assertThrows(IllegalArgumentException.class, () -> TextOperation.invert(TextOperation.delete(0, 3), "ab"));
        }
    }

    @Nested
    class Positions {
        private final TextOperation insertAt2 = TextOperation.insert(2, "xyz");

        @Test
        void cursorBeforeAnInsertStays() {
            assertEquals(1, insertAt2.transformPosition(1, Side.LEFT));
            assertEquals(1, insertAt2.transformPosition(1, Side.RIGHT));
        }

        @Test
        void cursorAtTheInsertFollowsTheSide() {
            assertEquals(2, insertAt2.transformPosition(2, Side.LEFT));
            assertEquals(5, insertAt2.transformPosition(2, Side.RIGHT));
        }

        @Test
        void cursorAfterAnInsertShifts() {
            assertEquals(6, insertAt2.transformPosition(3, Side.LEFT));
        }

        @Test
        void cursorInsideADeleteMovesToItsStart() {
            TextOperation del = TextOperation.delete(2, 4);
            assertEquals(2, del.transformPosition(4, Side.LEFT));
            assertEquals(2, del.transformPosition(6, Side.RIGHT));
            assertEquals(3, del.transformPosition(7, Side.LEFT));
        }

        @Test
        void selectionEndsMoveIndependently() {
            Selection s = new Selection(1, 4);
            Selection moved = TextOperation.insert(2, "ab").transformSelection(s, Side.LEFT);
            assertEquals(new Selection(1, 6), moved);
            assertFalse(moved.isCollapsed());
        }

        @Test
        void positionsFarPastTheEndDoNotWrap() {
            assertEquals(Integer.MAX_VALUE, TextOperation.insert(0, "x").transformPosition(Integer.MAX_VALUE, Side.LEFT));
        }

        @Test
        void nullComponentIsRejectedClearly() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TextOperation.of(java.util.Arrays.asList(Component.retain(1), null)));
            assertEquals("component must not be null", e.getMessage());
        }

        @Test
        void negativePositionsAreRejected() {
            assertThrows(IllegalArgumentException.class, () -> insertAt2.transformPosition(-1, Side.LEFT));
            assertThrows(IllegalArgumentException.class, () -> new Selection(-1, 0));
        }
    }
}
