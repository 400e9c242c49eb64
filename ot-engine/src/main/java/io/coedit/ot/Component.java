package io.coedit.ot;

/**
 * One step of a {@link TextOperation}, walking the document from its start: keep
 * ({@link Retain}) some code points, add ({@link Insert}) text, or remove ({@link Delete})
 * some code points. All lengths are Unicode code points, never UTF-16 units.
 *
 * <p>Components are values: two with the same content are equal. The canonical form of a
 * whole operation (merged neighbours, no trailing retain) is the job of
 * {@link TextOperation.Builder}, not of single components.
 */
public sealed interface Component permits Component.Retain, Component.Insert, Component.Delete {

    /** The number of code points this component covers: kept, inserted or removed. */
    int length();

    /** Keeps {@code count} code points of the document. */
    static Retain retain(int count) {
        return new Retain(count);
    }

    /** Inserts {@code text}, which must be non-empty and contain no lone surrogate. */
    static Insert insert(String text) {
        return new Insert(text);
    }

    /** Removes {@code count} code points of the document. */
    static Delete delete(int count) {
        return new Delete(count);
    }

    /** Keeps {@code count > 0} code points. */
    record Retain(int count) implements Component {
        public Retain {
            if (count <= 0) {
                throw new IllegalArgumentException("retain count must be positive, got " + count);
            }
        }

        @Override
        public int length() {
            return count;
        }
    }

    /**
     * Inserts non-empty, well-formed {@code text} of {@code length} code points. The length
     * is carried because operations are measured in code points and counting them again at
     * every step of compose and transform would cost a scan each time.
     */
    record Insert(String text, int length) implements Component {
        public Insert {
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("insert text must be non-empty");
            }
            int points = CodePoints.countWellFormed(text, "insert text");
            if (length != points) {
                throw new IllegalArgumentException(
                        "insert length " + length + " does not match its text's " + points + " code points");
            }
        }

        /** Inserts {@code text}, counting its code points. */
        public Insert(String text) {
            this(text, text == null ? 0 : text.codePointCount(0, text.length()));
        }
    }

    /** Removes {@code count > 0} code points. */
    record Delete(int count) implements Component {
        public Delete {
            if (count <= 0) {
                throw new IllegalArgumentException("delete count must be positive, got " + count);
            }
        }

        @Override
        public int length() {
            return count;
        }
    }
}
