package io.coedit.ot;

import io.coedit.ot.Component.Delete;
import io.coedit.ot.Component.Insert;
import io.coedit.ot.Component.Retain;

import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive model of plain-text operations, the oracle the engine is compared
 * against. It shares no code with {@link TextOperation}: a document is an array of code
 * points, and every operation is walked one component and one code point at a time. Speed
 * and elegance do not matter here; being obviously right does.
 *
 * <p>Besides {@link #apply}, it describes an operation by its {@link Effect} on one document
 * (which code points survive, what text goes into which gap between them). The meaning of
 * transform and of position transforms is stated directly on effects, without walking two
 * operations side by side the way the engine does:
 * <ul>
 *   <li>{@link #merge}: the document both sides reach after two concurrent operations, with
 *       one side's inserts first where both insert into the same gap;</li>
 *   <li>{@link #transformPosition}: where a caret in a gap ends up.</li>
 * </ul>
 * Gaps are where an operation's inserts sit, in the order they are written: in
 * {@code [p, {d:n}, "x"]} the insert is in gap {@code p + n}, in {@code [p, "x", {d:n}]}
 * in gap {@code p}. The two give the same text but tie differently with a concurrent
 * insert, which is why the normal form (ot-text-unicode's) never reorders them.
 */
final class ReferenceText {
    private ReferenceText() {}

    /**
     * The code points of {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} has a lone surrogate, which is not a
     *     code point of any document
     */
    static int[] codePoints(String text) {
        int[] points = text.codePoints().toArray();
        for (int p : points) {
            // String.codePoints() passes a lone surrogate through as a "code point" of its own.
            if (p >= Character.MIN_SURROGATE && p <= Character.MAX_SURROGATE) {
                throw new IllegalArgumentException("lone surrogate U+" + Integer.toHexString(p).toUpperCase());
            }
        }
        return points;
    }

    /** The string of these code points. */
    static String string(List<Integer> points) {
        StringBuilder s = new StringBuilder();
        for (int p : points) {
            s.appendCodePoint(p);
        }
        return s.toString();
    }

    /** The number of code points of {@code text}. */
    static int length(String text) {
        return codePoints(text).length;
    }

    /**
     * Applies components in order, canonical or not, code point by code point; what the
     * components do not reach is kept.
     *
     * @throws IllegalArgumentException if a retain or delete runs past the end
     */
    static String apply(String document, List<? extends Component> components) {
        int[] doc = codePoints(document);
        List<Integer> out = new ArrayList<>();
        int at = 0;
        for (Component c : components) {
            if (c instanceof Retain r) {
                for (int k = 0; k < r.count(); k++) {
                    if (at >= doc.length) {
                        throw new IllegalArgumentException("retain past the end at " + at);
                    }
                    out.add(doc[at++]);
                }
            } else if (c instanceof Insert i) {
                for (int p : codePoints(i.text())) {
                    out.add(p);
                }
            } else {
                for (int k = 0; k < ((Delete) c).count(); k++) {
                    if (at >= doc.length) {
                        throw new IllegalArgumentException("delete past the end at " + at);
                    }
                    at++;
                }
            }
        }
        while (at < doc.length) {
            out.add(doc[at++]);
        }
        return string(out);
    }

    /** {@link #apply(String, List)} of an engine operation's components. */
    static String apply(String document, TextOperation op) {
        return apply(document, op.components());
    }

    /**
     * What an operation does to a document of {@code length} code points: {@code kept[i]}
     * says whether code point {@code i} survives, {@code inserted[g]} is the text put into
     * gap {@code g} (the gap before code point {@code g}; gap {@code length} is the end).
     */
    record Effect(boolean[] kept, String[] inserted) {
        int length() {
            return kept.length;
        }
    }

    /**
     * The effect of {@code components} on a document of {@code length} code points, which
     * must be at least as long as the components walk.
     */
    static Effect effect(List<? extends Component> components, int length) {
        boolean[] kept = new boolean[length];
        String[] inserted = new String[length + 1];
        java.util.Arrays.fill(kept, true);
        java.util.Arrays.fill(inserted, "");
        int at = 0;
        for (Component c : components) {
            if (c instanceof Retain r) {
                at += r.count();
            } else if (c instanceof Insert i) {
                inserted[at] += i.text();
            } else {
                for (int k = 0; k < c.length(); k++) {
                    kept[at++] = false;
                }
            }
        }
        if (at > length) {
            throw new IllegalArgumentException("components walk " + at + " code points, more than " + length);
        }
        return new Effect(kept, inserted);
    }

    /** The walk length (retained plus deleted code points) of {@code components}. */
    static int walkLength(List<? extends Component> components) {
        int n = 0;
        for (Component c : components) {
            if (!(c instanceof Insert)) {
                n += c.length();
            }
        }
        return n;
    }

    /**
     * The document two concurrent operations {@code a} and {@code b} on {@code document}
     * should converge to: a code point survives if neither deletes it, every insert
     * survives in its gap (also inside text the other side deletes), and where both insert
     * into one gap, {@code a}'s text comes first if {@code aFirst}. This is the intent
     * {@code transform} must preserve:
     * {@code transform(a, b, LEFT).apply(b.apply(d)) == merge(d, a, b, true)}.
     */
    static String merge(String document, List<? extends Component> a, List<? extends Component> b, boolean aFirst) {
        int[] doc = codePoints(document);
        Effect ea = effect(a, doc.length);
        Effect eb = effect(b, doc.length);
        StringBuilder out = new StringBuilder();
        for (int g = 0; g <= doc.length; g++) {
            out.append(aFirst ? ea.inserted[g] : eb.inserted[g]);
            out.append(aFirst ? eb.inserted[g] : ea.inserted[g]);
            if (g < doc.length && ea.kept[g] && eb.kept[g]) {
                out.appendCodePoint(doc[g]);
            }
        }
        return out.toString();
    }

    /** {@link #merge(String, List, List, boolean)} of engine operations. */
    static String merge(String document, TextOperation a, TextOperation b, boolean aFirst) {
        return merge(document, a.components(), b.components(), aFirst);
    }

    /**
     * Where a caret in gap {@code position} is after {@code components} (canonical) apply:
     * the number of result code points before it. Those are the surviving code points
     * before the gap, the text inserted into earlier gaps, and the text inserted into this
     * very gap only if {@code insertsBefore} (the {@code RIGHT} side of a tie). A caret
     * inside deleted text thereby lands where the deletion was, after any text inserted
     * there.
     */
    static int transformPosition(List<? extends Component> components, int position, boolean insertsBefore) {
        // The document is as long as needed: code points past the walk are kept.
        int length = Math.max(position, walkLength(components));
        Effect e = effect(components, length);
        int result = 0;
        for (int g = 0; g <= position; g++) {
            if (g < position || insertsBefore) {
                result += length(e.inserted[g]);
            }
            if (g < position && e.kept[g]) {
                result++;
            }
        }
        return result;
    }

    /** {@link #transformPosition(List, int, boolean)} of an engine operation. */
    static int transformPosition(TextOperation op, int position, Side side) {
        return transformPosition(op.components(), position, side == Side.RIGHT);
    }

    /**
     * The text a document loses to {@code components}, in order: what an inverse must put
     * back.
     */
    static String deletedText(String document, List<? extends Component> components) {
        int[] doc = codePoints(document);
        Effect e = effect(components, doc.length);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < doc.length; i++) {
            if (!e.kept[i]) {
                out.add(doc[i]);
            }
        }
        return string(out);
    }

    /**
     * Why {@code components} are not in normal form, or {@code null} if they are: no empty
     * component, no two neighbours of one kind, no trailing retain, and every insert's
     * declared length equal to its code point count. (Inserts and deletes may come in
     * either order: the order is part of the edit.)
     */
    static String canonicalViolation(List<? extends Component> components) {
        for (int k = 0; k < components.size(); k++) {
            Component c = components.get(k);
            if (c == null) {
                return "component " + k + " is null";
            }
            if (c.length() <= 0) {
                return "component " + k + " is empty";
            }
            if (c instanceof Insert i) {
                if (i.text().isEmpty()) {
                    return "component " + k + " inserts nothing";
                }
                if (i.length() != i.text().codePointCount(0, i.text().length())) {
                    return "insert " + k + " declares " + i.length() + " code points for "
                            + i.text().codePointCount(0, i.text().length());
                }
            }
            if (k > 0) {
                Component prev = components.get(k - 1);
                if (prev.getClass() == c.getClass()) {
                    return "components " + (k - 1) + " and " + k + " are both " + c.getClass().getSimpleName()
                            + " and should be merged";
                }
            }
        }
        if (!components.isEmpty() && components.get(components.size() - 1) instanceof Retain) {
            return "trailing retain";
        }
        return null;
    }
}
