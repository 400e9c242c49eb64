package io.coedit.ot;

/**
 * One step of a {@link TextOperation}, walking the document from its start: keep
 * ({@link Retain}) some code points, add ({@link Insert}) text, or remove ({@link Delete})
 * some code points. All lengths are Unicode code points, never UTF-16 units.
 *
 * <p>Components are values: two with the same content are equal. The normal form of a
 * whole operation (merged neighbours, no trailing retain, order kept) is the job of
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
     * Inserts non-empty, well-formed {@code text} of {@link #length()} code points. The length
     * is carried because operations are measured in code points and counting them again at
     * every step of compose and transform would cost a scan each time.
     *
     * <p>The text is checked once, where it enters the engine ({@link Component#insert},
     * the public constructor, the builder's {@code insert(String)}, {@code OpJson}), as
     * ot-text-unicode's {@code checkOp} does. Inserts the engine makes itself while
     * composing, transforming or inverting (slices and joins of checked text, or text of a
     * checked document) are trusted: checking them again would turn typing {@code k}
     * characters into a buffer into {@code k²} work. That is why this is a class with a
     * package-private constructor and not a record, whose canonical constructor would be
     * public. A value: equal text means equal inserts.
     */
    final class Insert implements Component {
        private final String text;
        private final int length;

        /**
         * Inserts {@code text}, counting its code points.
         *
         * @throws IllegalArgumentException if it is empty or has a lone surrogate
         */
        public Insert(String text) {
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("insert text must be non-empty");
            }
            this.text = text;
            this.length = CodePoints.countWellFormed(text, "insert text");
        }

        /** Trusted: {@code text} is well-formed and has {@code length > 0} code points. */
        Insert(String text, int length) {
            this.text = text;
            this.length = length;
        }

        /** The inserted text. */
        public String text() {
            return text;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Insert other && text.equals(other.text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }

        @Override
        public String toString() {
            return "Insert[text=" + text + ", length=" + length + "]";
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
