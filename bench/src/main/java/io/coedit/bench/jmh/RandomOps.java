package io.coedit.bench.jmh;

import io.coedit.ot.TextOperation;

import java.util.SplittableRandom;

/**
 * Seeded random operations of the size collaborative typing produces: at most
 * {@value #MAX_COMPONENTS} components, short inserts and deletes between retains. The
 * same seed gives the same operations, so runs of the algebra benchmarks are comparable.
 * Inserted text is ASCII, the common case; the engine's code-point handling of other text
 * is the tests' business, not the benchmarks'.
 */
final class RandomOps {
    static final int MAX_COMPONENTS = 8;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz ";

    private final SplittableRandom random;

    RandomOps(long seed) {
        random = new SplittableRandom(seed);
    }

    /**
     * A random operation that fits a document of {@code documentLength} code points and
     * changes something (a no-op would make transform and compose return at once).
     */
    TextOperation operation(int documentLength) {
        TextOperation op;
        do {
            op = attempt(documentLength);
        } while (op.isNoop());
        return op;
    }

    private TextOperation attempt(int documentLength) {
        TextOperation.Builder op = TextOperation.builder();
        int remaining = documentLength;
        int components = 1 + random.nextInt(MAX_COMPONENTS);
        // Each step adds at most one component, and the builder only ever merges or drops
        // them, so the result has at most MAX_COMPONENTS.
        for (int k = 0; k < components; k++) {
            int kind = random.nextInt(3);
            if (kind == 0 && remaining > 0) {
                int count = 1 + random.nextInt(Math.max(1, remaining / 2));
                op.retain(count);
                remaining -= count;
            } else if (kind == 1 && remaining > 0) {
                int count = 1 + random.nextInt(Math.min(remaining, 4));
                op.delete(count);
                remaining -= count;
            } else {
                op.insert(text(1 + random.nextInt(4)));
            }
        }
        return op.build();
    }

    private String text(int length) {
        char[] chars = new char[length];
        for (int k = 0; k < length; k++) {
            chars[k] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new String(chars);
    }
}
