package io.coedit.ot;

/**
 * A text selection in code points: where it started ({@code anchor}) and where the caret is
 * ({@code head}). {@code head < anchor} for a selection made backwards; equal ends are a caret.
 *
 * @see TextOperation#transformSelection(Selection, Side)
 */
public record Selection(int anchor, int head) {
    public Selection {
        if (anchor < 0 || head < 0) {
            throw new IllegalArgumentException("selection ends must not be negative, got " + anchor + ", " + head);
        }
    }

    /** A caret at {@code position}. */
    public static Selection caret(int position) {
        return new Selection(position, position);
    }

    /** Whether the selection is a caret (covers no text). */
    public boolean isCollapsed() {
        return anchor == head;
    }

    /** The smaller end. */
    public int start() {
        return Math.min(anchor, head);
    }

    /** The larger end. */
    public int end() {
        return Math.max(anchor, head);
    }
}
