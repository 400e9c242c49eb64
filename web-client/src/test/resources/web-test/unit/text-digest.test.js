/**
 * The digest's vectors of docs/PROTOCOL.md ("Digests"), the same as the Java engine's
 * TextDigestTest checks; they were computed by an independent implementation of the definition.
 */
import { test, assertEqual, assert } from '../harness.js';
import { textDigest } from '../../js/text-digest.js';

test('the digest matches the published vectors', () => {
    assertEqual(textDigest(''), '811c9dc59e3779b9', 'empty');
    assertEqual(textDigest('a'), 'e40c292cd58629b7', 'a');
    assertEqual(textDigest('abc'), '1a47e90bb8feb701', 'abc');
    assertEqual(textDigest('h\u00e9llo'), '4aa48540fd0f3ad7', 'two-byte');
    assertEqual(textDigest('a\u{1F600}b'), '88a361a951b95660', 'astral');
    assertEqual(textDigest('\u4e2d\u6587 e\u0301 \u{1F469}\u200D\u{1F4BB}\n'), '74d2bac3caa73895', 'CJK, combining mark, ZWJ');
    assertEqual(textDigest('aYXc'), '775d310233dba97f', 'aYXc');
    assertEqual(textDigest('aXYc'), '1a2a6e34bc937ad3', 'aXYc');
});

test('the digest reads UTF-8 as TextEncoder writes it, a lone surrogate included', () => {
    const bytesDigest = bytes => {
        let a = 0x811c9dc5;
        let b = 0x9e3779b9;
        for (const x of bytes) {
            a = Math.imul(a ^ x, 0x01000193);
            b = Math.imul(b ^ x, 0x5bd1e995);
            b ^= b >>> 15;
        }
        return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
    };
    for (const text of ['x', '\u07ff\u0800\uffff', '\u{10000}\u{10ffff}', 'a\ud83db', 'end\ud83d', '\ude00start']) {
        assertEqual(textDigest(text), bytesDigest(new TextEncoder().encode(text)), JSON.stringify(text));
    }
    assert(textDigest('ab') !== textDigest('ba'), 'order matters');
});
