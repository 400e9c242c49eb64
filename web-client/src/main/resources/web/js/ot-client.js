/**
 * The client half of central-server OT, free of any transport: the browser twin of the Java
 * engine's io.coedit.ot.OtClient. It decides what to send and rewrites what arrives, so the
 * local document always equals the server's history at `version` followed by this client's
 * own unacknowledged edits.
 *
 * It is always in one of three states:
 *   Synchronized        nothing unacknowledged;
 *   AwaitingConfirm     one operation sent, not yet acknowledged;
 *   AwaitingWithBuffer  one sent, and the edits made since composed into one buffered
 *                       operation that goes out when the first is acknowledged.
 * Keeping one operation in flight means the server transforms each client operation
 * against at most the history it missed, and the client never guesses what the server did.
 *
 * Versions count committed operations: an operation "at version v" applies to the document
 * after v operations. Each submission carries a sequence number that grows by one per
 * submission, so that a server recognises a resubmission after a reconnect.
 *
 * Server operations win ties with local ones: a remote insert at the same position as a
 * pending local insert stays before it, matching a server that transforms incoming
 * operations as RIGHT.
 *
 * Healing: when the server's digest (PROTOCOL.md, "Digests") shows that the local text is not
 * the server's, the page calls beginHeal(), lets the op in flight settle, reopens the document
 * and hands the fresh text to reopened(): what the person typed and the server has not
 * committed is applied to the fresh text as one edit, and nothing committed is sent again.
 */
import { TextOperation, Side, codePointCount } from './text-operation.js';

export const State = Object.freeze({
    SYNCHRONIZED: 'Synchronized',
    AWAITING_CONFIRM: 'AwaitingConfirm',
    AWAITING_WITH_BUFFER: 'AwaitingWithBuffer',
});

/** Thrown when the server's messages do not fit this client's state (a missed op, an unknown ack). */
export class ClientStateError extends Error {
    constructor(message) {
        super(message);
        this.name = 'ClientStateError';
    }
}

/** An operation to send: based on server `version`, numbered `seq`. */
function submission(version, seq, op) {
    return Object.freeze({ version, seq, op });
}

export class OtClient {
    /** A synchronised client at server `version` whose next submission is numbered `nextSeq`. */
    constructor(version, nextSeq = 1) {
        if (!Number.isInteger(version) || !Number.isInteger(nextSeq) || version < 0 || nextSeq < 1) {
            throw new RangeError(`version must be >= 0 and nextSeq >= 1, got ${version}, ${nextSeq}`);
        }
        this._version = version;
        this._nextSeq = nextSeq;
        this._inFlight = null;
        this._buffer = TextOperation.NOOP;
        this._selection = { anchor: 0, head: 0 };
        this._healing = false;
    }

    /** While healing, edits wait in the buffer with nothing in flight: AwaitingWithBuffer too, being unacknowledged. */
    get state() {
        if (this._inFlight === null) {
            return this._buffer.isNoop() ? State.SYNCHRONIZED : State.AWAITING_WITH_BUFFER;
        }
        return this._buffer.isNoop() ? State.AWAITING_CONFIRM : State.AWAITING_WITH_BUFFER;
    }

    /** The server version the client has seen every operation up to. */
    get version() {
        return this._version;
    }

    /** The sequence number the next submission will get. */
    get nextSeq() {
        return this._nextSeq;
    }

    /** The submission awaiting acknowledgement, or null. */
    get inFlight() {
        return this._inFlight;
    }

    /** Local edits waiting behind the one in flight, composed; TextOperation.NOOP if none. */
    get buffer() {
        return this._buffer;
    }

    /** The local selection {anchor, head} in code points, kept in place across remote operations. */
    get selection() {
        return this._selection;
    }

    /** Records where the local user's selection now is (after a local edit or a click). */
    set selection(selection) {
        this._selection = { anchor: selection.anchor, head: selection.head };
    }

    /**
     * The user changed the document by `op`, already applied locally.
     *
     * @returns the submission to send now, or null if the op waits in the buffer (or changes nothing)
     */
    applyLocal(op) {
        if (op.isNoop()) {
            return null;
        }
        if (this._inFlight === null && !this._healing) {
            this._inFlight = submission(this._version, this._nextSeq++, op);
            return this._inFlight;
        }
        this._buffer = TextOperation.compose(this._buffer, op);
        return null;
    }

    /**
     * The server committed the in-flight submission `seq` as version `committedVersion`,
     * which must be the next version this client expects. An acknowledgement of a
     * submission that was already acknowledged (a resubmission the server recognised, after
     * the client had seen its own operation in the history) is ignored.
     *
     * @returns the buffered edits, now to be sent, or null
     * @throws ClientStateError if seq was never submitted, or the version skips operations
     */
    acknowledge(seq, committedVersion) {
        if (this._inFlight === null || this._inFlight.seq !== seq) {
            if (seq > 0 && seq < this._nextSeq) {
                return null;
            }
            throw new ClientStateError(`acknowledgement of seq ${seq}, which was never submitted`);
        }
        this._checkNext(committedVersion, 'acknowledged');
        this._version = committedVersion + 1;
        this._inFlight = null;
        if (this._buffer.isNoop() || this._healing) {
            return null;
        }
        this._inFlight = submission(this._version, this._nextSeq++, this._buffer);
        this._buffer = TextOperation.NOOP;
        return this._inFlight;
    }

    /**
     * Another client's operation, committed by the server at `baseVersion`, which must be
     * the next version this client expects.
     *
     * @returns the operation to apply to the local document, which includes local edits
     *     the server has not seen yet
     * @throws ClientStateError if the version skips or repeats operations
     */
    applyRemote(baseVersion, op) {
        this._checkNext(baseVersion, 'remote op');
        this._version = baseVersion + 1;
        if (this._inFlight !== null) {
            const mine = TextOperation.transform(this._inFlight.op, op, Side.RIGHT);
            op = TextOperation.transform(op, this._inFlight.op, Side.LEFT);
            this._inFlight = submission(baseVersion + 1, this._inFlight.seq, mine);
        }
        if (!this._buffer.isNoop()) {
            const buffered = TextOperation.transform(this._buffer, op, Side.RIGHT);
            op = TextOperation.transform(op, this._buffer, Side.LEFT);
            this._buffer = buffered;
        }
        this._selection = op.transformSelection(this._selection, Side.LEFT);
        return op;
    }

    /**
     * After a reconnect: the in-flight submission to send again, with the same sequence
     * number, so a server that already committed it acknowledges it instead of applying it
     * twice. Its op and version are the in-flight op as transformed by every remote op seen
     * since it was first sent. Null if nothing is in flight.
     */
    resend() {
        return this._inFlight;
    }

    /**
     * Moves a peer's selection, expressed at server version `version`, into the local
     * document, which also has the local unacknowledged edits applied.
     */
    transformIncoming(remote) {
        const s = this._inFlight === null ? remote : this._inFlight.op.transformSelection(remote, Side.LEFT);
        return this._buffer.isNoop() ? s : this._buffer.transformSelection(s, Side.LEFT);
    }

    /**
     * The opposite of transformIncoming: a local selection expressed at server `version`,
     * as presence messages carry it. A position inside text the server has not seen yet
     * moves to where that text was inserted.
     */
    outgoingSelection(local) {
        const s = this._buffer.isNoop() ? local : this._buffer.selectionBefore(local);
        return this._inFlight === null ? s : this._inFlight.op.selectionBefore(s);
    }

    // ---- healing ---------------------------------------------------------------------

    /** Whether the client is healing: it sends nothing until reopened(). */
    get healing() {
        return this._healing;
    }

    /**
     * The local text was found to differ from the server's. From now on nothing new is sent:
     * local edits wait in the buffer. An op in flight still settles as usual (its ack, or
     * inFlightRefused()); remote ops may still be applied meanwhile. Once nothing is in
     * flight, the page reopens the document (open without version) and passes the fresh text
     * to reopened(), applying no remote op until then (the fresh text holds them).
     *
     * Waiting for the op in flight is what keeps an edit from being applied twice: once it is
     * acknowledged the fresh text holds it and the buffer does not; if it is refused the
     * fresh text does not hold it, and it joins the buffer.
     */
    beginHeal() {
        this._healing = true;
    }

    /** While healing: the op in flight was refused (not committed), so it joins the buffer. */
    inFlightRefused() {
        if (!this._healing || this._inFlight === null) {
            throw new ClientStateError('inFlightRefused() is for an op in flight while healing');
        }
        this._buffer = TextOperation.compose(this._inFlight.op, this._buffer);
        this._inFlight = null;
    }

    /**
     * Ends healing with the document reopened: the server's text at `version` is `freshText`;
     * `divergedText` is what this client held as the server's text at `this.version` (its local
     * text without the buffer). Their difference (one replaced range, between their common
     * start and end) is applied like a remote op that wins ties, and the buffer, transformed
     * past it, is sent as one edit.
     *
     * @returns {local, submission}: the op turning the local text into the fresh text with the
     *     unsent edits applied, and the submission to send now (or null)
     */
    reopened(version, divergedText, freshText) {
        if (!this._healing || this._inFlight !== null) {
            throw new ClientStateError(this._healing ? 'reopened while an op is still in flight: let it settle first'
                : 'reopened() without beginHeal()');
        }
        const correction = difference(divergedText, freshText);
        const local = TextOperation.transform(correction, this._buffer, Side.LEFT);
        const unsent = TextOperation.transform(this._buffer, correction, Side.RIGHT);
        this._selection = local.transformSelection(this._selection, Side.LEFT);
        this._healing = false;
        this._version = version;
        this._buffer = TextOperation.NOOP;
        if (unsent.isNoop()) {
            return { local, submission: null };
        }
        this._inFlight = submission(version, this._nextSeq++, unsent);
        return { local, submission: this._inFlight };
    }

    /** The state to keep across a page reload (see fromJSON); ops in their wire form. */
    toJSON() {
        return {
            version: this._version,
            nextSeq: this._nextSeq,
            inFlight: this._inFlight && { version: this._inFlight.version, seq: this._inFlight.seq, op: this._inFlight.op },
            buffer: this._buffer,
        };
    }

    /** A client in the state toJSON described. */
    static fromJSON(json) {
        const client = new OtClient(json.version, json.nextSeq);
        if (json.inFlight) {
            client._inFlight = submission(json.inFlight.version, json.inFlight.seq, TextOperation.fromJSON(json.inFlight.op));
            client._buffer = TextOperation.fromJSON(json.buffer || []);
        } else if (json.buffer && json.buffer.length > 0) {
            // Edits kept while healing, never sent: they go out as a new submission.
            client._inFlight = submission(json.version, client._nextSeq++, TextOperation.fromJSON(json.buffer));
        }
        return client;
    }

    _checkNext(v, what) {
        if (v !== this._version) {
            throw new ClientStateError(`${what} at version ${v} but this client is at version ${this._version}`
                + (v > this._version ? ': operations were missed' : ': already seen'));
        }
    }
}

/** One replace that turns `from` into `to`: whatever lies between their common start and end (code points). */
export function difference(from, to) {
    const n = Math.min(from.length, to.length);
    let start = 0;
    while (start < n && from.charCodeAt(start) === to.charCodeAt(start)) {
        start++;
    }
    if (start > 0 && start < from.length && isLow(from.charCodeAt(start))) {
        start--; // never split a pair
    }
    let end = 0;
    while (end < n - start && from.charCodeAt(from.length - 1 - end) === to.charCodeAt(to.length - 1 - end)) {
        end++;
    }
    if (end > 0 && end < from.length - start && isHigh(from.charCodeAt(from.length - 1 - end))) {
        end--;
    }
    return TextOperation.builder()
        .retain(codePointCount(from, 0, start))
        .delete(codePointCount(from, start, from.length - end))
        .insert(to.slice(start, to.length - end))
        .build();
}

const isHigh = c => c >= 0xd800 && c <= 0xdbff;
const isLow = c => c >= 0xdc00 && c <= 0xdfff;
