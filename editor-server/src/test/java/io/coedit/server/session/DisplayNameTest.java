package io.coedit.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DisplayNameTest {
    @Test
    void astralLettersWhoseLowBitsLookLikeASurrogateAreLetters() {
        // U+1D800 (SignWriting) and U+2D800 (a CJK ideograph): cut to 16 bits, D800 is a surrogate; whole, they are not.
        String signWriting = new String(Character.toChars(0x1D800));
        String ideograph = new String(Character.toChars(0x2D800));
        assertEquals("Ann " + signWriting, DisplayName.check("Ann " + signWriting));
        assertEquals(ideograph + ideograph, DisplayName.check(ideograph + ideograph));
    }

    @Test
    void aLoneSurrogateIsRefusedWhereverItStands() {
        for (String name : new String[] {"\uD800", "a\uD800", "\uDC00ab", "ab\uDFFF", "\uD83D\uDE00\uDE00", "a\uD83D\uDE00\uD83D"}) {
            assertEquals("the display name contains a lone surrogate",
                    assertThrows(IllegalArgumentException.class, () -> DisplayName.check(name)).getMessage(), name);
        }
    }
}
