package io.coedit.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SurrogatesTest {
    private static final String PAIR = "\uD83D\uDE00"; // U+1F600
    private static final char HIGH = '\uD83D';
    private static final char LOW = '\uDE00';

    @Test
    void wellFormedTextHasNone() {
        assertEquals(-1, Surrogates.indexOfLone(""));
        assertEquals(-1, Surrogates.indexOfLone("plain"));
        // Pairs starting at even and at odd offsets, and one at the very end.
        assertEquals(-1, Surrogates.indexOfLone(PAIR + "a" + PAIR + PAIR + "bc" + PAIR));
        // A supplementary character whose low 16 bits fall in the surrogate range is still one character.
        assertEquals(-1, Surrogates.indexOfLone(new String(Character.toChars(0x1D800))));
    }

    @Test
    void aLoneHighSurrogateIsFoundAtEvenAndOddOffsets() {
        assertEquals(0, Surrogates.indexOfLone(HIGH + "a"));
        assertEquals(1, Surrogates.indexOfLone("a" + HIGH));
        assertEquals(2, Surrogates.indexOfLone(PAIR + HIGH + "x"));
        assertEquals(3, Surrogates.indexOfLone("a" + PAIR + HIGH));
        assertEquals(4, Surrogates.indexOfLone(PAIR + PAIR + HIGH + HIGH + LOW));
        assertEquals(5, Surrogates.indexOfLone("a" + PAIR + PAIR + HIGH + "b"));
    }

    @Test
    void aLoneLowSurrogateIsFoundAtEvenAndOddOffsets() {
        assertEquals(0, Surrogates.indexOfLone(LOW + PAIR));
        assertEquals(1, Surrogates.indexOfLone("a" + LOW));
        assertEquals(2, Surrogates.indexOfLone(PAIR + LOW));
        assertEquals(3, Surrogates.indexOfLone("a" + PAIR + LOW + PAIR));
        // Two lows in a row: the second is not the partner of the first.
        assertEquals(4, Surrogates.indexOfLone(PAIR + "ab" + LOW + LOW));
        assertEquals(5, Surrogates.indexOfLone("abc" + PAIR + LOW));
    }

    @Test
    void aReversedPairIsTwoLoneHalves() {
        assertEquals(0, Surrogates.indexOfLone("" + LOW + HIGH));
        assertEquals(1, Surrogates.indexOfLone("a" + LOW + HIGH));
    }

    @Test
    void hasLoneAgreesWithIndexOfLone() {
        assertEquals(false, Surrogates.hasLone("a" + PAIR));
        assertEquals(true, Surrogates.hasLone("a" + PAIR + HIGH));
    }
}
