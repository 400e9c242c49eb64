/**
 * Runs the shared vectors of conformance/text-ot.json (format: conformance/README.md)
 * against the browser engine. Each case gives {name, kind, passed, message}; the Java test
 * that drives the browser turns every one into a test of its own, named after the case.
 */
import { TextOperation, InvalidOperationError, Side } from '../js/text-operation.js';

/** Runs every case of a parsed vector file; never throws. */
export function runConformance(file) {
    return file.cases.map(c => {
        try {
            check(c);
            return { name: c.name, kind: c.kind, passed: true, message: '' };
        } catch (e) {
            return { name: c.name, kind: c.kind, passed: false, message: String(e && e.message || e) };
        }
    });
}

function check(c) {
    switch (c.kind) {
        case 'apply': {
            const op = TextOperation.fromJSON(c.op);
            same('apply', c.expected, op.apply(c.doc));
            same('resultLength', [...c.expected].length, op.resultLength([...c.doc].length));
            break;
        }
        case 'normalize':
            sameOp('canonical form', c.expected, TextOperation.fromJSON(c.op));
            // The canonical form reads back to itself.
            sameOp('canonical form read again', c.expected, TextOperation.fromJSON(c.expected));
            break;
        case 'compose':
            sameOp('compose(op, other)', c.expected,
                TextOperation.compose(TextOperation.fromJSON(c.op), TextOperation.fromJSON(c.other)));
            break;
        case 'transform': {
            const op = TextOperation.fromJSON(c.op);
            const other = TextOperation.fromJSON(c.other);
            sameOp(`transform(op, other, ${c.side})`, c.expected, TextOperation.transform(op, other, c.side));
            break;
        }
        case 'invert':
            sameOp('invert(op, doc)', c.expected, TextOperation.invert(TextOperation.fromJSON(c.op), c.doc));
            break;
        case 'transformPosition':
            same(`transformPosition(${c.pos}, ${c.side})`, c.expected,
                TextOperation.fromJSON(c.op).transformPosition(c.pos, c.side));
            break;
        case 'applySequence': {
            let text = c.doc;
            for (const op of c.ops) {
                text = TextOperation.fromJSON(op).apply(text);
            }
            same('final document', c.expected, text);
            break;
        }
        case 'invalid':
            checkInvalid(c);
            break;
        default:
            throw new Error(`unknown kind ${c.kind}`);
    }
}

function checkInvalid(c) {
    if (c.stage === 'parse') {
        const e = rejected('TextOperation.parse', () => TextOperation.parse(c.opJson));
        if (c.item !== undefined && !e.message.startsWith(`op[${c.item}]`)) {
            throw new Error(`the message should name op[${c.item}]: ${e.message}`);
        }
    } else if (c.stage === 'apply') {
        const op = TextOperation.fromJSON(c.op); // well-formed: only applying it must fail
        rejected('apply', () => op.apply(c.doc));
        rejected('invert', () => TextOperation.invert(op, c.doc));
    } else {
        throw new Error(`unknown stage ${c.stage}`);
    }
}

function rejected(what, action) {
    try {
        action();
    } catch (e) {
        if (e instanceof InvalidOperationError) {
            return e;
        }
        throw new Error(`${what} should throw InvalidOperationError, threw ${e}`);
    }
    throw new Error(`${what} should have been rejected`);
}

function same(what, expected, actual) {
    if (expected !== actual) {
        throw new Error(`${what}: expected ${JSON.stringify(expected)} but got ${JSON.stringify(actual)}`);
    }
}

function sameOp(what, expected, actual) {
    same(what, JSON.stringify(expected), JSON.stringify(actual));
}

/**
 * Replays conformance/ot-text-unicode-vectors.json (ot-text-unicode 4.0.0's own answers;
 * format: conformance/README.md): every result must be the same JSON. Gives one entry,
 * {cases, checks, failures: [message...]}, the first 50 failures at most; never throws.
 */
export function runOtTextUnicode(file) {
    const failures = [];
    let checks = 0;
    file.cases.forEach((c, k) => {
        const check = (what, expected, actual) => {
            checks++;
            let got;
            try {
                got = JSON.stringify(actual());
            } catch (e) {
                got = `threw ${e && e.message}`;
            }
            if (got !== JSON.stringify(expected) && failures.length < 50) {
                failures.push(`case ${k} ${what}: ot-text-unicode ${JSON.stringify(expected)}, this engine ${got}`);
            }
        };
        const a = TextOperation.fromJSON(c.a);
        const b = TextOperation.fromJSON(c.b);
        const after = TextOperation.fromJSON(c.c);
        check('apply', c.apply, () => a.apply(c.doc));
        check('applyB', c.applyB, () => b.apply(c.doc));
        check('compose', c.compose, () => TextOperation.compose(a, after));
        check('left', c.left, () => TextOperation.transform(a, b, Side.LEFT));
        check('right', c.right, () => TextOperation.transform(a, b, Side.RIGHT));
        check('invert', c.invert, () => TextOperation.invert(a, c.doc));
        c.pos.forEach((p, i) => check(`transformPosition(${p})`, c.posAfter[i], () => a.transformPosition(p, Side.LEFT)));
        check('transformSelection', c.selAfter, () => {
            const s = a.transformSelection({ anchor: c.sel[0], head: c.sel[1] }, Side.LEFT);
            return [s.anchor, s.head];
        });
    });
    return [{ cases: file.cases.length, checks, failures }];
}
