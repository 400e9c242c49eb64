package io.coedit.ot;

import io.coedit.ot.Component.Delete;
import io.coedit.ot.Component.Insert;
import io.coedit.ot.Component.Retain;

import java.util.Arrays;
import java.util.List;

/**
 * An edit of a plain-text document: a walk from the document's start that keeps, inserts
 * and removes text. Positions and lengths are Unicode code points, so an operation never
 * splits a surrogate pair and means the same thing in every language that counts code
 * points (Java and JavaScript index UTF-16; convert at the edges, never here).
 *
 * <h2>Normal form</h2>
 * Every {@code TextOperation} is in ot-text-unicode's normal form, so equal edits are
 * {@code equals} and write the same JSON as ot-text-unicode 4.0.0 does:
 * <ul>
 *   <li>no empty components;</li>
 *   <li>neighbours of one kind are merged;</li>
 *   <li>no trailing retain: what is not mentioned is kept;</li>
 *   <li>inserts and deletes keep the order they were given in. {@code [p, {d:n}, "x"]} and
 *       {@code [p, "x", {d:n}]} give the same text but are different edits: against a
 *       concurrent insert at {@code p + n} the first puts {@code "x"} after it, the second
 *       before it. Reordering one into the other makes a peer that does not (ot-text-unicode)
 *       end on another text.</li>
 * </ul>
 * A trailing retain is dropped from the components but not forgotten:
 * {@link #baseLength()} still counts it, so {@code [3]} does not fit {@code "ab"}. An
 * operation applies to any document at least {@code baseLength()} code points long.
 * The wire form is the ot-text-unicode JSON array ({@code 3} retains three, {@code "hi"}
 * inserts, {@code {"d":2}} deletes two); see {@link io.coedit.ot.json.OpJson}.
 *
 * <h2>Algebra</h2>
 * For every document {@code d} the operations fit:
 * <pre>
 *   compose(a, b).apply(d)                 == b.apply(a.apply(d))
 *   transform(a, b, LEFT).apply(b.apply(d)) == transform(b, a, RIGHT).apply(a.apply(d))
 *   invert(a, d).apply(a.apply(d))         == d
 * </pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TextOperation {
    private static final Component[] NO_COMPONENTS = new Component[0];

    /** The operation that changes nothing. */
    public static final TextOperation NOOP = new TextOperation(NO_COMPONENTS, 0, 0, 0);

    private final Component[] components;
    private final int baseLength;
    private final int inserted;
    private final int deleted;

    private TextOperation(Component[] components, int baseLength, int inserted, int deleted) {
        this.components = components;
        this.baseLength = baseLength;
        this.inserted = inserted;
        this.deleted = deleted;
    }

    /** A builder that normalises as it goes; see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The operation of these components, in order, in normal form (they need not be). */
    public static TextOperation of(Component... components) {
        return of(Arrays.asList(components));
    }

    /** The operation of these components, in order, in normal form (they need not be). */
    public static TextOperation of(List<? extends Component> components) {
        Builder b = new Builder();
        for (Component c : components) {
            b.append(c);
        }
        return b.build();
    }

    /** Inserts {@code text} at code point {@code position}. */
    public static TextOperation insert(int position, String text) {
        return new Builder().retain(position).insert(text).build();
    }

    /** Removes {@code count} code points starting at code point {@code position}. */
    public static TextOperation delete(int position, int count) {
        return new Builder().retain(position).delete(count).build();
    }

    /**
     * Removes {@code deleteCount} code points at {@code position} and inserts {@code text}
     * there: {@code Array.prototype.splice} measured in code points, written as
     * ot-text-unicode clients write a replace, {@code [position, {d: deleteCount}, text]}.
     */
    public static TextOperation splice(int position, int deleteCount, String text) {
        if (position < 0 || deleteCount < 0) {
            throw new IllegalArgumentException("splice position and delete count must not be negative, got "
                    + position + ", " + deleteCount);
        }
        // Built directly: this is how every keystroke becomes an operation, and its normal
        // form [retain, delete, insert] is known without a builder.
        Insert insert = text.isEmpty() ? null : new Insert(text);
        if (insert == null && deleteCount == 0) {
            return NOOP;
        }
        Component[] parts = new Component[(position > 0 ? 1 : 0) + (insert != null ? 1 : 0) + (deleteCount > 0 ? 1 : 0)];
        int k = 0;
        if (position > 0) {
            parts[k++] = new Retain(position);
        }
        if (deleteCount > 0) {
            parts[k++] = new Delete(deleteCount);
        }
        if (insert != null) {
            parts[k] = insert;
        }
        int base = position + deleteCount;
        if (base < 0) {
            throw new IllegalArgumentException("operation longer than " + Integer.MAX_VALUE + " code points");
        }
        return new TextOperation(parts, base, insert == null ? 0 : insert.length(), deleteCount);
    }

    /**
     * The same splice measured in UTF-16 units of {@code document}, as a Java text component
     * or a browser reports it. Rejects a range whose ends fall inside a surrogate pair.
     *
     * @throws IllegalArgumentException if the range is outside the document or splits a pair
     */
    public static TextOperation spliceUtf16(String document, int index, int deleteLength, String text) {
        if (index < 0 || deleteLength < 0 || index > document.length() - deleteLength) {
            throw new IllegalArgumentException("UTF-16 range [" + index + ", " + index + " + " + deleteLength
                    + ") is outside a document of " + document.length() + " UTF-16 units");
        }
        checkNotInsidePair(document, index);
        checkNotInsidePair(document, index + deleteLength);
        int position = document.codePointCount(0, index);
        int count = document.codePointCount(index, index + deleteLength);
        return splice(position, count, text);
    }

    private static void checkNotInsidePair(String document, int index) {
        if (index > 0 && index < document.length()
                && Character.isHighSurrogate(document.charAt(index - 1))
                && Character.isLowSurrogate(document.charAt(index))) {
            throw new IllegalArgumentException("UTF-16 index " + index + " splits a surrogate pair");
        }
    }

    /** The components, in normal form, as an unmodifiable list. */
    public List<Component> components() {
        return List.of(components);
    }

    /** The components themselves, for this package's loops; never modify. */
    Component[] parts() {
        return components;
    }

    /** Whether applying this operation changes nothing (it has no component). */
    public boolean isNoop() {
        return components.length == 0;
    }

    /**
     * The number of code points this operation walks over (retained plus deleted, a
     * trailing retain it was built with included): the shortest document it applies to.
     * Longer documents keep their tail unchanged.
     */
    public int baseLength() {
        return baseLength;
    }

    /** The length, in code points, of the result of applying this to a document of {@code documentLength}. */
    public int resultLength(int documentLength) {
        checkFits(documentLength);
        return documentLength + inserted - deleted;
    }

    /** Code points inserted minus code points deleted. */
    public int lengthChange() {
        return inserted - deleted;
    }

    /**
     * Applies this operation to {@code document}.
     *
     * @throws IllegalArgumentException if the operation retains or deletes past the end of
     *     the document, or the document has a lone surrogate
     */
    public String apply(String document) {
        int documentLength = CodePoints.countWellFormed(document, "document");
        checkFits(documentLength);
        boolean ascii = documentLength == document.length();
        StringBuilder out = new StringBuilder(document.length() + Math.max(0, lengthChange()));
        int at = 0; // UTF-16 index into document
        for (Component c : components) {
            if (c instanceof Retain r) {
                int end = CodePoints.offset(document, at, r.count(), ascii);
                out.append(document, at, end);
                at = end;
            } else if (c instanceof Insert i) {
                out.append(i.text());
            } else {
                at = CodePoints.offset(document, at, ((Delete) c).count(), ascii);
            }
        }
        return out.append(document, at, document.length()).toString();
    }

    /**
     * Checks that this operation applies to a document of {@code documentLength} code points.
     *
     * @throws IllegalArgumentException saying which component runs past the end
     */
    void checkFits(int documentLength) {
        if (baseLength <= documentLength) {
            return;
        }
        int position = 0;
        for (int k = 0; k < components.length; k++) {
            Component c = components[k];
            if (c instanceof Insert) {
                continue;
            }
            if (position + c.length() > documentLength) {
                throw new IllegalArgumentException("op " + (c instanceof Retain ? "retains" : "deletes")
                        + " past the end of a " + documentLength + "-code-point document: component " + k
                        + " " + (c instanceof Retain ? "retains" : "deletes") + " " + c.length()
                        + " from position " + position);
            }
            position += c.length();
        }
        // What runs past the end is the trailing retain the normal form dropped.
        throw new IllegalArgumentException("op retains past the end of a " + documentLength
                + "-code-point document: component " + components.length + " retains " + (baseLength - position)
                + " from position " + position);
    }

    /**
     * The operation that has the effect of {@code a} followed by {@code b}:
     * {@code compose(a, b).apply(d) == b.apply(a.apply(d))} for every {@code d} both fit.
     */
    public static TextOperation compose(TextOperation a, TextOperation b) {
        if (a.isNoop()) {
            return b;
        }
        if (b.isNoop()) {
            return a;
        }
        Builder out = new Builder(a.components.length + b.components.length);
        Walker first = new Walker(a.components);
        for (Component c : b.components) {
            if (c instanceof Retain r) {
                // Keep what a produced; a's deletes pass through without consuming b.
                int n = r.count();
                while (n > 0 && first.hasMore()) {
                    Component head = first.current();
                    if (head instanceof Delete) {
                        out.delete(first.takeRest());
                    } else if (head instanceof Retain) {
                        int k = first.take(n);
                        out.retain(k);
                        n -= k;
                    } else {
                        int from = first.offset;
                        int k = first.take(n);
                        out.insertSlice((Insert) head, from, k);
                        n -= k;
                    }
                }
                out.retain(n);
            } else if (c instanceof Insert i) {
                out.insert(i);
            } else {
                // Remove what a produced: a retained char becomes a delete, a's insert cancels.
                int n = ((Delete) c).count();
                while (n > 0 && first.hasMore()) {
                    Component head = first.current();
                    if (head instanceof Delete) {
                        out.delete(first.takeRest());
                    } else {
                        int k = first.take(n);
                        if (head instanceof Retain) {
                            out.delete(k);
                        }
                        n -= k;
                    }
                }
                out.delete(n);
            }
        }
        first.appendRest(out);
        return out.build();
    }

    /**
     * Rewrites {@code op} to apply after {@code other}, both made on the same document, so
     * that it keeps its intent:
     * <pre>
     *   transform(op, other, LEFT).apply(other.apply(d)) == transform(other, op, RIGHT).apply(op.apply(d))
     * </pre>
     * With {@code LEFT}, an insert of {@code op} at the same position as an insert of
     * {@code other} ends up before it; with {@code RIGHT}, after. Text both delete is deleted
     * once; text {@code op} inserts inside a range {@code other} deletes survives.
     */
    public static TextOperation transform(TextOperation op, TextOperation other, Side side) {
        if (op.isNoop()) {
            return NOOP; // not op: a trailing retain it was given need not fit other's result
        }
        if (other.isNoop()) {
            return op;
        }
        boolean left = side == Side.LEFT;
        Builder out = new Builder(op.components.length + other.components.length);
        Walker mine = new Walker(op.components);
        for (Component c : other.components) {
            if (!mine.hasMore()) {
                break; // the rest of other only shifts what op no longer touches
            }
            if (c instanceof Retain r) {
                int n = r.count();
                while (n > 0 && mine.hasMore()) {
                    Component head = mine.current();
                    if (head instanceof Insert i) {
                        out.insertSlice(i, mine.offset, mine.takeRest());
                    } else {
                        int k = mine.take(n);
                        if (head instanceof Retain) {
                            out.retain(k);
                        } else {
                            out.delete(k);
                        }
                        n -= k;
                    }
                }
            } else if (c instanceof Insert i) {
                if (left && mine.current() instanceof Insert mineInsert) {
                    out.insertSlice(mineInsert, mine.offset, mine.takeRest());
                }
                out.retain(i.length());
            } else {
                int n = ((Delete) c).count();
                while (n > 0 && mine.hasMore()) {
                    Component head = mine.current();
                    if (head instanceof Insert i) {
                        out.insertSlice(i, mine.offset, mine.takeRest());
                    } else {
                        n -= mine.take(n); // already gone: op's retain or delete of it vanishes
                    }
                }
            }
        }
        mine.appendRest(out);
        return out.build();
    }

    /**
     * The operation that undoes {@code op} on the document it was applied to:
     * {@code invert(op, d).apply(op.apply(d)) == d}.
     *
     * @throws IllegalArgumentException if {@code op} does not fit {@code document}
     */
    public static TextOperation invert(TextOperation op, String document) {
        int documentLength = CodePoints.countWellFormed(document, "document");
        op.checkFits(documentLength);
        boolean ascii = documentLength == document.length();
        Builder out = new Builder(op.components.length);
        int at = 0;
        for (Component c : op.components) {
            if (c instanceof Retain r) {
                out.retain(r.count());
                at = CodePoints.offset(document, at, r.count(), ascii);
            } else if (c instanceof Insert i) {
                out.delete(i.length());
            } else {
                int n = ((Delete) c).count();
                int end = CodePoints.offset(document, at, n, ascii);
                out.insert(new Insert(document.substring(at, end), n));
                at = end;
            }
        }
        return out.build();
    }

    /**
     * Where a cursor at code point {@code position} is after this operation is applied. A
     * cursor inside deleted text moves to where the deletion happened. Text inserted exactly
     * at the cursor's gap (the gap an insert is written in: {@code [p, "x", {d:n}]} inserts
     * in gap {@code p}, {@code [p, {d:n}, "x"]} in gap {@code p + n}) stays after the cursor
     * with {@code LEFT} and goes before it with {@code RIGHT}, the same rule as
     * {@link #transform} for a zero-length insert at the cursor. {@code LEFT} is
     * ot-text-unicode's {@code transformPosition}.
     */
    public int transformPosition(int position, Side side) {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative, got " + position);
        }
        boolean right = side == Side.RIGHT;
        int base = 0; // position in this operation's document reached so far
        long result = 0; // the same place in the result
        for (Component c : components) {
            if (c instanceof Retain r) {
                if (position < base + r.count()) {
                    break;
                }
                base += r.count();
                result += r.count();
            } else if (c instanceof Insert i) {
                if (base == position && !right) {
                    break;
                }
                result += i.length();
            } else {
                int n = ((Delete) c).count();
                if (position < base + n) {
                    return (int) Math.min(Integer.MAX_VALUE, result); // inside the deleted text
                }
                base += n;
            }
        }
        // Saturate: a position far past any real document must not wrap negative.
        return (int) Math.min(Integer.MAX_VALUE, result + (position - base));
    }

    /** Both ends of {@code selection} moved by {@link #transformPosition}. */
    public Selection transformSelection(Selection selection, Side side) {
        int anchor = transformPosition(selection.anchor(), side);
        int head = selection.isCollapsed() ? anchor : transformPosition(selection.head(), side);
        return new Selection(anchor, head);
    }

    /**
     * Equal components: the same edit. A trailing retain that the normal form dropped does
     * not count ({@code [3]} equals {@code []}, as both write {@code []}), though it still
     * counts in {@link #baseLength()}.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof TextOperation other && Arrays.equals(components, other.components);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(components);
    }

    /** The ot-text-unicode JSON form, e.g. {@code [3,"hi",{"d":2}]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (Component c : components) {
            if (s.length() > 1) {
                s.append(',');
            }
            if (c instanceof Retain r) {
                s.append(r.count());
            } else if (c instanceof Insert i) {
                appendQuoted(s, i.text());
            } else {
                s.append("{\"d\":").append(((Delete) c).count()).append('}');
            }
        }
        return s.append(']').toString();
    }

    private static void appendQuoted(StringBuilder s, String text) {
        s.append('"');
        for (int k = 0; k < text.length(); k++) {
            char ch = text.charAt(k);
            switch (ch) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        s.append(String.format("\\u%04x", (int) ch));
                    } else {
                        s.append(ch);
                    }
                }
            }
        }
        s.append('"');
    }

    /**
     * Reads an operation's components in pieces: {@code take(n)} consumes up to {@code n}
     * code points of the current component.
     */
    private static final class Walker {
        private final Component[] components;
        private int index;
        private int offset; // code points of components[index] already consumed

        Walker(Component[] components) {
            this.components = components;
        }

        boolean hasMore() {
            return index < components.length;
        }

        Component current() {
            return components[index];
        }

        int take(int max) {
            int rest = components[index].length() - offset;
            if (rest <= max) {
                index++;
                offset = 0;
                return rest;
            }
            offset += max;
            return max;
        }

        int takeRest() {
            int rest = components[index].length() - offset;
            index++;
            offset = 0;
            return rest;
        }

        void appendRest(Builder out) {
            if (index < components.length && offset > 0) {
                Component c = components[index];
                int rest = c.length() - offset;
                if (c instanceof Retain) {
                    out.retain(rest);
                } else if (c instanceof Insert i) {
                    out.insertSlice(i, offset, rest);
                } else {
                    out.delete(rest);
                }
                index++;
            }
            for (; index < components.length; index++) {
                out.append(components[index]);
            }
            offset = 0;
        }
    }

    /**
     * Builds a {@link TextOperation} in normal form while appending components in document
     * order: empty components are dropped, neighbours of one kind merged (never across a
     * component of another kind: inserts and deletes keep their order), and a trailing
     * retain dropped by {@link #build()} (but still counted by {@link #baseLength()}).
     */
    public static final class Builder {
        private Component[] items;
        private int size;
        private int baseLength;
        private int inserted;
        private int deleted;

        Builder() {
            this(4);
        }

        Builder(int capacity) {
            items = new Component[Math.max(capacity, 2)];
        }

        /** Keeps {@code count >= 0} code points. */
        public Builder retain(int count) {
            if (count <= 0) {
                if (count < 0) {
                    throw new IllegalArgumentException("retain count must not be negative, got " + count);
                }
                return this;
            }
            baseLength = grow(baseLength, count);
            if (size > 0 && items[size - 1] instanceof Retain last) {
                items[size - 1] = new Retain(last.count() + count);
            } else {
                push(new Retain(count));
            }
            return this;
        }

        /** Inserts {@code text}; an empty string is ignored. */
        public Builder insert(String text) {
            if (text.isEmpty()) {
                return this;
            }
            return insert(new Insert(text));
        }

        /** Removes {@code count >= 0} code points. */
        public Builder delete(int count) {
            if (count <= 0) {
                if (count < 0) {
                    throw new IllegalArgumentException("delete count must not be negative, got " + count);
                }
                return this;
            }
            baseLength = grow(baseLength, count);
            deleted += count;
            if (size > 0 && items[size - 1] instanceof Delete last) {
                items[size - 1] = new Delete(last.count() + count);
            } else {
                push(new Delete(count));
            }
            return this;
        }

        /** Appends any component. */
        public Builder append(Component c) {
            if (c == null) {
                throw new IllegalArgumentException("component must not be null");
            }
            if (c instanceof Retain r) {
                return retain(r.count());
            } else if (c instanceof Insert i) {
                return insert(i);
            } else {
                return delete(((Delete) c).count());
            }
        }

        Builder insert(Insert insert) {
            inserted = grow(inserted, insert.length());
            if (size > 0 && items[size - 1] instanceof Insert prior) {
                items[size - 1] = concat(prior, insert);
            } else {
                push(insert);
            }
            return this;
        }

        /** Inserts code points {@code [from, from + count)} of {@code insert}. */
        void insertSlice(Insert insert, int from, int count) {
            if (from == 0 && count == insert.length()) {
                insert(insert);
            } else if (count > 0) {
                insert(new Insert(CodePoints.slice(insert.text(), insert.length(), from, count), count));
            }
        }

        private static Insert concat(Insert a, Insert b) {
            return new Insert(a.text().concat(b.text()), grow(a.length(), b.length()));
        }

        private static int grow(int total, int more) {
            int sum = total + more;
            if (sum < 0) {
                throw new IllegalArgumentException("operation longer than " + Integer.MAX_VALUE + " code points");
            }
            return sum;
        }

        private void push(Component c) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = c;
        }

        /** The operation built so far. The builder may be reused to keep appending. */
        public TextOperation build() {
            int n = size;
            if (n > 0 && items[n - 1] instanceof Retain) {
                n--;
            }
            if (n == 0 && baseLength == 0) {
                return NOOP;
            }
            return new TextOperation(n == 0 ? NO_COMPONENTS : Arrays.copyOf(items, n), baseLength, inserted, deleted);
        }
    }
}
