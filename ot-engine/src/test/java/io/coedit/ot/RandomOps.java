package io.coedit.ot;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded generators of documents and operations for the property tests and the conformance
 * vectors. Everything comes from one {@link SplittableRandom}, so a seed reproduces a case
 * exactly.
 *
 * <p>The text mixes one-UTF-16-unit and two-unit (astral) code points and multi-code-point
 * clusters, because code point versus UTF-16 confusion is the bug class most worth finding:
 * an astral character is one position but two {@code char}s, and an accented letter written
 * as {@code e} plus a combining mark is two positions that look like one.
 */
final class RandomOps {
    /** Single code points: ASCII, JSON-special, 2- and 3-byte UTF-8, astral, a lone combining mark. */
    private static final String[] CODE_POINTS = {
        "a", "b", "c", "d", "x", "y", "z", "A", "0", " ", "\n", "\t", "\"", "\\", "\u0001",
        "é", "ß", "ñ", "Ж", "λ", "中", "文", "字", "한", "\u2028", "\u0301",
        "😀", "𝒳", "🎉", "𐍈",
    };

    /** Clusters that look like one character but are several code points. */
    private static final String[] CLUSTERS = {
        "e\u0301", // e + combining acute
        "👍🏽", // thumbs up + skin tone modifier (two astral code points)
        "👨‍👩‍👧", // man ZWJ woman ZWJ girl (five code points)
        "🇫🇷", // two regional indicators
    };

    private final SplittableRandom random;

    RandomOps(long seed) {
        this.random = new SplittableRandom(seed);
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** A number in {@code [low, high]}. */
    int between(int low, int high) {
        return low + random.nextInt(high - low + 1);
    }

    boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    /** Text of exactly {@code points} code points. */
    String text(int points) {
        StringBuilder s = new StringBuilder();
        int left = points;
        while (left > 0) {
            if (left >= 2 && chance(0.1)) {
                String cluster = CLUSTERS[random.nextInt(CLUSTERS.length)];
                int n = cluster.codePointCount(0, cluster.length());
                if (n <= left) {
                    s.append(cluster);
                    left -= n;
                    continue;
                }
            }
            s.append(CODE_POINTS[random.nextInt(CODE_POINTS.length)]);
            left--;
        }
        return s.toString();
    }

    /** Text of {@code points} code points that is mostly plain ASCII, as real documents are. */
    String mostlyAsciiText(int points) {
        StringBuilder s = new StringBuilder();
        int left = points;
        while (left > 0) {
            if (chance(0.03)) {
                int n = Math.min(left, between(1, 4));
                s.append(text(n));
                left -= n;
            } else {
                s.append((char) ('a' + random.nextInt(26)));
                left--;
            }
        }
        return s.toString();
    }

    /** A document of a random size: often empty or tiny, where edge cases live. */
    String document() {
        int roll = random.nextInt(100);
        int points;
        if (roll < 8) {
            points = 0;
        } else if (roll < 33) {
            points = between(1, 4);
        } else if (roll < 78) {
            points = between(5, 20);
        } else if (roll < 98) {
            points = between(21, 80);
        } else {
            points = between(81, 400);
        }
        return text(points);
    }

    /** A document of at least {@code minChars} UTF-16 units: long ASCII runs with astral and other text mixed in. */
    String largeDocument(int minChars) {
        StringBuilder s = new StringBuilder(minChars + 64);
        while (s.length() < minChars) {
            int roll = random.nextInt(10);
            if (roll < 6) {
                s.append(mostlyAsciiText(between(1, 200)));
            } else if (roll < 9) {
                s.append(text(between(1, 50)));
            } else {
                // A run of astral characters, so that leaves full of surrogate pairs get split.
                for (int k = between(1, 700); k > 0; k--) {
                    s.append(chance(0.5) ? "😀" : "𝒳");
                }
            }
        }
        return s.toString();
    }

    /** Code points to insert: usually short. */
    private String insertText() {
        return text(chance(0.85) ? between(1, 3) : between(4, 20));
    }

    /** A retain or delete count of at most {@code remaining} (which is positive): usually short. */
    private int count(int remaining) {
        return chance(0.7) ? between(1, Math.min(3, remaining)) : between(1, remaining);
    }

    /** The number of components to draw: at most 8 usually, sometimes many more. */
    private int componentBudget() {
        int roll = random.nextInt(100);
        if (roll < 3) {
            return 0;
        }
        return roll < 92 ? between(1, 8) : between(9, 40);
    }

    /**
     * Components that walk at most {@code length} code points, drawn one by one, not
     * normalised: neighbours may share a kind and an insert may follow a delete.
     */
    private List<Component> drawComponents(int length) {
        List<Component> out = new ArrayList<>();
        int position = 0;
        for (int k = componentBudget(); k > 0; k--) {
            int remaining = length - position;
            int kind = random.nextInt(3);
            if (remaining == 0 && kind != 1) {
                if (chance(0.5)) {
                    break;
                }
                kind = 1;
            }
            if (kind == 0) {
                int n = count(remaining);
                out.add(Component.retain(n));
                position += n;
            } else if (kind == 1) {
                out.add(Component.insert(insertText()));
            } else {
                int n = count(remaining);
                out.add(Component.delete(n));
                position += n;
            }
        }
        return out;
    }

    /** A random canonical operation that applies to any document of {@code length} code points. */
    TextOperation op(int length) {
        return TextOperation.of(drawComponents(length));
    }

    /** A random canonical operation that applies to {@code document}. */
    TextOperation op(String document) {
        return op(document.codePointCount(0, document.length()));
    }

    /**
     * An edit as a user or a whole-document tool makes it on a document of {@code length}:
     * a random operation, a small edit somewhere in the middle, or a large insert or delete.
     */
    TextOperation edit(int length) {
        int roll = random.nextInt(10);
        if (roll < 3 || length == 0) {
            return op(length);
        }
        int at = random.nextInt(length + 1);
        if (roll < 8) {
            // A few keystrokes' worth at one spot.
            TextOperation.Builder b = TextOperation.builder().retain(at);
            int remaining = length - at;
            for (int k = between(1, 3); k > 0; k--) {
                if (remaining > 0 && chance(0.4)) {
                    int n = count(remaining);
                    b.delete(n);
                    remaining -= n;
                } else {
                    b.insert(insertText());
                }
            }
            return b.build();
        }
        if (chance(0.5)) {
            return TextOperation.insert(at, chance(0.5) ? largeDocument(between(1, 3000)) : text(between(1, 600)));
        }
        return TextOperation.delete(at, between(0, length - at));
    }

    /**
     * Components that fit a document of {@code length} but are deliberately not canonical:
     * pieces of one kind side by side, inserts after deletes, a trailing retain.
     */
    List<Component> nonCanonicalComponents(int length) {
        List<Component> drawn = drawComponents(length);
        List<Component> out = new ArrayList<>();
        int walked = 0;
        for (Component c : drawn) {
            if (!(c instanceof Component.Insert)) {
                walked += c.length();
            }
            if (c.length() >= 2 && chance(0.4)) {
                // Split into two neighbours of the same kind.
                int first = between(1, c.length() - 1);
                out.addAll(split(c, first));
            } else {
                out.add(c);
            }
            if (chance(0.15)) {
                out.add(Component.insert(insertText())); // often lands right after a delete
            }
        }
        if (walked < length && chance(0.5)) {
            int tail = between(1, length - walked);
            out.add(Component.retain(tail));
            if (tail >= 2 && chance(0.5)) {
                out.remove(out.size() - 1);
                out.addAll(split(Component.retain(tail), 1));
            }
        }
        return out;
    }

    private static List<Component> split(Component c, int first) {
        int rest = c.length() - first;
        if (c instanceof Component.Retain) {
            return List.of(Component.retain(first), Component.retain(rest));
        }
        if (c instanceof Component.Delete) {
            return List.of(Component.delete(first), Component.delete(rest));
        }
        String text = ((Component.Insert) c).text();
        int cut = text.offsetByCodePoints(0, first);
        return List.of(Component.insert(text.substring(0, cut)), Component.insert(text.substring(cut)));
    }

    /** An operation that walks past the end of a document of {@code length} code points. */
    TextOperation opPastEnd(int length) {
        TextOperation fits = op(length);
        TextOperation.Builder b = TextOperation.builder();
        fits.components().forEach(b::append);
        int over = length - ReferenceText.walkLength(fits.components()) + between(1, 3);
        if (chance(0.5)) {
            b.delete(over);
        } else {
            // A retain only counts if something follows it; a trailing one is dropped.
            b.retain(over).insert(text(1));
        }
        return b.build();
    }
}
