/**
 * The text digest of docs/PROTOCOL.md ("Digests"), the browser twin of the Java engine's
 * io.coedit.ot.TextDigest: two 32-bit lanes over the text's UTF-8 bytes, 16 lowercase hex
 * digits, lane A first.
 *
 *   A = 0x811c9dc5;  for each byte x:  A = (A ^ x) * 0x01000193          (FNV-1a, 32 bits)
 *   B = 0x9e3779b9;  for each byte x:  B = (B ^ x) * 0x5bd1e995;  B ^= B >>> 15
 *
 * Products are taken modulo 2^32 (Math.imul), so no BigInt and no library is needed. The
 * UTF-8 bytes are produced as the text is read, without encoding it first; a lone surrogate
 * counts as U+FFFD, as TextEncoder encodes it. Not a cryptographic hash: it finds accidents.
 */

/** The digest of `text`, e.g. textDigest('abc') === '1a47e90bb8feb701'. */
export function textDigest(text) {
    let a = 0x811c9dc5 | 0;
    let b = 0x9e3779b9 | 0;
    const feed = x => {
        a = Math.imul(a ^ x, 0x01000193);
        b = Math.imul(b ^ x, 0x5bd1e995);
        b ^= b >>> 15;
    };
    const n = text.length;
    for (let i = 0; i < n; i++) {
        let c = text.charCodeAt(i);
        if (c < 0x80) {
            a = Math.imul(a ^ c, 0x01000193);
            b = Math.imul(b ^ c, 0x5bd1e995);
            b ^= b >>> 15;
            continue;
        }
        if (c >= 0xd800 && c <= 0xdfff) {
            const low = i + 1 < n ? text.charCodeAt(i + 1) : 0;
            if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
                c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
                i++;
            } else {
                c = 0xfffd;
            }
        }
        if (c < 0x800) {
            feed(0xc0 | (c >>> 6));
        } else if (c < 0x10000) {
            feed(0xe0 | (c >>> 12));
            feed(0x80 | ((c >>> 6) & 0x3f));
        } else {
            feed(0xf0 | (c >>> 18));
            feed(0x80 | ((c >>> 12) & 0x3f));
            feed(0x80 | ((c >>> 6) & 0x3f));
        }
        feed(0x80 | (c & 0x3f));
    }
    return hex8(a) + hex8(b);
}

function hex8(v) {
    return (v >>> 0).toString(16).padStart(8, '0');
}
