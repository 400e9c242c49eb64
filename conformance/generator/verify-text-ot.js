'use strict';
/*
 * Checks the expected values of coedit's hand-written and seeded vector files against
 * ot-text-unicode itself:
 *
 *     cd conformance/generator && npm ci && node verify-text-ot.js
 *
 * by default conformance/text-ot.json and the engine's regression file; other paths may be
 * given. Ops are read as coedit reads them (normalized first: coedit accepts neighbouring
 * and trailing retains, which ot-text-unicode's checkOp refuses). A "right" side caret has
 * no ot-text-unicode counterpart and is skipped. For invalid cases it reports which ones
 * ot-text-unicode accepts (coedit is stricter on purpose: see conformance/README.md).
 * Exits 1 if any valid case disagrees.
 */
const fs = require('fs');
const path = require('path');
const { type } = require('ot-text-unicode');

const root = path.join(__dirname, '..', '..');
const files = process.argv.length > 2 ? process.argv.slice(2) : [
    path.join(root, 'conformance', 'text-ot.json'),
    path.join(root, 'ot-engine', 'src', 'test', 'resources', 'io', 'coedit', 'ot', 'regressions.json'),
];

let disagreements = 0;
for (const file of files) {
    const cases = JSON.parse(fs.readFileSync(file, 'utf8')).cases;
    const tally = { agree: 0, disagree: 0, skipped: 0, invalidBothRefuse: 0, invalidPeerAccepts: [] };
    const n = op => type.normalize(op);
    const same = (c, expected, got) => {
        if (JSON.stringify(expected) === JSON.stringify(got)) {
            tally.agree++;
        } else {
            tally.disagree++;
            console.log(`DISAGREE ${c.name}: expected ${JSON.stringify(expected)}, ot-text-unicode ${JSON.stringify(got)}`);
        }
    };
    for (const c of cases) {
        switch (c.kind) {
            case 'apply': same(c, c.expected, type.apply(c.doc, n(c.op))); break;
            case 'normalize': same(c, c.expected, n(c.op)); break;
            case 'compose': same(c, c.expected, type.compose(n(c.op), n(c.other))); break;
            case 'transform': same(c, c.expected, type.transform(n(c.op), n(c.other), c.side)); break;
            case 'invert': same(c, c.expected, type.stripInvertible(type.invertWithDoc(n(c.op), c.doc))); break;
            case 'transformPosition':
                if (c.side === 'left') {
                    same(c, c.expected, type.transformPosition(c.pos, n(c.op)));
                } else {
                    tally.skipped++;
                }
                break;
            case 'applySequence':
                same(c, c.expected, c.ops.reduce((doc, op) => type.apply(doc, n(op)), c.doc));
                break;
            case 'invalid': {
                let refused = false;
                try {
                    if (c.stage === 'parse') {
                        type.checkOp(JSON.parse(c.opJson));
                    } else {
                        type.checkOp(c.op);
                        type.apply(c.doc, c.op);
                    }
                } catch (e) {
                    refused = true;
                }
                if (refused) {
                    tally.invalidBothRefuse++;
                } else {
                    tally.invalidPeerAccepts.push(`${c.name} (${c.reason})`);
                }
                break;
            }
            default: tally.skipped++;
        }
    }
    disagreements += tally.disagree;
    console.log(`${path.relative(root, file)}: ${tally.agree} agree with ot-text-unicode, ${tally.disagree} disagree, `
        + `${tally.skipped} without a counterpart; invalid: ${tally.invalidBothRefuse} refused by both, `
        + `${tally.invalidPeerAccepts.length} accepted by ot-text-unicode:`);
    for (const name of tally.invalidPeerAccepts) {
        console.log(`    ${name}`);
    }
}
process.exit(disagreements === 0 ? 0 : 1);
