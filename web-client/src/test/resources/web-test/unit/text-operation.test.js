/**
 * The engine's invariants on random operations (compared with a naive per-code-point
 * model that shares no code with the engine), and the UTF-16 edge helpers.
 */
import { test, assert, assertEqual, assertThrows, forSeeds } from '../harness.js';
import {
    TextOperation, Side, InvalidOperationError, codePointToUtf16, utf16ToCodePoint, countWellFormed,
} from '../../js/text-operation.js';

// Characters that exercise code points: ASCII, Latin-1, a combining mark, CJK, astral emoji, ZWJ.
const ALPHABET = ['a', 'b', 'c', ' ', '\n', 'é', 'e\u0301', '中', '😀', '🎉', '\u200d', '👩'];

function randomText(rng, maxPieces) {
    let s = '';
    const n = rng.int(maxPieces + 1);
    for (let i = 0; i < n; i++) {
        s += rng.pick(ALPHABET);
    }
    return s;
}

/** A random op fitting a document of `length` code points, as raw (maybe non-canonical) items. */
function randomItems(rng, length) {
    const items = [];
    let left = length;
    while (left > 0 && rng.chance(0.85)) {
        const roll = rng.int(3);
        if (roll === 0) {
            const n = 1 + rng.int(Math.min(left, 4));
            items.push(n);
            left -= n;
        } else if (roll === 1) {
            const n = 1 + rng.int(Math.min(left, 3));
            items.push({ d: n });
            left -= n;
        } else {
            items.push(randomText(rng, 3) || 'x');
        }
    }
    if (rng.chance(0.3)) {
        items.push(randomText(rng, 2) || 'y');
    }
    return items;
}

/** The naive model: an array of code points walked item by item. */
function naiveApply(doc, items) {
    const points = [...doc];
    const out = [];
    let at = 0;
    for (const item of items) {
        if (typeof item === 'number') {
            if (at + item > points.length) {
                throw new Error('past the end');
            }
            out.push(...points.slice(at, at + item));
            at += item;
        } else if (typeof item === 'string') {
            out.push(...item);
        } else {
            if (at + item.d > points.length) {
                throw new Error('past the end');
            }
            at += item.d;
        }
    }
    return out.concat(points.slice(at)).join('');
}

/** Why `op` is not in normal form (ot-text-unicode's: inserts and deletes in any order), or null. */
function canonicalViolation(json) {
    for (let k = 0; k < json.length; k++) {
        const kind = c => typeof c === 'number' ? 'retain' : typeof c === 'string' ? 'insert' : 'delete';
        if (json[k] === 0 || json[k] === '' || (typeof json[k] === 'object' && json[k].d === 0)) {
            return `empty component ${k}`;
        }
        if (k > 0 && kind(json[k]) === kind(json[k - 1])) {
            return `components ${k - 1} and ${k} are both ${kind(json[k])}s`;
        }
    }
    return typeof json[json.length - 1] === 'number' ? 'trailing retain' : null;
}

test('apply agrees with the naive model, and results are canonical', () => {
    forSeeds(1, 400, rng => {
        const doc = randomText(rng, 12);
        const items = randomItems(rng, [...doc].length);
        const op = TextOperation.fromJSON(items);
        assertEqual(op.apply(doc), naiveApply(doc, items), `apply ${JSON.stringify(items)} to ${JSON.stringify(doc)}`);
        assertEqual(canonicalViolation(op.toJSON()), null, `canonical form of ${JSON.stringify(items)}`);
        assert(TextOperation.fromJSON(op.toJSON()).equals(op), 'reading the canonical form gives the same op');
        assertEqual(op.resultLength([...doc].length), [...op.apply(doc)].length, 'resultLength');
    });
});

test('compose(a, b) applies as a then b', () => {
    forSeeds(1000, 400, rng => {
        const doc = randomText(rng, 10);
        const a = TextOperation.fromJSON(randomItems(rng, [...doc].length));
        const middle = a.apply(doc);
        const b = TextOperation.fromJSON(randomItems(rng, [...middle].length));
        const ab = TextOperation.compose(a, b);
        assertEqual(ab.apply(doc), b.apply(middle), `compose(${a}, ${b}) on ${JSON.stringify(doc)}`);
        assertEqual(canonicalViolation(ab.toJSON()), null, 'canonical compose');
    });
});

test('transform converges on both sides, and the left side wins insert ties', () => {
    forSeeds(2000, 400, rng => {
        const doc = randomText(rng, 10);
        const a = TextOperation.fromJSON(randomItems(rng, [...doc].length));
        const b = TextOperation.fromJSON(randomItems(rng, [...doc].length));
        for (const side of [Side.LEFT, Side.RIGHT]) {
            const a2 = TextOperation.transform(a, b, side);
            const b2 = TextOperation.transform(b, a, Side.opposite(side));
            assertEqual(a2.apply(b.apply(doc)), b2.apply(a.apply(doc)), `transform ${a} / ${b} (${side}) on ${JSON.stringify(doc)}`);
            assertEqual(canonicalViolation(a2.toJSON()), null, 'canonical transform');
        }
    });
    const left = TextOperation.transform(TextOperation.insert(1, 'L'), TextOperation.insert(1, 'R'), Side.LEFT);
    assertEqual(left.apply('aRb'), 'aLRb', 'LEFT goes first');
    const right = TextOperation.transform(TextOperation.insert(1, 'L'), TextOperation.insert(1, 'R'), Side.RIGHT);
    assertEqual(right.apply('aRb'), 'aRLb', 'RIGHT goes second');
});

test('invert undoes, and positions map back inside the base document', () => {
    forSeeds(3000, 400, rng => {
        const doc = randomText(rng, 10);
        const op = TextOperation.fromJSON(randomItems(rng, [...doc].length));
        const after = op.apply(doc);
        assertEqual(TextOperation.invert(op, doc).apply(after), doc, `invert ${op} on ${JSON.stringify(doc)}`);
        const afterLength = [...after].length;
        let previous = 0;
        for (let p = 0; p <= afterLength; p++) {
            const back = op.positionBefore(p);
            assert(back >= previous && back <= [...doc].length, `positionBefore(${p}) = ${back} for ${op} on ${JSON.stringify(doc)}`);
            previous = back;
        }
        for (let p = 0; p <= [...doc].length; p++) {
            const moved = op.transformPosition(p, rng.pick([Side.LEFT, Side.RIGHT]));
            assert(moved >= 0 && moved <= afterLength, `transformPosition(${p}) = ${moved} outside the result`);
        }
    });
});

test('positionBefore of text that survived is where it was', () => {
    const op = TextOperation.fromJSON([2, 'XY', { d: 1 }, 3]);
    // "ab c def" → "abXYdef": d (result 4) was at 3; the inserted XY maps to where it went in.
    assertEqual([0, 1, 2, 3, 4, 5, 6, 7].map(p => op.positionBefore(p)), [0, 1, 2, 2, 2, 4, 5, 6]);
});

test('code points and UTF-16 indices convert at the edge', () => {
    const text = 'a😀b';
    assertEqual(countWellFormed(text), 3, 'code points');
    assertEqual([0, 1, 2, 3].map(p => codePointToUtf16(text, p)), [0, 1, 3, 4], 'code point to UTF-16');
    assertEqual([0, 1, 3, 4].map(i => utf16ToCodePoint(text, i)), [0, 1, 2, 3], 'UTF-16 to code point');
    assertEqual(codePointToUtf16(text, 99), 4, 'clamped to the end');
    assertEqual(TextOperation.spliceUtf16(text, 1, 2, '🎉').toJSON(), [1, { d: 1 }, '🎉'], 'a UTF-16 splice in code points');
    const e = assertThrows(() => TextOperation.spliceUtf16(text, 2, 0, 'x'), InvalidOperationError, 'splitting a pair');
    assertEqual(e.message, 'UTF-16 index 2 splits a surrogate pair', 'message');
});

test('inserts and deletes keep their order, as in ot-text-unicode', () => {
    assertEqual(TextOperation.fromJSON([1, { d: 1 }, 'X']).toJSON(), [1, { d: 1 }, 'X'], 'delete then insert');
    assertEqual(TextOperation.fromJSON([1, 'X', { d: 1 }]).toJSON(), [1, 'X', { d: 1 }], 'insert then delete');
    assertEqual(TextOperation.fromJSON([{ d: 1 }, 'x', 'y', { d: 1 }, { d: 1 }]).toJSON(), [{ d: 1 }, 'xy', { d: 2 }], 'neighbours merge');
    // ot-text-unicode: transform([1,{d:1},"X"], [2,"Y"], "right") == [1,{d:1},1,"X"]; both sides end on "aYXc".
    const replace = TextOperation.fromJSON([1, { d: 1 }, 'X']);
    const insertY = TextOperation.fromJSON([2, 'Y']);
    assertEqual(TextOperation.transform(replace, insertY, Side.RIGHT).toJSON(), [1, { d: 1 }, 1, 'X'], 'transform right');
    assertEqual(TextOperation.transform(insertY, replace, Side.LEFT).apply(replace.apply('abc')), 'aYXc', 'the other side');
});

test('a trailing retain is dropped from the form but must still fit', () => {
    const op = TextOperation.fromJSON([1, 'x', 3]);
    assertEqual(op.toJSON(), [1, 'x'], 'normal form');
    assertEqual(op.apply('abcd'), 'axbcd', 'fits');
    const e = assertThrows(() => TextOperation.fromJSON([3]).apply('ab'), InvalidOperationError, '[3] on "ab"');
    assertEqual(e.message, 'op retains past the end of a 2-code-point document: component 0 retains 3 from position 0');
    assertThrows(() => TextOperation.fromJSON([2147483647]).apply('ab'), InvalidOperationError, '[2147483647]');
    assertThrows(() => op.apply('abc'), InvalidOperationError, '[1, "x", 3] on "abc"');
    assertThrows(() => TextOperation.invert(op, 'abc'), InvalidOperationError, 'invert');
    assertEqual(TextOperation.fromJSON([2]).apply('ab'), 'ab', '[2] on "ab"');
    assertEqual(TextOperation.fromJSON([]).apply('ab'), 'ab', 'the empty op');
});

test('errors say precisely what is wrong', () => {
    const past = assertThrows(() => TextOperation.fromJSON([4, 'x']).apply('abc'), InvalidOperationError);
    assertEqual(past.message, 'op retains past the end of a 3-code-point document: component 0 retains 4 from position 0');
    const item = assertThrows(() => TextOperation.fromJSON([1, '']), InvalidOperationError);
    assertEqual(item.message, 'op[1]: insert must be a non-empty string');
    const side = assertThrows(() => TextOperation.transform(TextOperation.insert(0, 'a'), TextOperation.NOOP, 'up'),
        InvalidOperationError);
    assertEqual(side.message, 'side must be "left" or "right", got up');
});

test('operations are immutable values', () => {
    const op = TextOperation.insert(2, 'hi');
    assert(Object.isFrozen(op), 'the op is frozen');
    assert(op.equals(TextOperation.fromJSON([1, 1, 'h', 'i'])), 'equal edits are equal');
    assertEqual(JSON.stringify(op), '[2,"hi"]', 'JSON.stringify gives the wire form');
});
