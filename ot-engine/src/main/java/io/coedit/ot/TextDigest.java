package io.coedit.ot;

/**
 * A short fingerprint of a text, which a server and its clients compute independently to
 * find out that they hold different texts at the same version (docs/PROTOCOL.md,
 * "Digests"). Equal texts always give equal digests; different texts give different ones
 * but for a chance of about 2<sup>-64</sup> per comparison. It is not a cryptographic hash:
 * it guards against bugs and corruption, not against someone forging a collision.
 *
 * <p>The digest is two 32-bit lanes over the text's UTF-8 bytes, each started from its own
 * value and advanced byte by byte, written as 16 lowercase hexadecimal digits, lane A first:
 * <pre>
 *   A = 0x811c9dc5;  for each byte x:  A = (A ^ x) * 0x01000193          (FNV-1a, 32 bits)
 *   B = 0x9e3779b9;  for each byte x:  B = (B ^ x) * 0x5bd1e995;  B ^= B >>> 15
 * </pre>
 * with every product taken modulo 2<sup>32</sup>. Lane B's shift feeds the high bits back
 * into the low ones, which multiplication alone never does, so the lanes do not fail on the
 * same changes. Both lanes are one multiply per byte on 32-bit integers, which a browser does
 * with {@code Math.imul} and no library. A lone surrogate (never part of a document) counts
 * as U+FFFD, as a browser's {@code TextEncoder} encodes it.
 *
 * <p>Example: {@code "abc"} is the bytes 61 62 63 and its digest is {@code 1a47e90bb8feb701}.
 */
public final class TextDigest {
    private static final int A0 = 0x811c9dc5;
    private static final int B0 = 0x9e3779b9;
    private static final int PRIME_A = 0x01000193;
    private static final int PRIME_B = 0x5bd1e995;

    private int a = A0;
    private int b = B0;
    /** A high surrogate whose low half is in the next chunk, or 0. */
    private char pendingHigh;

    private TextDigest() {}

    /** The digest of {@code text}. */
    public static String of(CharSequence text) {
        TextDigest d = new TextDigest();
        if (text instanceof String s) {
            d.update(s.toCharArray(), 0, s.length()); // a copy, but a bulk one: far cheaper than charAt per unit
        } else {
            d.update(text);
        }
        return d.finish();
    }

    /** The digest of the text of {@code rope}, read leaf by leaf without building a string. */
    public static String of(Rope rope) {
        TextDigest d = new TextDigest();
        rope.forEachChunk(d::update);
        return d.finish();
    }

    private void update(CharSequence text) {
        char[] chunk = new char[Math.min(text.length(), 4096)];
        for (int from = 0; from < text.length(); from += chunk.length) {
            int n = Math.min(chunk.length, text.length() - from);
            for (int k = 0; k < n; k++) {
                chunk[k] = text.charAt(from + k);
            }
            update(chunk, 0, n);
        }
    }

    /** Feeds UTF-16 units {@code [from, to)} of {@code chars}; a pair may straddle two calls. */
    void update(char[] chars, int from, int to) {
        int i = from;
        if (pendingHigh != 0 && i < to) {
            char high = pendingHigh;
            pendingHigh = 0;
            if (Character.isLowSurrogate(chars[i])) {
                codePoint(Character.toCodePoint(high, chars[i]));
                i++;
            } else {
                codePoint(0xFFFD);
            }
        }
        int la = a;
        int lb = b;
        for (; i < to; i++) {
            char c = chars[i];
            if (c < 0x80) {
                la = (la ^ c) * PRIME_A;
                lb = (lb ^ c) * PRIME_B;
                lb ^= lb >>> 15;
                continue;
            }
            a = la;
            b = lb;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == to) {
                    pendingHigh = c;
                } else if (Character.isLowSurrogate(chars[i + 1])) {
                    codePoint(Character.toCodePoint(c, chars[++i]));
                } else {
                    codePoint(0xFFFD);
                }
            } else {
                codePoint(Character.isLowSurrogate(c) ? 0xFFFD : c);
            }
            la = a;
            lb = b;
        }
        a = la;
        b = lb;
    }

    private void codePoint(int cp) {
        if (cp < 0x800) {
            feed(0xC0 | cp >>> 6);
        } else if (cp < 0x10000) {
            feed(0xE0 | cp >>> 12);
            feed(0x80 | (cp >>> 6 & 0x3F));
        } else {
            feed(0xF0 | cp >>> 18);
            feed(0x80 | (cp >>> 12 & 0x3F));
            feed(0x80 | (cp >>> 6 & 0x3F));
        }
        feed(0x80 | (cp & 0x3F));
    }

    private void feed(int x) {
        a = (a ^ x) * PRIME_A;
        int h = (b ^ x) * PRIME_B;
        b = h ^ (h >>> 15);
    }

    private String finish() {
        if (pendingHigh != 0) {
            pendingHigh = 0;
            codePoint(0xFFFD);
        }
        return hex8(a) + hex8(b);
    }

    private static String hex8(int v) {
        String s = Integer.toHexString(v);
        return "0".repeat(8 - s.length()) + s;
    }
}
