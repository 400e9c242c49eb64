/**
 * The textarea edge: the diff that turns an old and a new value into one splice, placed
 * where the person edited, never splitting a surrogate pair.
 */
import { test, assert, assertEqual, forSeeds } from '../harness.js';
import { diffUtf16 } from '../../js/editor-binding.js';
import { TextOperation, isWellFormed } from '../../js/text-operation.js';

test('a typed character in a run of the same character is placed at the caret', () => {
    // "aa" → "aaa" with the caret after the first a: the new a is the second character.
    assertEqual(diffUtf16('aa', 'aaa', 2), { index: 1, deleteLength: 0, text: 'a' });
    assertEqual(diffUtf16('aa', 'aaa', 1), { index: 0, deleteLength: 0, text: 'a' });
    assertEqual(diffUtf16('aa', 'aaa', 3), { index: 2, deleteLength: 0, text: 'a' });
});

test('deletes, pastes over a selection and undo are single splices', () => {
    assertEqual(diffUtf16('hello world', 'hello', 5), { index: 5, deleteLength: 6, text: '' });
    assertEqual(diffUtf16('hello world', 'hello there', 11), { index: 6, deleteLength: 5, text: 'there' });
    assertEqual(diffUtf16('abc', 'abc', 1).deleteLength + diffUtf16('abc', 'abc', 1).text.length, 0, 'no change');
    assertEqual(diffUtf16('', 'pasted\nlines', 12), { index: 0, deleteLength: 0, text: 'pasted\nlines' });
});

test('an astral character is never split', () => {
    // 😀 U+1F600 and 😁 U+1F601 share their high surrogate.
    assertEqual(diffUtf16('😀', '😁', 2), { index: 0, deleteLength: 2, text: '😁' });
    // U+1F600 and U+1F200 share their low surrogate.
    assertEqual(diffUtf16('x😀', 'x\ud83c\ude00', 3), { index: 1, deleteLength: 2, text: '\ud83c\ude00' });
    assertEqual(diffUtf16('😀😀', '😀', 2), { index: 2, deleteLength: 2, text: '' });
    assertEqual(diffUtf16('😀', '😀😀', 4), { index: 2, deleteLength: 0, text: '😀' }, 'typed at the end');
    assertEqual(diffUtf16('😀', '😀😀', 2), { index: 0, deleteLength: 0, text: '😀' }, 'typed at the start');
});

test('random edits: the splice rebuilds the new value, in whole code points', () => {
    const pieces = ['a', 'b', '😀', '😁', '\ud83c\ude00', 'é', '\n'];
    forSeeds(1, 500, rng => {
        const make = n => Array.from({ length: rng.int(n) }, () => rng.pick(pieces)).join('');
        const before = make(8);
        const points = [...before];
        const at = rng.int(points.length + 1);
        const removed = rng.int(points.length - at + 1);
        const inserted = make(3);
        const after = points.slice(0, at).join('') + inserted + points.slice(at + removed).join('');
        const caret = (points.slice(0, at).join('') + inserted).length;
        const { index, deleteLength, text } = diffUtf16(before, after, caret);
        assert(isWellFormed(text), `the inserted text ${JSON.stringify(text)} is whole code points`);
        const op = TextOperation.spliceUtf16(before, index, deleteLength, text); // throws if a pair is split
        assertEqual(op.apply(before), after, `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    });
});
