package io.coedit.bench.trace;

import io.coedit.ot.Rope;
import io.coedit.ot.TextOperation;

/**
 * Replays an {@link EditingTrace} the way an editor server would meet it: every patch
 * becomes a {@link TextOperation} and is applied to a {@link Rope}. Making the operation
 * is part of the replay on purpose, since a server receives operations, not patches;
 * shared by the {@code trace} command and the JMH benchmark so both measure the same work.
 */
public final class TraceReplay {
    private TraceReplay() {}

    /**
     * The document after every patch of {@code trace}, starting from its start content.
     *
     * @throws IllegalArgumentException if a patch does not fit the document, naming it
     */
    public static Rope replay(EditingTrace trace) {
        Rope rope = Rope.of(trace.startContent());
        int patches = trace.patches();
        int k = 0;
        try {
            for (; k < patches; k++) {
                rope.apply(TextOperation.splice(trace.position(k), trace.deleteCount(k), trace.insertText(k)));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("patch " + k + " [" + trace.position(k) + ", " + trace.deleteCount(k)
                    + ", " + quote(trace.insertText(k)) + "] does not apply: " + e.getMessage(), e);
        }
        return rope;
    }

    private static String quote(String text) {
        int limit = 20; // code points, so the cut never splits a surrogate pair
        String shown = text.codePointCount(0, text.length()) <= limit
                ? text : text.substring(0, text.offsetByCodePoints(0, limit)) + "…";
        return '"' + shown.replace("\n", "\\n") + '"';
    }
}
