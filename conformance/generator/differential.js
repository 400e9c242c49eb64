'use strict';
/*
 * Differential run: random astral-heavy cases fed to ot-text-unicode 4.0.0 (in this
 * process) and to coedit's engine (through the ot-stdio bridge of the bench module, one
 * JSON request per line), counting where they disagree:
 *
 *     mvn -B -q -pl bench -am package -DskipTests          # builds bench/target/coedit-bench.jar
 *     cd conformance/generator && npm ci && node differential.js [cases] [seed]
 *
 * BRIDGE="java -jar …/coedit-bench.jar ot-stdio" picks another bridge command.
 *
 * For valid cases (documents and ops as in generate.js, ops in normal form) it compares
 * apply, compose, transform on both sides, invert and cursor transform:
 *   - same JSON: agreement;
 *   - a form difference: different JSON, same text when applied;
 *   - a semantic difference: different text (or one side refused a valid op).
 * It also sends malformed ops (zero, negative, fractional and huge counts, empty inserts,
 * odd delete objects, other item types, neighbouring and trailing retains, retains and
 * deletes past the end, lone surrogates) to apply on both, and counts per kind which side
 * refuses them. Prints the counts; exits 1 on any semantic or form difference, or a
 * malformed op coedit accepts and ot-text-unicode refuses (other than LENIENT below).
 */
const { spawn } = require('child_process');
const path = require('path');
const readline = require('readline');
const { type } = require('ot-text-unicode');
const { random, cpLength } = require('./cases');

const cases = Number(process.argv[2] || 5000);
const seed = Number(process.argv[3] || 1);
const jar = path.join(__dirname, '..', '..', 'bench', 'target', 'coedit-bench.jar');
const command = process.env.BRIDGE || `java -jar ${jar} ot-stdio`;

const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = readline.createInterface({ input: child.stdout });
const waiting = [];
lines.on('line', line => waiting.shift()(JSON.parse(line)));
const ask = request => new Promise(resolve => {
    waiting.push(resolve);
    child.stdin.write(JSON.stringify(request) + '\n');
});

/** ot-text-unicode's answer, or {error}. */
const peer = f => {
    try {
        return { result: f() };
    } catch (e) {
        return { error: e.message };
    }
};

const counts = {};
const examples = {};
const count = (key, example) => {
    counts[key] = (counts[key] || 0) + 1;
    if (example && !examples[key]) {
        examples[key] = example;
    }
};

/** Compares two answers; `applied(result)` turns an op answer into a text for the semantic check. */
function compare(what, theirs, ours, applied, context) {
    const t = JSON.stringify(theirs.result);
    const o = JSON.stringify(ours.result);
    if (theirs.error !== undefined || ours.error !== undefined) {
        if (theirs.error !== undefined && ours.error !== undefined) {
            count(`${what}: both refuse a generated case`, context);
        } else {
            count(`SEMANTIC ${what}: only ${theirs.error !== undefined ? 'ot-text-unicode' : 'coedit'} refuses`,
                { ...context, theirs, ours });
        }
        return;
    }
    if (t === o) {
        count(`${what}: same JSON`);
    } else if (applied && JSON.stringify(applied(theirs.result)) === JSON.stringify(applied(ours.result))) {
        count(`FORM ${what}: same text, different JSON`, { ...context, theirs: theirs.result, ours: ours.result });
    } else {
        count(`SEMANTIC ${what}: different result`, { ...context, theirs: theirs.result, ours: ours.result });
    }
}

/**
 * type.apply(doc, op), except that a count far past the end is answered without walking
 * it: ot-text-unicode counts a skip or delete out one code point at a time, so [1e300, "x"]
 * would never return. Past the end, its skip throws and its delete stops at the end.
 */
function peerApply(doc, op) {
    type.checkOp(op);
    const length = cpLength(doc);
    let at = 0;
    for (const c of op) {
        const n = typeof c === 'number' ? c : (c && typeof c === 'object') ? c.d : 0;
        if (typeof c === 'number' && at + c > length) {
            throw Error('The op is too long for this document');
        }
        if (typeof c === 'number' || (c && typeof c === 'object' && typeof c.d === 'number')) {
            at += n;
        }
    }
    if (at > length + 1000) {
        return '(a delete far past the end, which ot-text-unicode stops at the end)';
    }
    return type.apply(doc, op);
}

/**
 * Not in normal form, yet with one meaning: coedit reads them and normalizes them (so every
 * peer receives the normal form), as its protocol always has; ot-text-unicode's checkOp
 * refuses them. A trailing retain past the end is refused by both.
 */
const LENIENT = ['neighbouring retains', 'trailing retain that fits'];

const MALFORMED = [
    ['zero retain', (r, n) => [0, 'x']],
    ['negative retain', (r, n) => [-1, 'x']],
    ['fractional retain', (r, n) => [0.5, 'x']],
    ['retain 2^31', (r, n) => [2147483648, 'x']],
    ['retain 1e300', (r, n) => [1e300, 'x']],
    ['empty insert', (r, n) => ['']],
    ['zero delete', (r, n) => [{ d: 0 }]],
    ['negative delete', (r, n) => [{ d: -1 }]],
    ['fractional delete', (r, n) => n > 0 ? [{ d: 0.5 }] : [{ d: 1.5 }]],
    ['delete of a string (ot-text-unicode\'s invertible form)', (r, n) => n > 0 ? [{ d: [...'abc'].slice(0, 1).join('') }] : [{ d: 'a' }]],
    ['delete object with another key', (r, n) => [{ d: 1, x: 1 }]],
    ['delete object without d', (r, n) => [{}]],
    ['null item', (r, n) => [null]],
    ['boolean item', (r, n) => [true]],
    ['array item', (r, n) => [[1]]],
    ['not an array', (r, n) => ({ d: 1 })],
    ['neighbouring retains', (r, n) => n >= 2 ? [1, 1, 'x'] : [1, 1, 'x']],
    ['trailing retain that fits', (r, n) => ['x', Math.max(1, n)]],
    ['trailing retain past the end', (r, n) => [n + 1]],
    ['trailing retain of 2^31-1', (r, n) => [2147483647]],
    ['retain past the end', (r, n) => [n + 1, 'x']],
    ['delete past the end', (r, n) => [n, { d: 1 }]],
    ['lone high surrogate', (r, n) => ['a\ud83d']],
    ['lone low surrogate', (r, n) => ['\ude00b']],
];

async function main() {
    const r = random(seed);
    for (let k = 0; k < cases; k++) {
        const doc = r.document();
        const length = cpLength(doc);
        const a = type.normalize(r.op(length));
        const b = type.normalize(r.op(length));
        const afterA = type.apply(doc, a);
        const afterB = type.apply(doc, b);
        const c = type.normalize(r.op(cpLength(afterA)));
        const context = { doc, a, b, c };
        compare('apply', peer(() => type.apply(doc, a)), await ask({ cmd: 'apply', doc, op: a }), null, context);
        compare('compose', peer(() => type.compose(a, c)), await ask({ cmd: 'compose', a, b: c }),
            op => type.apply(doc, op), context);
        for (const side of ['left', 'right']) {
            compare(`transform ${side}`, peer(() => type.transform(a, b, side)),
                await ask({ cmd: 'transform', op: a, other: b, side }), op => type.apply(afterB, op), context);
        }
        compare('invert', peer(() => type.stripInvertible(type.invertWithDoc(a, doc))),
            await ask({ cmd: 'invert', op: a, doc }), op => type.apply(afterA, op), context);
        const pos = r.between(0, length + 1);
        compare('transformPosition', peer(() => type.transformPosition(pos, a)),
            await ask({ cmd: 'transformPosition', pos, op: a, side: 'left' }), null, { ...context, pos });

        const [kind, make] = MALFORMED[k % MALFORMED.length];
        const bad = make(r, length);
        const theirs = peer(() => peerApply(doc, bad));
        const ours = await ask({ cmd: 'apply', doc, op: bad });
        const verdict = theirs.error !== undefined && ours.error !== undefined ? 'both refuse'
            : theirs.error === undefined && ours.error === undefined ? 'both accept'
                : theirs.error === undefined ? 'coedit refuses, ot-text-unicode accepts'
                    : LENIENT.includes(kind) ? 'coedit accepts and normalizes, ot-text-unicode\'s checkOp refuses'
                        : 'ACCEPTED BY COEDIT, REFUSED BY OT-TEXT-UNICODE';
        count(`malformed (${verdict}): ${kind}`, { doc, op: bad, theirs, ours });
    }
    child.stdin.end();
    const keys = Object.keys(counts).sort();
    let differences = 0;
    for (const key of keys) {
        console.log(`${String(counts[key]).padStart(7)}  ${key}`);
        if (key.startsWith('SEMANTIC') || key.startsWith('FORM') || key.includes('ACCEPTED BY COEDIT')) {
            differences += counts[key];
            console.log(`         e.g. ${JSON.stringify(examples[key])}`);
        }
    }
    const total = keys.filter(k => !k.startsWith('malformed')).reduce((sum, k) => sum + counts[k], 0);
    console.log(`${cases} cases, ${total} valid comparisons, seed ${seed}: `
        + `${keys.filter(k => k.startsWith('SEMANTIC')).reduce((s, k) => s + counts[k], 0)} semantic and `
        + `${keys.filter(k => k.startsWith('FORM')).reduce((s, k) => s + counts[k], 0)} form differences`);
    process.exit(differences === 0 ? 0 : 1);
}

main().catch(e => {
    console.error(e);
    process.exit(2);
});
