/**
 * SharedDocument against a simulated protocol-v1 server: the Jupiter server of
 * PROTOCOL.md in a few lines (transform incoming ops as RIGHT against the history they
 * missed, dedupe by (clientId, seq), catch-up opens), with ordered links that delay
 * messages, drop connections (a message may or may not reach the server before the drop),
 * and pages that reload with unsent edits in storage.
 */
import { test, assert, assertEqual, forSeeds } from '../harness.js';
import { TextOperation, Side } from '../../js/text-operation.js';
import { SharedDocument } from '../../js/shared-document.js';
import { PendingEdits, MemoryStorage } from '../../js/pending-edits.js';

const DOC = 'notes';

class SimServer {
    constructor() {
        this.text = '';
        this.history = []; // {op, clientId, seq}
        this.lastSeq = new Map();
        this.links = new Set();
        this.nextClient = 1;
        this.chatId = 0;
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
                let op = TextOperation.fromJSON(JSON.parse(JSON.stringify(m.op)));
                for (let v = m.version; v < this.version; v++) {
                    op = TextOperation.transform(op, this.history[v].op, Side.RIGHT);
                }
                this.text = op.apply(this.text); // throws on a client bug: the test fails
                const version = this.version;
                this.history.push({ op, clientId: link.clientId, seq: m.seq });
                this.lastSeq.set(link.clientId, m.seq);
                const entry = { version, op: op.toJSON(), clientId: link.clientId, seq: m.seq };
                if (!link.batched) {
                    reply({ type: 'ack', doc: DOC, seq: m.seq, version });
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

test('a peer caret follows the peer typing and ours stays put', () => {
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

test('a tab that opens and never moves its caret shows the others where it is', () => {
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
