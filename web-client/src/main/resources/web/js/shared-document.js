/**
 * One document as this page shares it: its text, the OT client state machine, the peers'
 * selections and the chat, kept in step with the server over protocol v1
 * (docs/PROTOCOL.md). It knows no WebSocket and no DOM: the connection hands it messages
 * and a `send` function, the editor binding hands it local edits and listens to its events,
 * and tests drive it with a simulated server.
 *
 * Reconnecting (PROTOCOL.md, "Reconnecting"): on every (re)connection it sends `open` with
 * the version it has seen everything up to, applies the catch-up ops, treats its own
 * (clientId, seq) among them as the ack it missed, and sends its in-flight op again with
 * the same seq; duplicate acks are ignored. Unacknowledged edits are kept in PendingEdits
 * so that a reloaded page resubmits them.
 *
 * Digests (PROTOCOL.md, "Digests"): where the server sends the digest of its text at a
 * version, the page compares it with its own text at that version (`text` without its
 * unacknowledged edits, which it keeps as `_serverText`). On a mismatch it reports `diverged`,
 * lets its op in flight settle, reopens the document and applies what the person typed since
 * to the fresh text as one edit (OtClient's healing): nothing typed is dropped, nothing
 * committed is sent twice.
 *
 * Events (CustomEvent on this EventTarget):
 *   reset          the whole text was replaced (first load, or a reload after an error)
 *   before-remote  a remote change is about to be applied: flush local input first
 *   remote-op      detail {op, clientId}: op (code points) was applied to `text`
 *   peers          the peers or their selections changed
 *   chat           the chat messages changed
 *   status         ready, readOnly or the count of unsent edits changed
 *   notice         detail {level, message, lostText?}: something the person should know
 */
import { TextOperation, Side, countWellFormed } from './text-operation.js';
import { OtClient, State } from './ot-client.js';
import { textDigest } from './text-digest.js';

/** Presence goes out at most this often; the server's rate limit counts it with ops. */
const PRESENCE_INTERVAL_MS = 100;
/** Committed ops remembered to place a peer's selection sent at an older version. */
const HISTORY_KEPT = 200;
/** Chat messages kept on the page. */
const CHAT_KEPT = 500;

const defaultTimers = {
    set: (fn, ms) => setTimeout(fn, ms),
    clear: id => clearTimeout(id),
    now: () => Date.now(),
};

export class SharedDocument extends EventTarget {
    /**
     * @param docId the document id
     * @param options.send a function taking one protocol message (an object); returns false if not connected
     * @param options.pending a PendingEdits for this document, or null to keep nothing
     * @param options.timers {set, clear, now}, for tests
     */
    constructor(docId, { send, pending = null, timers = defaultTimers }) {
        super();
        this.docId = docId;
        this._send = send;
        this._pending = pending;
        this._timers = timers;

        /** The local text: the server's at client.version plus the local unacknowledged edits. */
        this.text = '';
        this._length = 0; // code points of text
        /** The client id this page submits under; null until the first welcome (unless restored). */
        this.clientId = null;
        /** This page's user, from welcome. */
        this.user = null;
        /** Whether `text` holds the document (it was opened or restored). */
        this.ready = false;
        this.readOnly = false;
        /** Whether the state came from a record of a page that is gone. */
        this.restored = false;
        /**
         * Peers by client id: {clientId, user, ranges: [{anchor, head}] in local code points or
         * null, movedAt: when they last moved or typed (ms)}.
         */
        this.peers = new Map();
        /** Chat messages, oldest first: {id, user, text, ts}. */
        this.chat = [];
        /** How often this page had to start again from the server's text (an error, a gap): 0 when all is well. */
        this.reloads = 0;
        /** How often the server's digest showed that this page's text was not the server's (each was healed). */
        this.divergences = 0;

        this._client = null;
        this._serverText = null; // text at client.version while edits are unacknowledged
        this._unsent = { inFlight: 0, buffer: 0 };
        this._selection = { anchor: 0, head: 0 };
        this._history = new Map(); // version -> committed op
        this._connected = false;
        this._openSent = false;
        this._wantFresh = false; // the next open asks for the text, not a catch-up
        this._lostText = null; // local text whose edits could not be merged, shown once reloaded
        this._divergedText = null; // healing, reopen sent: what this page took for the server's text
        this._held = 0;
        this._heldMessages = [];
        this._presenceTimer = null;
        this._presenceSentAt = -Infinity;
        this._presenceApproximate = false;
        this._resendTimer = null;
        this._resendAttempts = 0;

        this._restore();
    }

    // ---- state for the page ------------------------------------------------------------

    /** The length of `text` in code points. */
    get length() {
        return this._length;
    }

    /** Local edits the server has not acknowledged yet. */
    get unsentEdits() {
        return this._unsent.inFlight + this._unsent.buffer;
    }

    /** The OT client's state: Synchronized, AwaitingConfirm or AwaitingWithBuffer (null before the first open). */
    get state() {
        return this._client === null ? null : this._client.state;
    }

    /** Whether the page found its text unlike the server's and is reopening the document to heal it. */
    get healing() {
        return this._client !== null && this._client.healing;
    }

    /** The server version this page has seen every op up to. */
    get version() {
        return this._client === null ? null : this._client.version;
    }

    /** The client's state (version, next seq, in-flight op, buffer), for tests and diagnostics. */
    get clientState() {
        return this._client === null ? null : this._client.toJSON();
    }

    /** Whether pending edits could not be stored (quota): only this page holds them. */
    get storageFailed() {
        return this._pending !== null && this._pending.failed;
    }

    // ---- from the connection -----------------------------------------------------------

    /** A (re)connection said welcome: subscribe, catch up and resubmit. */
    connected(clientId, user) {
        this.clientId = clientId;
        this.user = user;
        this._connected = true;
        this._resendAttempts = 0;
        if (this._client !== null && !this._wantFresh) {
            this._send({ type: 'open', doc: this.docId, version: this._client.version });
            const inFlight = this._client.resend();
            if (inFlight !== null) {
                this._sendOp(inFlight);
            }
        } else {
            this._send({ type: 'open', doc: this.docId });
        }
        this._openSent = true;
        if (this._client !== null && this._client.state !== State.SYNCHRONIZED) {
            this._persist(); // the client id may be new
        }
        this._schedulePresence();
    }

    /** The connection is gone; a reconnection will call connected() again. */
    disconnected() {
        this._connected = false;
        this._openSent = false;
        this._cancelTimers();
        if (this.peers.size > 0) {
            this.peers.clear();
            this._emit('peers');
        }
    }

    /** A message from the server; messages for other documents are ignored. */
    receive(message) {
        if (message.doc !== undefined && message.doc !== this.docId) {
            return;
        }
        if (this._held > 0) {
            this._heldMessages.push(message);
            return;
        }
        this._dispatch(message);
    }

    /**
     * Defers applying what arrives (an IME composition is in progress and must not be
     * disturbed) until every hold() is matched by a release().
     */
    hold() {
        this._held++;
    }

    release() {
        if (this._held === 0) {
            return;
        }
        this._held--;
        while (this._held === 0 && this._heldMessages.length > 0) {
            this._dispatch(this._heldMessages.shift());
        }
    }

    // ---- from the editor ---------------------------------------------------------------

    /**
     * The person changed the text by `op` (code points, based on `text`); `selection` is
     * where their selection is afterwards.
     */
    localEdit(op, selection = null) {
        if (!this.ready || this._client === null) {
            throw new Error('the document is not loaded yet');
        }
        if (op.isNoop()) {
            return;
        }
        const before = this.text;
        const after = op.apply(before); // throws if op does not fit: nothing changes
        if (this._client.state === State.SYNCHRONIZED) {
            this._serverText = before;
        }
        this.text = after;
        this._length += op.lengthChange;
        const submission = this._client.applyLocal(op);
        if (submission !== null) {
            this._unsent.inFlight = 1;
            if (this._openSent) {
                this._sendOp(submission);
            }
        } else {
            this._unsent.buffer++;
        }
        for (const peer of this.peers.values()) {
            peer.ranges = peer.ranges && peer.ranges.map(r => op.transformSelection(r, Side.LEFT));
        }
        if (selection !== null) {
            this._selection = selection;
            this._client.selection = selection;
        }
        this._persist();
        this._emit('status');
        this._emit('peers');
        this._schedulePresence();
    }

    /** The person's selection moved (code points). */
    setSelection(selection) {
        if (selection.anchor === this._selection.anchor && selection.head === this._selection.head) {
            return;
        }
        this._selection = { anchor: selection.anchor, head: selection.head };
        if (this._client !== null) {
            this._client.selection = this._selection;
        }
        this._schedulePresence();
    }

    /** The local selection in code points, as this document keeps it through remote ops. */
    get selection() {
        return this._client === null ? this._selection : this._client.selection;
    }

    /** Sends a chat message; false if not connected (the text is the caller's to keep). */
    sendChat(text) {
        if (!this._openSent) {
            return false;
        }
        return this._send({ type: 'chat', doc: this.docId, text }) !== false;
    }

    /** Refreshes the stored record's heartbeat; the page calls it every few seconds. */
    heartbeat() {
        if (this._pending !== null) {
            this._pending.heartbeat();
        }
    }

    /** The page is going away for good: let the next page adopt what is unsent. */
    releaseStorage() {
        if (this._pending !== null) {
            this._pending.release();
        }
    }

    // ---- handling server messages ------------------------------------------------------

    _dispatch(m) {
        switch (m.type) {
            case 'opened': return this._onOpened(m);
            case 'op': return this._onOp(m);
            case 'ops': return this._onOps(m);
            case 'ack': return this._onAck(m.seq, m.version, m.digest);
            case 'presence': return this._onPresence(m);
            case 'leave':
                if (this.peers.delete(m.clientId)) {
                    this._emit('peers');
                }
                return undefined;
            case 'chat': return this._addChat([m]);
            case 'error': return this._onError(m);
            default: return undefined; // newer servers may send more
        }
    }

    _onOpened(m) {
        if (typeof m.text === 'string' && this._divergedText !== null && this._heal(m)) {
            // healed: the fresh text with what was typed meanwhile
        } else if (typeof m.text === 'string') {
            const nextSeq = this._client === null ? 1 : this._client.nextSeq; // a seq is never reused
            const lost = this._lostText;
            this._client = new OtClient(m.version, nextSeq);
            this._serverText = null;
            this._unsent = { inFlight: 0, buffer: 0 };
            this._history.clear();
            this._lostText = null;
            this._wantFresh = false;
            this._emit('before-remote');
            this.text = m.text;
            this._length = countWellFormed(m.text, 'document');
            const end = this._length;
            this._selection = { anchor: Math.min(this._selection.anchor, end), head: Math.min(this._selection.head, end) };
            this._client.selection = this._selection;
            this.ready = true;
            if (this._pending !== null) {
                this._pending.clear();
            }
            this._emit('reset');
            if (lost !== null && lost !== m.text) {
                this._emit('notice', {
                    level: 'error',
                    message: 'Your latest edits could not be merged and were not saved. Your version is kept below: copy what you need.',
                    lostText: lost,
                });
            }
        } else if (this._client === null || m.version !== this._client.version) {
            this._reload('the server answered a catch-up for another version');
            return;
        }
        this.readOnly = m.readOnly === true;
        this.peers.clear();
        for (const p of m.peers || []) {
            this._setPeer(p.clientId, p.user, p.version, p.selection);
        }
        this._addChat(m.chat || [], true);
        this._emit('peers');
        this._emit('status');
        // The others learn where this page's caret is now, not at its first move (which may never come):
        // a presence sent before the first `opened` had no text to refer to and was never sent.
        this._schedulePresence();
    }

    _onOp(m) {
        const client = this._client;
        if (client === null || m.version < client.version || this._divergedText !== null) {
            return; // already seen, or reopening (the fresh text holds it)
        }
        if (m.version > client.version) {
            this._reload(`op ${m.version} arrived but this page is at version ${client.version}`);
            return;
        }
        const inFlight = client.inFlight;
        if (m.clientId === this.clientId && inFlight !== null && m.seq === inFlight.seq) {
            this._onAck(m.seq, m.version, m.digest); // our own op, in a catch-up or a batched frame: its ack
            return;
        }
        const op = TextOperation.fromJSON(m.op);
        this._emit('before-remote');
        let local;
        let text;
        try {
            local = client.applyRemote(m.version, op);
            text = local.apply(this.text);
            if (this._serverText !== null) {
                this._serverText = op.apply(this._serverText);
            }
        } catch (e) {
            this._reload(`a remote op did not fit: ${e.message}`);
            return;
        }
        this._remember(m.version, op);
        this.text = text;
        this._length += local.lengthChange;
        this._selection = client.selection;
        for (const peer of this.peers.values()) {
            const theirs = peer.clientId === m.clientId;
            // Their caret follows their typing; everyone else's stays before text inserted at it.
            peer.ranges = peer.ranges && peer.ranges.map(r => local.transformSelection(r, theirs ? Side.RIGHT : Side.LEFT));
            if (theirs) {
                peer.movedAt = this._timers.now();
            }
        }
        this._placeWaiting();
        this._persist();
        this._emit('remote-op', { op: local, clientId: m.clientId });
        this._emit('peers');
        this._checkDigest(m.version + 1, m.digest);
    }

    /**
     * A batched frame: every operation committed in the window, in version order, each an
     * `op` without its type; ours among them are our acks.
     */
    _onOps(m) {
        for (const entry of m.ops || []) {
            this._onOp(entry);
        }
    }

    _onAck(seq, version, digest) {
        const client = this._client;
        if (client === null || this._divergedText !== null) {
            return;
        }
        const inFlight = client.inFlight;
        if (inFlight === null || inFlight.seq !== seq) {
            try {
                client.acknowledge(seq, version); // a duplicate: ignored
            } catch (e) {
                console.warn('coedit: ignoring an unexpected ack', e);
            }
            return;
        }
        let next;
        try {
            next = client.acknowledge(seq, version);
        } catch (e) {
            this._reload(`an ack did not fit: ${e.message}`);
            return;
        }
        this._cancelResend();
        this._remember(version, inFlight.op);
        this._serverText = client.state === State.SYNCHRONIZED ? null : inFlight.op.apply(this._serverText);
        this._unsent = client.healing ? { inFlight: 0, buffer: this._unsent.buffer }
            : { inFlight: next === null ? 0 : this._unsent.buffer, buffer: 0 };
        if (next !== null && this._openSent) {
            this._sendOp(next);
        }
        this._placeWaiting();
        this._persist();
        this._emit('status');
        this._emit('peers');
        if (this._presenceApproximate) {
            this._schedulePresence();
        }
        this._checkDigest(version + 1, digest);
        this._reopenToHeal();
    }

    _onPresence(m) {
        if (m.clientId === this.clientId) {
            return;
        }
        this._setPeer(m.clientId, m.user, m.version, m.selection);
        this._emit('peers');
    }

    _onError(m) {
        const client = this._client;
        if (m.seq !== undefined && m.seq !== null) {
            const inFlight = client && client.inFlight;
            if (inFlight === null || inFlight === undefined || inFlight.seq !== m.seq) {
                return; // about a submission already settled
            }
            if (m.code === 'rate_limited' || m.code === 'internal') {
                this._scheduleResend();
                return;
            }
            if (client.healing) {
                // Not committed: the edit joins those to apply to the fresh text.
                client.inFlightRefused();
                this._unsent = { inFlight: 0, buffer: this._unsent.inFlight + this._unsent.buffer };
                this._reopenToHeal();
                return;
            }
            if (m.code === 'forbidden') {
                this.readOnly = true;
            }
            this._reload(m.message, 'Your edit could not be saved: ' + m.message);
            return;
        }
        switch (m.code) {
            case 'history_gone':
            case 'version_ahead':
                this._reload(m.message);
                return;
            case 'forbidden':
                if (this.ready) {
                    // The document is open: what was refused is a chat line of a read-only user.
                    this._emit('notice', { level: 'warning', message: m.message });
                    return;
                }
                this.ready = false;
                this._emit('status');
                this._emit('notice', { level: 'error', message: `You may not open this document: ${m.message}` });
                return;
            case 'not_open':
                return; // presence or chat raced a reopen
            case 'rate_limited':
            case 'too_large':
                this._emit('notice', { level: 'warning', message: m.message });
                return;
            default:
                this._emit('notice', { level: 'warning', message: `${m.code}: ${m.message}` });
        }
    }

    /**
     * Starts again from the server's text (open without version). Local edits the server
     * cannot take are shown to the person rather than silently dropped.
     */
    _reload(reason, message = null) {
        console.warn(`coedit: reloading ${this.docId}: ${reason}`);
        this.reloads++;
        if (this._client !== null && this._client.state !== State.SYNCHRONIZED && this._lostText === null) {
            this._lostText = this.text;
        }
        this._cancelResend();
        this._wantFresh = true;
        this.ready = false;
        this._emit('status');
        if (message !== null) {
            this._emit('notice', { level: 'error', message });
        }
        if (this._openSent) {
            this._send({ type: 'open', doc: this.docId });
        }
    }

    // ---- digests and healing ----------------------------------------------------------

    /**
     * The server's digest of its text at `version`, if the message had one: compared with this
     * page's text at that version, when the page is there. A mismatch is reported and healed.
     */
    _checkDigest(version, digest) {
        const client = this._client;
        if (typeof digest !== 'string' || client === null || client.healing || client.version !== version) {
            return;
        }
        const serverText = client.state === State.SYNCHRONIZED ? this.text : this._serverText;
        if (serverText === null) {
            return;
        }
        const mine = textDigest(serverText);
        if (mine === digest) {
            return;
        }
        console.warn(`coedit: ${this.docId} differs from the server's text at version ${version}: healing`);
        this.divergences++;
        this._send({ type: 'diverged', doc: this.docId, version, digest, clientDigest: mine });
        client.beginHeal();
        this._reopenToHeal();
    }

    /** Once the op in flight has settled, reopens the document to heal it (see _heal). */
    _reopenToHeal() {
        const client = this._client;
        if (client === null || !client.healing || client.inFlight !== null || this._divergedText !== null) {
            return;
        }
        this._divergedText = client.state === State.SYNCHRONIZED ? this.text : this._serverText;
        this._cancelResend();
        this._wantFresh = true; // a reconnection reopens too
        if (this._openSent) {
            this._send({ type: 'open', doc: this.docId });
        }
    }

    /** The reopened document: what was typed since the divergence goes onto the fresh text. False if it cannot. */
    _heal(m) {
        const client = this._client;
        if (client === null || !client.healing || client.inFlight !== null) {
            return false;
        }
        this._emit('before-remote'); // typing not yet taken joins the buffer first
        let heal;
        try {
            heal = client.reopened(m.version, this._divergedText, m.text);
        } catch (e) {
            console.warn('coedit: could not heal; starting again from the server\'s text', e);
            this._divergedText = null;
            this._lostText = this.text;
            return false;
        }
        this._divergedText = null;
        this._wantFresh = false;
        this.text = heal.local.apply(this.text);
        this._length = countWellFormed(this.text, 'document');
        this._selection = client.selection;
        this._history.clear();
        this._serverText = heal.submission === null ? null : m.text;
        this._unsent = { inFlight: heal.submission === null ? 0 : 1, buffer: 0 };
        this.ready = true;
        if (heal.submission !== null && this._openSent) {
            this._sendOp(heal.submission);
        }
        this._persist();
        this._emit('remote-op', { op: heal.local, clientId: null });
        return true;
    }

    // ---- helpers -----------------------------------------------------------------------

    _restore() {
        if (this._pending === null) {
            return;
        }
        const record = this._pending.adopt();
        if (record === null) {
            return;
        }
        try {
            const client = OtClient.fromJSON(record.client);
            let text = record.text;
            if (client.inFlight !== null) {
                text = TextOperation.compose(client.inFlight.op, client.buffer).apply(text);
            }
            this._client = client;
            this._serverText = client.state === State.SYNCHRONIZED ? null : record.text;
            this.text = text;
            this._length = countWellFormed(text, 'document');
            this.clientId = record.clientId;
            this._unsent = { inFlight: record.unsent?.inFlight || 0, buffer: record.unsent?.buffer || 0 };
            this.ready = true;
            this.restored = true;
        } catch (e) {
            console.warn('coedit: a stored record of unsent edits is unusable', e);
            this._client = null;
            this._pending.clear();
        }
    }

    _persist() {
        if (this._pending === null || this._client === null) {
            return;
        }
        if (this._client.state === State.SYNCHRONIZED) {
            this._pending.clear();
        } else {
            this._pending.save({
                clientId: this.clientId,
                client: this._client.toJSON(),
                text: this._serverText,
                unsent: this._unsent,
            });
        }
    }

    _sendOp(submission) {
        this._send({ type: 'op', doc: this.docId, version: submission.version, seq: submission.seq, op: submission.op });
    }

    _scheduleResend() {
        this._cancelResend();
        const delay = Math.min(10000, 500 * 2 ** this._resendAttempts++);
        this._resendTimer = this._timers.set(() => {
            this._resendTimer = null;
            const inFlight = this._client && this._client.resend();
            if (inFlight && this._openSent) {
                this._sendOp(inFlight);
            }
        }, delay);
    }

    _cancelResend() {
        if (this._resendTimer !== null) {
            this._timers.clear(this._resendTimer);
            this._resendTimer = null;
        }
    }

    _cancelTimers() {
        this._cancelResend();
        if (this._presenceTimer !== null) {
            this._timers.clear(this._presenceTimer);
            this._presenceTimer = null;
        }
    }

    _schedulePresence() {
        if (this._presenceTimer !== null || !this._connected || this._client === null) {
            return;
        }
        const wait = Math.max(0, this._presenceSentAt + PRESENCE_INTERVAL_MS - this._timers.now());
        this._presenceTimer = this._timers.set(() => {
            this._presenceTimer = null;
            this._sendPresence();
        }, wait);
    }

    _sendPresence() {
        if (!this._openSent || this._client === null || !this.ready) {
            return;
        }
        const selection = this._client.outgoingSelection(this._client.selection);
        this._presenceApproximate = this._client.state !== State.SYNCHRONIZED;
        this._presenceSentAt = this._timers.now();
        this._send({ type: 'presence', doc: this.docId, version: this._client.version, selection: [selection] });
    }

    _remember(version, op) {
        this._history.set(version, op);
        this._history.delete(version - HISTORY_KEPT);
    }

    /**
     * Records a peer's selection, sent at server `version`, in local coordinates. A
     * selection at a version this page has not reached yet (the peers listed by a catch-up
     * open) waits until the page gets there.
     */
    _setPeer(clientId, user, version, selection) {
        if (clientId === this.clientId || this._client === null) {
            return;
        }
        const known = this.peers.get(clientId);
        const peer = {
            clientId,
            user: user || (known && known.user) || { id: clientId, name: clientId, color: '#888888' },
            ranges: known ? known.ranges : null,
            waiting: null,
            movedAt: this._timers.now(),
        };
        if (!Array.isArray(selection)) {
            peer.ranges = null;
        } else if (Number.isInteger(version) && version > this._client.version) {
            peer.waiting = { version, selection };
        } else if (Number.isInteger(version)) {
            peer.ranges = this._place(version, selection) ?? peer.ranges;
        }
        this.peers.set(clientId, peer);
    }

    /** Ranges sent at server `version` (at most this page's) moved into the local text; null if they cannot be placed. */
    _place(version, selection) {
        let ranges = selection.filter(r => r && Number.isInteger(r.anchor) && Number.isInteger(r.head)
            && r.anchor >= 0 && r.head >= 0);
        for (let v = version; v < this._client.version; v++) {
            const op = this._history.get(v);
            if (op === undefined) {
                return null;
            }
            ranges = ranges.map(r => op.transformSelection(r, Side.LEFT));
        }
        const end = this._length;
        return ranges.map(r => this._client.transformIncoming(r))
            .map(r => ({ anchor: Math.min(r.anchor, end), head: Math.min(r.head, end) }));
    }

    /** Places the selections that were waiting for the version this page has now reached. */
    _placeWaiting() {
        for (const peer of this.peers.values()) {
            if (peer.waiting !== null && peer.waiting.version <= this._client.version) {
                peer.ranges = this._place(peer.waiting.version, peer.waiting.selection) ?? peer.ranges;
                peer.waiting = null;
            }
        }
    }

    _addChat(messages, replace = false) {
        const byId = new Map(this.chat.map(c => [c.id, c]));
        let changed = false;
        for (const m of messages) {
            if (m && !byId.has(m.id)) {
                byId.set(m.id, { id: m.id, user: m.user, text: m.text, ts: m.ts });
                changed = true;
            }
        }
        if (changed || replace) {
            this.chat = [...byId.values()].sort((a, b) => a.id - b.id).slice(-CHAT_KEPT);
            this._emit('chat');
        }
    }

    _emit(type, detail = null) {
        this.dispatchEvent(new CustomEvent(type, { detail }));
    }
}
