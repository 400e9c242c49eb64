package io.coedit.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TextDigestTest {

    /**
     * The vectors of docs/PROTOCOL.md ("Digests"), also checked by the browser's tests
     * (text-digest.test.js); they were computed by an independent implementation of the
     * definition, not by this class.
     */
    @Test
    void matchesThePublishedVectors() {
        assertEquals("811c9dc59e3779b9", TextDigest.of(""));
        assertEquals("e40c292cd58629b7", TextDigest.of("a"));
        assertEquals("1a47e90bb8feb701", TextDigest.of("abc"));
        assertEquals("4aa48540fd0f3ad7", TextDigest.of("h\u00e9llo"));
        assertEquals("88a361a951b95660", TextDigest.of("a\uD83D\uDE00b"));
        assertEquals("74d2bac3caa73895", TextDigest.of("\u4e2d\u6587 e\u0301 \uD83D\uDC69\u200D\uD83D\uDCBB\n"));
        assertEquals("775d310233dba97f", TextDigest.of("aYXc"));
        assertEquals("1a2a6e34bc937ad3", TextDigest.of("aXYc"));
    }

    @Test
    void aLoneSurrogateCountsAsTheReplacementCharacter() {
        assertEquals(TextDigest.of("a\uFFFDb"), TextDigest.of("a\uD83Db"));
        assertEquals(TextDigest.of("a\uFFFD"), TextDigest.of("a\uDE00"));
        assertEquals(TextDigest.of("\uFFFD"), TextDigest.of(new StringBuilder("\uD83D")));
    }

    @Test
    void aRopeAndAnyCharSequenceDigestLikeTheirString() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        String[] pieces = {"a", "é", "😀", "中", "\n", "𝄞", "e\u0301", "👩\u200D💻"};
        StringBuilder text = new StringBuilder();
        Rope rope = new Rope();
        for (int round = 0; round < 3_000; round++) {
            String piece = pieces[random.nextInt(pieces.length)];
            int at = random.nextInt(rope.length() + 1);
            rope.insert(at, piece);
            text.insert(text.offsetByCodePoints(0, at), piece);
        }
        String expected = TextDigest.of(text.toString());
        assertEquals(expected, TextDigest.of(rope), "seed " + seed);
        assertEquals(expected, TextDigest.of(text), "seed " + seed); // a CharSequence read in chunks
    }

    @Test
    void oneChangedCharacterChangesTheDigest() {
        String text = "x".repeat(10_000);
        String changed = text.substring(0, 5_000) + "y" + text.substring(5_001);
        assertNotEquals(TextDigest.of(text), TextDigest.of(changed));
        assertNotEquals(TextDigest.of("ab"), TextDigest.of("ba"));
    }
}
