package io.coedit.ot;

/** Code point arithmetic on UTF-16 strings, shared by the operation and the rope. */
final class CodePoints {
    private CodePoints() {}

    /**
     * Counts the code points of {@code text}, rejecting a lone surrogate: positions are
     * counted in code points, so half a pair has no position of its own.
     *
     * @throws IllegalArgumentException naming the UTF-16 index of the first lone surrogate
     */
    static int countWellFormed(CharSequence text, String what) {
        int n = text.length();
        int points = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException(
                            what + " has a lone surrogate U+" + Integer.toHexString(c).toUpperCase()
                                    + " at UTF-16 index " + i);
                }
            }
            points++;
        }
        return points;
    }

    /** The UTF-16 index of the code point {@code points} code points after {@code from}. */
    static int offset(String text, int from, int points, boolean ascii) {
        return ascii ? from + points : text.offsetByCodePoints(from, points);
    }

    /** Code point {@code [from, from + points)} of {@code text}, which has {@code textPoints} code points. */
    static String slice(String text, int textPoints, int from, int points) {
        if (text.length() == textPoints) {
            return text.substring(from, from + points);
        }
        int start = text.offsetByCodePoints(0, from);
        return text.substring(start, text.offsetByCodePoints(start, points));
    }
}
