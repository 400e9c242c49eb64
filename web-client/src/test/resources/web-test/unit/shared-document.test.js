/**
 * SharedDocument against a simulated protocol-v1 server: the Jupiter server of
 * PROTOCOL.md in a few lines (transform incoming ops as RIGHT against the history they
 * missed, dedupe by (clientId, seq), catch-up opens), with ordered links that delay
 * messages, drop connections (a message may or may not reach the server before the drop),
 * and pages that reload with unsent edits in storage. It sends the digest of its text after
 * every op (a real server does so every so many versions), so every run also checks that no
 * page ever finds its text unlike the server's, and faults injected on purpose are healed.
 */
import { test, assert, assertEqual, forSeeds } from '../harness.js';
import { TextOperation, Side } from '../../js/text-operation.js';
import { SharedDocument } from '../../js/shared-document.js';
import { PendingEdits, MemoryStorage } from '../../js/pending-edits.js';
import { textDigest } from '../../js/text-digest.js';

const DOC = 'notes';

class SimServer {
    constructor() {
        this.text = '';
        this.history = []; // {op, clientId, seq}
        this.lastSeq = new Map();
        this.links = new Set();
        this.nextClient = 1;
        this.chatId = 0;
        /** Ops whose result gets a digest: every version whose result is a multiple of this. */
        this.digestEvery = 1;
        /** The `diverged` reports received. */
        this.diverged = [];
        /** Test-only fault: what an incoming op becomes before the server transforms it. */
        this.incomingFault = op => op;
    }

    get version() {
        return this.history.length;
    }

    /** The window of a batched link ends: what was committed since the last frame goes as one `ops`. */
    flush(link) {
        if (link.batched && link.unsent.length > 0) {
            link.down.push({ type: 'ops', doc: DOC, ops: link.unsent });
            link.unsent = [];
        }
    }

    /** Sends `message` to `other`, after the operations its batched window holds (a presence refers to them). */
    broadcast(other, message) {
        this.flush(other);
        other.down.push(message);
    }

    /** A message from `link` arrives. */
    handle(link, m) {
        const reply = message => link.down.push(message);
        switch (m.type) {
            case 'hello':
                link.clientId = m.clientId || `c${this.nextClient++}`;
                link.batched = m.batch === true;
                link.unsent = [];
                reply({ type: 'welcome', clientId: link.clientId, user: { id: link.clientId, name: link.clientId, color: '#123456' },
                    ...(link.batched ? { batch: true } : {}) });
                return;
            case 'open':
                if (m.version !== undefined && m.version > this.version) {
                    reply({ type: 'error', code: 'version_ahead', message: 'ahead', doc: DOC });
                    return;
                }
                link.subscribed = true;
                link.unsent = []; // the reply brings the client to the head
                if (m.version === undefined) {
                    reply({ type: 'opened', doc: DOC, version: this.version, text: this.text, peers: [], chat: [], readOnly: false });
                } else {
                    reply({ type: 'opened', doc: DOC, version: m.version, peers: [], chat: [], readOnly: false });
                    for (let v = m.version; v < this.version; v++) {
                        const h = this.history[v];
                        reply({ type: 'op', doc: DOC, version: v, op: h.op.toJSON(), clientId: h.clientId, seq: h.seq });
                    }
                }
                return;
            case 'op': {
                if (!link.subscribed) {
                    reply({ type: 'error', code: 'not_open', message: 'open first', doc: DOC, seq: m.seq });
                    return;
                }
                const last = this.lastSeq.get(link.clientId) || 0;
                if (m.seq <= last) {
                    const v = this.history.findIndex(h => h.clientId === link.clientId && h.seq === m.seq);
                    reply(v >= 0 ? { type: 'ack', doc: DOC, seq: m.seq, version: v }
                        : { type: 'error', code: 'bad_request', message: 'seq reused', doc: DOC, seq: m.seq });
                    return;
                }
                let op = this.incomingFault(TextOperation.fromJSON(JSON.parse(JSON.stringify(m.op))));
                for (let v = m.version; v < this.version; v++) {
                    op = TextOperation.transform(op, this.history[v].op, Side.RIGHT);
                }
                this.text = op.apply(this.text); // throws on a client bug: the test fails
                const version = this.version;
                this.history.push({ op, clientId: link.clientId, seq: m.seq });
                this.lastSeq.set(link.clientId, m.seq);
                const entry = { version, op: op.toJSON(), clientId: link.clientId, seq: m.seq };
                const digest = this.version % this.digestEvery === 0 ? { digest: textDigest(this.text) } : {};
                Object.assign(entry, digest);
                if (!link.batched) {
                    reply({ type: 'ack', doc: DOC, seq: m.seq, version, ...digest });
                }
                for (const other of this.links) {
                    if (other.batched && other.subscribed) {
                        other.unsent.push(entry); // the sender's own entry is its ack
                    } else if (other !== link && other.subscribed) {
                        other.down.push({ type: 'op', doc: DOC, ...entry });
                    }
                }
                return;
            }
            case 'presence':
                for (const other of this.links) {
                    if (other !== link && other.subscribed && m.version <= this.version) {
                        let selection = m.selection;
                        for (let v = m.version; v < this.version && selection; v++) {
                            selection = selection.map(r => this.history[v].op.transformSelection(r, Side.LEFT));
                        }
                        this.broadcast(other, { type: 'presence', doc: DOC, clientId: link.clientId,
                            user: { id: link.clientId, name: link.clientId, color: '#123456' }, version: this.version, selection });
                    }
                }
                return;
            case 'chat':
                this.chatId++;
                for (const other of this.links) {
                    if (other.subscribed) {
                        this.broadcast(other, { type: 'chat', doc: DOC, id: this.chatId, user: { id: link.clientId, name: link.clientId, color: '#123456' }, text: m.text, ts: 0 });
                    }
                }
                return;
            case 'diverged':
                this.diverged.push({ clientId: link.clientId, version: m.version, digest: m.digest, clientDigest: m.clientDigest });
                return;
            default:
                throw new Error(`unexpected message ${m.type}`);
        }
    }
}

/** One browser tab: a page (SharedDocument) and its link to the server, if connected. */
class Tab {
    constructor(server, storage, rng, clock, batched = false) {
        this.server = server;
        this.batched = batched;
        this.storage = storage;
        this.rng = rng;
        this.clock = clock;
        this.timers = [];
        this.link = null;
        this.load();
    }

    load() {
        const timers = {
            set: (fn, ms) => {
                const t = { fn, at: this.clock.now + ms };
                this.timers.push(t);
                return t;
            },
            clear: t => {
                this.timers = this.timers.filter(x => x !== t);
            },
            now: () => this.clock.now,
        };
        this.timers = [];
        this.page = new SharedDocument(DOC, {
            send: m => {
                if (this.link === null || !this.link.welcomed) {
                    return false;
                }
                this.link.up.push(JSON.parse(JSON.stringify(m)));
                return true;
            },
            pending: new PendingEdits(this.storage, DOC, { now: () => this.clock.now }),
            timers,
        });
    }

    connect() {
        if (this.link !== null) {
            return;
        }
        this.link = { up: [], down: [], clientId: null, subscribed: false, welcomed: false, batched: false, unsent: [] };
        this.server.links.add(this.link);
        const hello = { type: 'hello', ...(this.batched ? { batch: true } : {}) };
        if (this.page.clientId) {
            hello.clientId = this.page.clientId;
        }
        this.link.up.push(hello);
    }

    /** The socket drops: some of what was on its way up may still reach the server. */
    disconnect() {
        if (this.link === null) {
            return;
        }
        const link = this.link;
        const arriving = this.rng.int(link.up.length + 1);
        for (const m of link.up.slice(0, arriving)) {
            this.server.handle(link, m);
        }
        this.server.links.delete(link);
        this.link = null;
        if (link.welcomed) {
            this.page.disconnected();
        }
    }

    /** Closes the page and opens it again (with or without a connection in between). */
    reload() {
        const wasConnected = this.link !== null;
        this.disconnect();
        this.page.releaseStorage();
        this.load();
        if (wasConnected) {
            this.connect();
        }
    }

    deliverUp() {
        if (this.link !== null && this.link.up.length > 0) {
            this.server.handle(this.link, this.link.up.shift());
        }
    }

    deliverDown() {
        if (this.link === null || this.link.down.length === 0) {
            return;
        }
        const m = this.link.down.shift();
        if (m.type === 'welcome') {
            this.link.welcomed = true;
            this.page.connected(m.clientId, m.user);
        } else {
            this.page.receive(m);
        }
    }

    fireTimers() {
        const due = this.timers.filter(t => t.at <= this.clock.now);
        this.timers = this.timers.filter(t => t.at > this.clock.now);
        for (const t of due) {
            t.fn();
        }
    }

    edit() {
        if (!this.page.ready) {
            return;
        }
        const points = [...this.page.text];
        const at = this.rng.int(points.length + 1);
        const removed = this.rng.chance(0.3) ? this.rng.int(Math.min(3, points.length - at) + 1) : 0;
        const text = this.rng.pick(['a', 'b', 'é', '😀', '中', 'xy', '\n', '']);
        const op = TextOperation.splice(at, removed, text);
        const caret = at + [...text].length;
        this.page.localEdit(op, { anchor: caret, head: caret });
    }

    /** The server's flush window for this tab's link ends. */
    flush() {
        if (this.link !== null) {
            this.server.flush(this.link);
        }
    }

    busy() {
        return this.link !== null && (this.link.up.length > 0 || this.link.down.length > 0 || this.link.unsent.length > 0);
    }
}

function simulate(rng, { tabs: count, steps, batched = () => false }) {
    const server = new SimServer();
    const clock = { now: 0 };
    const tabs = Array.from({ length: count }, () => new Tab(server, new MemoryStorage(), rng, clock, batched()));
    tabs.forEach(t => t.connect());
    for (let step = 0; step < steps; step++) {
        clock.now += rng.int(30);
        const tab = rng.pick(tabs);
        const roll = rng.random();
        if (roll < 0.3) {
            tab.edit();
        } else if (roll < 0.55) {
            tab.deliverUp();
        } else if (roll < 0.8) {
            tab.deliverDown();
        } else if (roll < 0.85) {
            tab.fireTimers();
        } else if (roll < 0.9) {
            tab.disconnect();
        } else if (roll < 0.95) {
            tab.connect();
        } else if (roll < 0.97) {
            tab.reload();
        } else {
            tab.flush();
        }
    }
    // Everyone comes back and the network drains.
    tabs.forEach(t => t.connect());
    for (let round = 0; round < 1000 && (tabs.some(t => t.busy()) || round < 3); round++) {
        clock.now += 20000;
        for (const t of tabs) {
            t.fireTimers();
            while (t.busy()) {
                t.deliverUp();
                t.flush();
                t.deliverDown();
            }
        }
    }
    return { server, tabs };
}

function checkConverged({ server, tabs }) {
    for (const [k, t] of tabs.entries()) {
        assertEqual(t.page.text, server.text, `tab ${k}'s text`);
        assertEqual(t.page.state, 'Synchronized', `tab ${k}'s state`);
        assertEqual(t.page.unsentEdits, 0, `tab ${k}'s unsent edits`);
        assertEqual(t.page.version, server.version, `tab ${k}'s version`);
        assertEqual(t.page.reloads, 0, `tab ${k} had to start again from the server's text`);
    }
    assertEqual(server.diverged, [], 'no page found its text unlike the server\'s digest');
    const seen = new Set();
    for (const h of server.history) {
        const key = `${h.clientId}/${h.seq}`;
        assert(!seen.has(key), `(clientId, seq) ${key} committed twice`);
        seen.add(key);
    }
}

test('random edits, delays, drops and reloads converge with nothing committed twice', () => {
    forSeeds(1, 150, rng => {
        const run = simulate(rng, { tabs: 3, steps: 300 });
        checkConverged(run);
        for (const t of run.tabs) {
            assertEqual(t.storage.length, 0, 'storage left behind once everything is acknowledged');
        }
    });
});

test('batched and plain tabs together: random edits, delays, drops and reloads converge', () => {
    forSeeds(2000, 150, rng => {
        const run = simulate(rng, { tabs: 3, steps: 300, batched: () => rng.chance(0.5) });
        checkConverged(run);
    });
});

test('a batched frame applies the others\' ops and acknowledges ours', () => {
    const server = new SimServer();
    const clock = { now: 0 };
    const rng = { int: () => 0, chance: () => false, pick: a => a[0], random: () => 0 };
    const [a, b] = [new Tab(server, new MemoryStorage(), rng, clock, true), new Tab(server, new MemoryStorage(), rng, clock, false)];
    for (const t of [a, b]) {
        t.connect();
        while (t.busy()) {
            t.deliverUp();
            t.deliverDown();
        }
    }
    a.page.localEdit(TextOperation.insert(0, 'a'), { anchor: 1, head: 1 });
    b.page.localEdit(TextOperation.insert(0, 'b'), { anchor: 1, head: 1 });
    b.deliverUp();
    a.deliverUp();
    assertEqual(a.link.down.length, 0, 'nothing for the batched tab before its window ends');
    assertEqual(a.page.state, 'AwaitingConfirm');
    server.flush(a.link);
    assertEqual(a.link.down.length, 1, 'one frame');
    assertEqual(a.link.down[0].ops.map(e => e.version), [0, 1]);
    a.deliverDown();
    assertEqual(a.page.state, 'Synchronized', 'its own entry was the ack');
    assertEqual(a.page.version, 2);
    assertEqual(a.page.text, server.text);
    while (b.busy()) {
        b.deliverDown();
    }
    assertEqual(b.page.text, server.text);
});

test('edits made offline survive a reload and reach the server once', () => {
    forSeeds(500, 50, rng => {
        const server = new SimServer();
        const clock = { now: 0 };
        const storage = new MemoryStorage();
        const writer = new Tab(server, storage, rng, clock);
        const reader = new Tab(server, new MemoryStorage(), rng, clock);
        for (const t of [writer, reader]) {
            t.connect();
            while (t.busy()) {
                t.deliverUp();
                t.deliverDown();
            }
        }
        writer.page.localEdit(TextOperation.insert(0, 'online '), null);
        writer.deliverUp(); // the op reaches the server...
        writer.disconnect(); // ...and the ack is lost with the connection
        for (const word of ['offline', ' 😀', ' 中文']) {
            writer.page.localEdit(TextOperation.insert([...writer.page.text].length, word), null);
        }
        assertEqual(writer.page.unsentEdits, 4, 'unsent edits while offline');
        writer.reload(); // no connection: the page loads from storage
        assertEqual(writer.page.text, 'online offline 😀 中文', 'the reloaded page shows the offline edits');
        assertEqual(writer.page.unsentEdits, 4, 'unsent edits after the reload');
        writer.connect();
        for (let i = 0; i < 100; i++) {
            clock.now += 1000;
            for (const t of [writer, reader]) {
                t.fireTimers();
                t.deliverUp();
                t.deliverDown();
            }
        }
        assertEqual(server.text, 'online offline 😀 中文', 'server text');
        assertEqual(reader.page.text, server.text, 'the other page');
        checkConverged({ server, tabs: [writer, reader] });
        assertEqual(server.history.length, 2, 'the first op once, then the offline edits composed into one');
    });
});

test('our own op in a catch-up is the ack; the duplicate ack that follows is ignored', () => {
    const rng = { int: () => 0, pick: a => a[0], chance: () => false, random: () => 0 };
    const server = new SimServer();
    const clock = { now: 0 };
    const tab = new Tab(server, new MemoryStorage(), rng, clock);
    tab.connect();
    while (tab.busy()) {
        tab.deliverUp();
        tab.deliverDown();
    }
    tab.page.localEdit(TextOperation.insert(0, 'x'), null);
    tab.deliverUp(); // committed at version 0
    tab.disconnect(); // ack lost
    tab.connect();
    const sent = [];
    while (tab.busy()) {
        if (tab.link.up.length > 0) {
            sent.push(tab.link.up[0].type);
        }
        tab.deliverUp();
        tab.deliverDown();
    }
    assertEqual(sent, ['hello', 'open', 'op'], 'hello, the catch-up open, and the resubmission');
    assertEqual(server.history.length, 1, 'committed once');
    assertEqual(tab.page.state, 'Synchronized');
    assertEqual(tab.page.version, 1);
});

/** Two plain tabs on one simulated server, and a drain that runs their timers and links until nothing moves. */
function twoPlainTabs() {
    const rng = { int: () => 0, pick: a => a[0], chance: () => false, random: () => 0 };
    const server = new SimServer();
    const clock = { now: 0 };
    const a = new Tab(server, new MemoryStorage(), rng, clock);
    const b = new Tab(server, new MemoryStorage(), rng, clock);
    const drain = () => {
        for (let i = 0; i < 50; i++) {
            clock.now += 200;
            for (const t of [a, b]) {
                t.fireTimers();
                t.deliverUp();
                t.deliverDown();
            }
        }
    };
    return { server, a, b, drain };
}

test('a peer caret follows the peer typing and ours stays put', () => {
    const { a, b, drain } = twoPlainTabs();
    a.connect();
    b.connect();
    drain();
    a.page.localEdit(TextOperation.insert(0, 'hello world'), { anchor: 11, head: 11 });
    drain();
    b.page.setSelection({ anchor: 5, head: 5 });
    drain();
    a.page.setSelection({ anchor: 5, head: 5 }); // both at "hello|"
    drain();
    assertEqual(b.page.peers.get(a.page.clientId).ranges, [{ anchor: 5, head: 5 }], 'b sees a at 5');
    b.page.localEdit(TextOperation.insert(5, ' there'), { anchor: 11, head: 11 });
    drain();
    assertEqual(a.page.text, 'hello there world');
    assertEqual(a.page.selection, { anchor: 5, head: 5 }, "a's caret stays before b's text");
    assertEqual(a.page.peers.get(b.page.clientId).ranges, [{ anchor: 11, head: 11 }], "b's caret after b's text");
});

// ---- divergence: found by the digest, healed, nothing typed lost ---------------------------

const FIXED = { int: () => 0, pick: a => a[0], chance: () => false, random: () => 0 };

/** Delivers everything both ways, with timers, until nothing moves. */
function drain(tabs, clock) {
    for (let i = 0; i < 200; i++) {
        clock.now += 100;
        for (const t of tabs) {
            t.fireTimers();
            t.deliverUp();
            t.flush();
            t.deliverDown();
        }
    }
}

function twoTabs(batchedA) {
    const server = new SimServer();
    const clock = { now: 0 };
    const a = new Tab(server, new MemoryStorage(), FIXED, clock, batchedA);
    const b = new Tab(server, new MemoryStorage(), FIXED, clock, false);
    a.connect();
    b.connect();
    drain([a, b], clock);
    return { server, clock, a, b };
}

for (const batched of [false, true]) {
    test(`a corrupted ${batched ? 'batched' : 'plain'} page is found out by the digest and healed, keeping what was typed`, () => {
        const { server, clock, a, b } = twoTabs(batched);
        server.digestEvery = 4;
        b.page.localEdit(TextOperation.insert(0, 'the quick brown fox'), null);
        drain([a, b], clock);
        assertEqual(a.page.text, server.text);

        // The fault: one character of a's text changes behind its OT client's back.
        a.page.text = '\u2603' + a.page.text.slice(1);
        let typedWhileHealing = false;
        for (let edit = 0; edit < 20 && !typedWhileHealing; edit++) {
            b.page.localEdit(TextOperation.insert(b.page.length, '.'), null);
            for (let i = 0; i < 20 && !typedWhileHealing; i++) {
                b.deliverUp();
                b.deliverDown();
                a.flush();
                a.deliverDown();
                if (a.page.healing) {
                    a.page.localEdit(TextOperation.insert(0, '[kept 😀]'), null);
                    typedWhileHealing = true;
                }
            }
        }
        assert(typedWhileHealing, 'the corruption was found out');
        drain([a, b], clock);
        assertEqual(server.diverged.length, 1, 'one diverged report');
        assertEqual(server.diverged[0].clientId, a.page.clientId, 'reported by the corrupted page');
        assertEqual(server.diverged[0].version % 4, 0, 'at a version with a digest');
        assert(server.diverged[0].digest !== server.diverged[0].clientDigest, 'with both digests');
        server.diverged = []; // checkConverged wants none after this
        assert(server.text.includes('[kept 😀]'), `what was typed while healing is kept: ${server.text}`);
        assert(!server.text.includes('\u2603'), `the corruption is gone: ${server.text}`);
        assertEqual(a.page.divergences, 1);
        checkConverged({ server, tabs: [a, b] });
    });
}

test('a page that finds out with an op in flight lets it settle, and it is committed once', () => {
    const { server, clock, a, b } = twoTabs(false);
    server.digestEvery = 1;
    a.page.localEdit(TextOperation.insert(0, 'abcdef'), null);
    drain([a, b], clock);
    a.page.text = 'abcdeZ'; // the fault, with nothing unacknowledged
    a.page.localEdit(TextOperation.insert(0, 'in flight '), null); // sent, not yet delivered
    b.page.localEdit(TextOperation.insert(0, '>'), null);
    b.deliverUp(); // b's op is committed first, with a digest
    a.deliverDown(); // a applies it to its server-side text and finds out, its op still in flight
    assert(a.page.healing, 'found out with an op in flight');
    a.page.localEdit(TextOperation.insert(0, 'buffered '), null); // typed while healing
    drain([a, b], clock);
    assertEqual(server.diverged.length, 1, 'one diverged report');
    const mine = server.history.filter(h => h.clientId === a.page.clientId);
    assertEqual(mine.length, 3, 'the first edit, the op in flight once, and the buffer as one edit');
    assert(server.text.startsWith('buffered >in flight abcdef'), server.text);
    server.diverged = [];
    checkConverged({ server, tabs: [a, b] });
});

test('the ot-text-unicode race against a reordering server is found out and healed', () => {
    // On "abc", b's [2, "Y"] is committed first, then a's [1, {"d": 1}, "X"] on the same base.
    // The server commits a's op as a reordering server did, [1, "X", {"d": 1}], and ends on
    // "aXYc"; a transforms b's op as ot-text-unicode 4.0.0 does, to [1, "Y"], and ends on "aYXc".
    // Both faults are injected so that the race does not depend on this engine's normal form.
    const { server, clock, a, b } = twoTabs(false);
    server.digestEvery = 4;
    a.page.localEdit(TextOperation.insert(0, 'abc'), null);
    drain([a, b], clock);
    b.page.localEdit(TextOperation.fromJSON([2, 'Y']), null);
    b.deliverUp();
    server.incomingFault = () => TextOperation.fromJSON([1, 'X', { d: 1 }]);
    a.page.localEdit(TextOperation.fromJSON([1, { d: 1 }, 'X']), null);
    a.deliverUp();
    server.incomingFault = op => op;
    const client = a.page._client;
    const applyRemote = client.applyRemote;
    client.applyRemote = (version, op) => {
        applyRemote.call(client, version, op);
        client.applyRemote = applyRemote;
        return TextOperation.fromJSON([1, 'Y']);
    };
    while (a.busy() || b.busy()) {
        a.deliverDown();
        b.deliverDown();
    }
    assertEqual(a.page.text, 'aYXc', "a's text");
    assertEqual(server.text, 'aXYc', "the server's text");
    assertEqual(a.page.state, 'Synchronized', 'a believes it is in step');
    for (let edit = 0; edit < 8 && server.diverged.length === 0; edit++) {
        b.page.localEdit(TextOperation.insert(0, '-'), null);
        drain([a, b], clock);
    }
    assertEqual(server.diverged.length, 1, 'found out');
    assert(server.text.endsWith('aXYc'), server.text);
    server.diverged = [];
    checkConverged({ server, tabs: [a, b] });
});

test('a tab that opens and never moves its caret shows the others where it is', () => {
    const { a, b, drain } = twoPlainTabs();
    a.connect();
    drain();
    a.page.localEdit(TextOperation.insert(0, 'hello'), { anchor: 5, head: 5 });
    drain();
    b.connect(); // opens, then no key and no click
    drain();
    const seen = a.page.peers.get(b.page.clientId);
    assert(seen !== undefined, 'a lists b');
    assertEqual(seen.ranges, [{ anchor: 0, head: 0 }], "b's caret, where its page put it on opening");
});
