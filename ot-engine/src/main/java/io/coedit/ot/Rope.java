package io.coedit.ot;

import io.coedit.ot.Component.Delete;
import io.coedit.ot.Component.Insert;
import io.coedit.ot.Component.Retain;

/**
 * A mutable text document indexed by Unicode code points, for documents that are edited a
 * little at a time: a B-tree whose leaves hold up to {@value #MAX_LEAF} UTF-16 units and
 * whose every node knows its length in code points and in UTF-16 units. Finding a position
 * is a descent of {@code O(log n)} nodes; an insert or delete touches one leaf per node on
 * that path, so applying an operation costs {@code O(k log n)} for {@code k} components,
 * and a megabyte document takes a keystroke as fast as a small one.
 *
 * <p>Leaves that contain no surrogate pair (the common case) map code points to UTF-16
 * indices without scanning. A leaf never ends between the two halves of a pair.
 *
 * <p>Not thread-safe: give each document one writer.
 */
public final class Rope {
    static final int MAX_LEAF = 512;
    private static final int MAX_CHUNK = MAX_LEAF / 2;
    static final int MAX_CHILDREN = 32;

    private Node root = new Leaf(new char[16], 0, 0);

    /*
     * The finger: the leaf of the last edit, where it starts, and the inner nodes above it.
     * People type in one place for a while, so most edits land in the same leaf; with the
     * finger they update that leaf and the counts on its path instead of searching down
     * from the root. Any change to the tree's shape drops it.
     */
    private Leaf finger;
    private int fingerStart;
    private Inner[] fingerPath = new Inner[8];
    private int fingerDepth;

    /** An empty document. */
    public Rope() {}

    /**
     * A document holding {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} has a lone surrogate
     */
    public static Rope of(String text) {
        Rope rope = new Rope();
        rope.insert(0, text);
        return rope;
    }

    /** The length in code points. */
    public int length() {
        return root.points;
    }

    /** The length in UTF-16 units, {@code toString().length()}. */
    public int utf16Length() {
        return root.chars;
    }

    /**
     * Applies {@code op} in place. Either the whole operation applies or, if it does not
     * fit, nothing changes.
     *
     * @throws IllegalArgumentException if {@code op} retains or deletes past the end
     */
    public void apply(TextOperation op) {
        op.checkFits(root.points);
        int position = 0;
        for (Component c : op.parts()) {
            if (c instanceof Retain r) {
                position += r.count();
            } else if (c instanceof Insert i) {
                insertChecked(position, i.text(), i.length());
                position += i.length();
            } else {
                deleteChecked(position, ((Delete) c).count());
            }
        }
    }

    /**
     * Inserts {@code text} at code point {@code position}.
     *
     * @throws IllegalArgumentException if the position is outside the document or the
     *     text has a lone surrogate
     */
    public void insert(int position, String text) {
        checkRange(position, 0);
        insertChecked(position, text, CodePoints.countWellFormed(text, "insert text"));
    }

    /**
     * Removes {@code count} code points starting at {@code position}.
     *
     * @throws IllegalArgumentException if the range is outside the document
     */
    public void delete(int position, int count) {
        checkRange(position, count);
        deleteChecked(position, count);
    }

    /** Code points {@code [from, to)} as a string. */
    public String substring(int from, int to) {
        checkRange(from, to - from);
        StringBuilder out = new StringBuilder();
        appendRange(root, from, to, out);
        return out.toString();
    }

    /** The code point at {@code position}. */
    public int codePointAt(int position) {
        checkRange(position, 1);
        Node node = root;
        while (node instanceof Inner inner) {
            int k = 0;
            Node child = inner.children[0];
            while (position >= child.points) {
                position -= child.points;
                child = inner.children[++k];
            }
            node = child;
        }
        Leaf leaf = (Leaf) node;
        return Character.codePointAt(leaf.text, leaf.charIndex(position), leaf.chars);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(root.chars);
        appendAll(root, out);
        return out.toString();
    }

    private void checkRange(int position, int count) {
        if (position < 0 || count < 0 || position > root.points - count) {
            throw new IllegalArgumentException("range [" + position + ", " + position + " + " + count
                    + ") is outside a " + root.points + "-code-point document");
        }
    }

    private void insertChecked(int position, String text, int points) {
        if (text.length() <= MAX_CHUNK) {
            insertChunk(position, text, points);
            return;
        }
        // Long text goes in leaf-sized chunks, so one leaf split always suffices.
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(start + MAX_CHUNK, text.length());
            if (end < text.length() && Character.isLowSurrogate(text.charAt(end))) {
                end--;
            }
            int chunkPoints = text.codePointCount(start, end);
            insertChunk(position, text.substring(start, end), chunkPoints);
            position += chunkPoints;
            start = end;
        }
    }

    private void insertChunk(int position, String text, int points) {
        if (finger == null || position < fingerStart || position > fingerStart + finger.points) {
            locate(position, true);
        }
        if (finger.chars + text.length() <= MAX_LEAF) {
            finger.chars += text.length();
            finger.points += points;
            finger.insert(position - fingerStart, text, points);
            for (int d = 0; d < fingerDepth; d++) {
                fingerPath[d].chars += text.length();
                fingerPath[d].points += points;
            }
            return;
        }
        finger = null;
        Node split = insert(root, position, text, points);
        if (split != null) {
            Node[] children = new Node[MAX_CHILDREN + 1];
            children[0] = root;
            children[1] = split;
            root = new Inner(children, 2);
        }
    }

    /**
     * Points the finger at the leaf holding {@code position}. At a boundary between two
     * leaves an insert prefers the end of the left one (typing at a boundary extends it);
     * a delete needs the leaf whose text starts there.
     */
    private void locate(int position, boolean forInsert) {
        Node node = root;
        int start = 0;
        int depth = 0;
        while (node instanceof Inner inner) {
            if (depth == fingerPath.length) {
                fingerPath = java.util.Arrays.copyOf(fingerPath, depth * 2);
            }
            fingerPath[depth++] = inner;
            int k = 0;
            Node child = inner.children[0];
            int last = inner.count - 1;
            while (k < last && (forInsert ? position - start > child.points : position - start >= child.points)) {
                start += child.points;
                child = inner.children[++k];
            }
            node = child;
        }
        finger = (Leaf) node;
        fingerStart = start;
        fingerDepth = depth;
    }

    /** Inserts into the subtree; returns a new right sibling if {@code node} had to split. */
    private static Node insert(Node node, int position, String text, int points) {
        node.chars += text.length();
        node.points += points;
        if (node instanceof Leaf leaf) {
            return leaf.insert(position, text, points);
        }
        Inner inner = (Inner) node;
        int k = 0;
        Node child = inner.children[0];
        // Prefer the end of a left child: typing at a boundary then extends that leaf.
        while (position > child.points) {
            position -= child.points;
            child = inner.children[++k];
        }
        Node split = insert(child, position, text, points);
        if (split == null) {
            return null;
        }
        inner.add(k + 1, split);
        return inner.count > MAX_CHILDREN ? inner.splitHalf() : null;
    }

    private void deleteChecked(int position, int count) {
        if (count == 0) {
            return;
        }
        if (finger == null || position < fingerStart || position >= fingerStart + finger.points) {
            locate(position, false);
        }
        int from = position - fingerStart;
        if (from + count <= finger.points && count < finger.points) {
            int chars = finger.chars;
            finger.delete(from, from + count);
            int removedChars = chars - finger.chars;
            for (int d = 0; d < fingerDepth; d++) {
                fingerPath[d].chars -= removedChars;
                fingerPath[d].points -= count;
            }
            return;
        }
        finger = null;
        delete(root, position, position + count);
        while (root instanceof Inner inner && inner.count == 1) {
            root = inner.children[0];
        }
        if (root instanceof Inner inner && inner.count == 0) {
            root = new Leaf(new char[16], 0, 0);
        }
    }

    /** Removes code points {@code [from, to)} of the subtree, dropping children left empty. */
    private static void delete(Node node, int from, int to) {
        if (node instanceof Leaf leaf) {
            leaf.delete(from, to);
            return;
        }
        Inner inner = (Inner) node;
        int offset = 0;
        for (int k = 0; k < inner.count && offset < to; ) {
            Node child = inner.children[k];
            int childEnd = offset + child.points;
            if (childEnd <= from) {
                offset = childEnd;
                k++;
                continue;
            }
            int chars = child.chars;
            int points = child.points;
            delete(child, Math.max(from - offset, 0), Math.min(to, childEnd) - offset);
            inner.chars -= chars - child.chars;
            inner.points -= points - child.points;
            offset = childEnd; // from and to stay in the coordinates before this delete
            if (child.points == 0) {
                inner.remove(k);
            } else {
                if (k > 0 && inner.mergeIfSmall(k - 1)) {
                    k--;
                }
                k++;
            }
        }
    }

    /** Something that reads the text a piece at a time, in order. */
    interface ChunkReader {
        void read(char[] chars, int from, int to);
    }

    /** Hands the text to {@code reader} leaf by leaf, in order, without copying it. */
    void forEachChunk(ChunkReader reader) {
        forEachChunk(root, reader);
    }

    private static void forEachChunk(Node node, ChunkReader reader) {
        if (node instanceof Leaf leaf) {
            reader.read(leaf.text, 0, leaf.chars);
            return;
        }
        Inner inner = (Inner) node;
        for (int k = 0; k < inner.count; k++) {
            forEachChunk(inner.children[k], reader);
        }
    }

    private static void appendAll(Node node, StringBuilder out) {
        if (node instanceof Leaf leaf) {
            out.append(leaf.text, 0, leaf.chars);
            return;
        }
        Inner inner = (Inner) node;
        for (int k = 0; k < inner.count; k++) {
            appendAll(inner.children[k], out);
        }
    }

    private static void appendRange(Node node, int from, int to, StringBuilder out) {
        if (node instanceof Leaf leaf) {
            int start = leaf.charIndex(from);
            out.append(leaf.text, start, leaf.charIndex(to) - start);
            return;
        }
        Inner inner = (Inner) node;
        int offset = 0;
        for (int k = 0; k < inner.count && offset < to; k++) {
            Node child = inner.children[k];
            int childEnd = offset + child.points;
            if (childEnd > from) {
                appendRange(child, Math.max(from - offset, 0), Math.min(to, childEnd) - offset, out);
            }
            offset = childEnd;
        }
    }

    private abstract static class Node {
        int chars;
        int points;
    }

    private static final class Leaf extends Node {
        char[] text;

        Leaf(char[] text, int chars, int points) {
            this.text = text;
            this.chars = chars;
            this.points = points;
        }

        /** The UTF-16 index of code point {@code position} of this leaf. */
        int charIndex(int position) {
            return chars == points ? position : Character.offsetByCodePoints(text, 0, chars, 0, position);
        }

        /** Called after the counts already include the text; returns a split-off right leaf or null. */
        Leaf insert(int position, String text, int points) {
            int oldChars = chars - text.length();
            int at = (oldChars == this.points - points) ? position : Character.offsetByCodePoints(this.text, 0, oldChars, 0, position);
            if (chars <= MAX_LEAF) {
                if (chars > this.text.length) {
                    char[] bigger = new char[Math.min(MAX_LEAF, Math.max(chars, this.text.length * 2))];
                    System.arraycopy(this.text, 0, bigger, 0, oldChars);
                    this.text = bigger;
                }
                System.arraycopy(this.text, at, this.text, at + text.length(), oldChars - at);
                text.getChars(0, text.length(), this.text, at);
                return null;
            }
            char[] all = new char[chars];
            System.arraycopy(this.text, 0, all, 0, at);
            text.getChars(0, text.length(), all, at);
            System.arraycopy(this.text, at, all, at + text.length(), oldChars - at);
            int half = chars / 2;
            if (Character.isLowSurrogate(all[half])) {
                half++;
            }
            char[] left = new char[MAX_LEAF];
            System.arraycopy(all, 0, left, 0, half);
            char[] right = new char[MAX_LEAF];
            System.arraycopy(all, half, right, 0, chars - half);
            int leftPoints = Character.codePointCount(left, 0, half);
            Leaf sibling = new Leaf(right, chars - half, this.points - leftPoints);
            this.text = left;
            this.chars = half;
            this.points = leftPoints;
            return sibling;
        }

        void delete(int from, int to) {
            int start = charIndex(from);
            int end = charIndex(to);
            System.arraycopy(text, end, text, start, chars - end);
            chars -= end - start;
            points -= to - from;
        }
    }

    private static final class Inner extends Node {
        Node[] children;
        int count;

        Inner(Node[] children, int count) {
            this.children = children;
            this.count = count;
            for (int k = 0; k < count; k++) {
                chars += children[k].chars;
                points += children[k].points;
            }
        }

        /** Adds {@code child} at index {@code k}; counts are the caller's business. */
        void add(int k, Node child) {
            System.arraycopy(children, k, children, k + 1, count - k);
            children[k] = child;
            count++;
        }

        void remove(int k) {
            System.arraycopy(children, k + 1, children, k, count - k - 1);
            children[--count] = null;
        }

        /** Merges leaves {@code k} and {@code k + 1} when together they fill at most half a leaf. */
        boolean mergeIfSmall(int k) {
            if (k + 1 >= count || !(children[k] instanceof Leaf a) || !(children[k + 1] instanceof Leaf b)
                    || a.chars + b.chars > MAX_LEAF / 2) {
                return false;
            }
            if (a.text.length < a.chars + b.chars) {
                a.text = java.util.Arrays.copyOf(a.text, MAX_LEAF);
            }
            System.arraycopy(b.text, 0, a.text, a.chars, b.chars);
            a.chars += b.chars;
            a.points += b.points;
            remove(k + 1);
            return true;
        }

        Inner splitHalf() {
            int half = count / 2;
            Node[] moved = new Node[MAX_CHILDREN + 1];
            System.arraycopy(children, half, moved, 0, count - half);
            java.util.Arrays.fill(children, half, count, null);
            Inner sibling = new Inner(moved, count - half);
            count = half;
            chars -= sibling.chars;
            points -= sibling.points;
            return sibling;
        }
    }
}
