'use strict';
/*
 * Random documents and operations for the ot-text-unicode tools next to this file.
 * Everything is measured in code points; the alphabet is chosen so that a UTF-16 length
 * is almost never a code point length: astral characters, a letter with a combining
 * mark, a ZWJ family, a flag (two regional indicators), CJK, and JSON's special
 * characters. Operations come in every shape ot-text-unicode accepts: retains, inserts
 * and deletes in any order (delete-then-insert and insert-then-delete included), and
 * sometimes with neighbouring inserts or deletes not merged.
 */

const ALPHABET = [
    'a', 'b', 'c', 'x', 'y', 'z', ' ', '\n', '"', '\\', '\t', '\u0001', '\u2028',
    'é', 'e\u0301', '\u0301', 'ß', 'λ', 'Ж', '中', '文', '字', '한',
    '😀', '𝒳', '🎉', '𐍈', '👍🏽', '👨\u200d👩\u200d👧', '\u200d', '🇫🇷',
];

/** mulberry32: a small seeded generator, so a run can be repeated from its seed. */
function random(seed) {
    let a = seed >>> 0;
    const next = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const r = {
        next,
        int: n => Math.floor(next() * n),
        between: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
        chance: p => next() < p,
        pick: xs => xs[Math.floor(next() * xs.length)],
    };
    /** Text of at least `points` code points (a token may add a few more). */
    r.text = points => {
        let s = '';
        while (cpLength(s) < points) {
            s += r.pick(ALPHABET);
        }
        return s;
    };
    r.document = (max = 16) => r.text(r.between(0, max));
    /**
     * An op on a document of `length` code points: never past its end, no zero or empty
     * component, no neighbouring or trailing retains (ot-text-unicode's checkOp refuses
     * those), inserts and deletes in any order.
     */
    r.op = length => {
        const out = [];
        let at = 0;
        const push = c => {
            const last = out[out.length - 1];
            if (typeof c === 'number' && typeof last === 'number') {
                out[out.length - 1] = last + c;
            } else {
                out.push(c);
            }
        };
        const steps = r.between(0, 6);
        for (let k = 0; k < steps; k++) {
            const left = length - at;
            const roll = r.int(10);
            if (roll < 3 && left > 0) {
                const n = r.between(1, Math.min(left, 4));
                push(n);
                at += n;
            } else if (roll < 5 && left > 0) {
                const n = r.between(1, Math.min(left, 4));
                push({ d: n });
                at += n;
            } else if (roll < 7) {
                push(r.text(r.between(1, 3)));
            } else if (roll < 9 && left > 0) {
                // A replace, in either order.
                const n = r.between(1, Math.min(left, 3));
                const text = r.text(r.between(1, 3));
                if (r.chance(0.5)) {
                    push({ d: n });
                    push(text);
                } else {
                    push(text);
                    push({ d: n });
                }
                at += n;
            } else if (left > 0) {
                const n = r.between(1, left);
                push(n);
                at += n;
            }
        }
        while (out.length > 0 && typeof out[out.length - 1] === 'number') {
            out.pop();
        }
        return out;
    };
    return r;
}

function cpLength(s) {
    let n = 0;
    for (const _ of s) {
        n++;
    }
    return n;
}

module.exports = { ALPHABET, random, cpLength };
