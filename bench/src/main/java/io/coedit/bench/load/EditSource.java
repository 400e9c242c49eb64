package io.coedit.bench.load;

import io.coedit.ot.Side;
import io.coedit.ot.TextOperation;
import java.util.Random;

/** Where a writer's next keystroke comes from. Called with the writer's lock held. */
interface EditSource {
    /** The next edit of a document of {@code length} code points, or null when there are no more. */
    TextOperation next(int length);

    /** A remote operation, as applied locally, moved the text: keep any positions up to date. */
    default void remote(TextOperation applied) {}

    /** Whether every edit has been produced. */
    default boolean finished() {
        return false;
    }

    /**
     * Random small edits: mostly inserts of 1 to 6 characters, some deletes; the document is
     * kept between a few dozen and a few thousand code points so that ops stay small.
     */
    final class RandomEdits implements EditSource {
        private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz     \né";
        private final Random random;

        RandomEdits(long seed) {
            this.random = new Random(seed);
        }

        @Override
        public TextOperation next(int length) {
            boolean delete = length > 4_000 || (length > 50 && random.nextInt(10) < 3);
            if (delete) {
                int at = random.nextInt(length);
                return TextOperation.delete(at, 1 + random.nextInt(Math.min(4, length - at)));
            }
            int n = 1 + random.nextInt(6);
            StringBuilder s = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            return TextOperation.insert(random.nextInt(length + 1), s.toString());
        }
    }

    /**
     * Keystrokes {@code from} to {@code to} of an editing trace, typed into this writer's region
     * of a shared document. The region starts at {@code regionStart} and holds exactly the
     * trace's document as of keystroke {@code from}, so a keystroke's trace position is its
     * offset in the region. Other writers edit only their own regions (separated by a newline
     * that nobody touches), so their operations only ever move where the region starts.
     */
    final class TraceEdits implements EditSource {
        private final TracePlan.Part part;
        private int next;
        private int regionStart;

        TraceEdits(TracePlan.Part part, int regionStart) {
            this.part = part;
            this.next = part.from();
            this.regionStart = regionStart;
        }

        @Override
        public TextOperation next(int length) {
            if (next >= part.to()) {
                return null;
            }
            int k = next++;
            return TextOperation.splice(regionStart + part.trace().position(k), part.trace().deleteCount(k),
                    part.trace().insertText(k));
        }

        @Override
        public void remote(TextOperation applied) {
            // An insert from the region before lands at most at the separator, before our start.
            regionStart = applied.transformPosition(regionStart, Side.RIGHT);
        }

        @Override
        public boolean finished() {
            return next >= part.to();
        }

        int regionStart() {
            return regionStart;
        }
    }
}
