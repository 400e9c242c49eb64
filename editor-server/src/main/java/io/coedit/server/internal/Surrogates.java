package io.coedit.server.internal;

/** Lone surrogates: half a UTF-16 pair, which stands for no character and has no UTF-8 form. */
public final class Surrogates {
    private Surrogates() {}

    /**
     * The UTF-16 index of the first lone surrogate in {@code text}, or -1 if there is none: a
     * low surrogate with no high one just before it, or a high surrogate with no low one just
     * after it.
     */
    public static int indexOfLone(CharSequence text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code text} holds a lone surrogate; see {@link #indexOfLone}. */
    public static boolean hasLone(CharSequence text) {
        return indexOfLone(text) >= 0;
    }
}
