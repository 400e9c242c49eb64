package io.coedit.ot;

/**
 * Which of two concurrent operations wins a tie: two inserts at the same position, or a
 * cursor sitting exactly where the other operation inserts.
 *
 * <p>In {@code transform(op, other, LEFT)} the inserts of {@code op} end up before those of
 * {@code other} at the same position; with {@code RIGHT} they end up after. A central
 * server transforms an incoming client operation as {@code RIGHT} against the history it
 * missed, so whatever was committed first stays first.
 */
public enum Side {
    LEFT,
    RIGHT;

    /** The other side: {@code transform(a, b, s)} pairs with {@code transform(b, a, s.opposite())}. */
    public Side opposite() {
        return this == LEFT ? RIGHT : LEFT;
    }
}
