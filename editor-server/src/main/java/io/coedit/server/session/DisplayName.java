package io.coedit.server.session;

import io.coedit.server.internal.Surrogates;

/**
 * The one check of a display name, wherever it comes from ({@code hello}'s {@code name}, a
 * token's {@code name} claim): every peer shows it beside a caret, in the participant list
 * and on each chat line, so it must not be able to disguise itself or what surrounds it.
 *
 * <p>Refused: more than {@value #MAX_CODE_POINTS} code points (after surrounding whitespace is
 * stripped); control characters (C0, C1, and the line and paragraph separators); the
 * bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069), which reorder
 * the text displayed after them, so that a name could make the next chat line read backwards;
 * lone surrogates; and names that show nothing, made only of whitespace and characters with
 * no glyph of their own (format characters such as zero-width spaces and joiners, combining
 * marks with no base, and the blank "filler" letters), which would put an invisible person in
 * the list. Letters of any script, emoji sequences (with their joiners) and the implicit
 * direction marks (U+200E, U+200F) are fine.
 *
 * <p>The messages name the rule and the offending character, and are the same on both paths
 * (the caller says where the name came from); the wire code is {@code invalid_name}.
 */
public final class DisplayName {
    /** The longest name, in code points. */
    public static final int MAX_CODE_POINTS = 64;

    private DisplayName() {}

    /**
     * {@code name} without surrounding whitespace, if it is a name to show; the empty string
     * (no name) stays empty, but whitespace alone shows nothing and is refused.
     *
     * @throws IllegalArgumentException saying which rule it breaks
     */
    public static String check(String name) {
        String stripped = name.strip();
        int length = stripped.codePointCount(0, stripped.length());
        if (length > MAX_CODE_POINTS) {
            throw new IllegalArgumentException("the display name has " + length + " characters, more than "
                    + MAX_CODE_POINTS);
        }
        boolean visible = false;
        int lone = Surrogates.indexOfLone(stripped);
        for (int i = 0; i < stripped.length(); ) {
            int c = stripped.codePointAt(i);
            if (i == lone) {
                throw new IllegalArgumentException("the display name contains a lone surrogate");
            }
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                throw new IllegalArgumentException("the display name contains a control character (" + hex(c) + ")");
            }
            if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
                throw new IllegalArgumentException("the display name contains a bidirectional control (" + hex(c)
                        + "), which would reorder the text shown after it");
            }
            visible |= !blank(c);
            i += Character.charCount(c);
        }
        if (!visible && !name.isEmpty()) {
            throw new IllegalArgumentException("the display name shows nothing: it holds only spaces or invisible characters");
        }
        return stripped;
    }

    /** Whether {@code c} shows nothing by itself. */
    private static boolean blank(int c) {
        if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
            return true;
        }
        switch (Character.getType(c)) {
            case Character.FORMAT, Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK:
                return true;
            default:
                break;
        }
        // Letters and symbols drawn blank: Hangul fillers, the Mongolian vowel separator, the blank braille pattern.
        return c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x180E || c == 0x2800;
    }

    private static String hex(int c) {
        return String.format(java.util.Locale.ROOT, "U+%04X", c);
    }
}
