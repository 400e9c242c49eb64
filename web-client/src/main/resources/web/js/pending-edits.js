/**
 * Unacknowledged edits kept in the browser's storage, so that what a person typed while
 * the server was unreachable survives closing or reloading the page and is sent on the
 * next load.
 *
 * What is kept, per page and document, while anything is unacknowledged: the client id the
 * edits were (or will be) submitted under, the OT client's state (version, next seq, the
 * in-flight submission and the buffer) and the server's text at that version. That is all a
 * reloaded page needs to continue exactly where the old one stopped: `open` with the
 * version, catch up, resend the in-flight op with the same seq (the server recognises it if
 * it was committed), then the buffer. Once everything is acknowledged the record is removed.
 *
 * Records are per page, not per document: two tabs on one document must not overwrite each
 * other. A page adopts (takes over) a record only when its page is gone: the page released
 * it when it was hidden for good (reload, close, navigation), or stopped refreshing its
 * heartbeat long ago (a crash). A live tab's record is never adopted, so a duplicated tab
 * does not submit under the same client id as its original.
 *
 * The text is stored under its own key named by version, written before the record that
 * points to it and removed after, so a page that dies between two writes never leaves a
 * record whose text is missing or belongs to another version.
 */

const PREFIX = 'coedit:pending:';
const TEXT_PREFIX = 'coedit:base:';
const FORMAT = 1;

/** A storage that keeps nothing, for browsers where localStorage is disabled. */
export class MemoryStorage {
    constructor() {
        this._items = new Map();
    }

    get length() {
        return this._items.size;
    }

    key(index) {
        return [...this._items.keys()][index] ?? null;
    }

    getItem(key) {
        return this._items.has(key) ? this._items.get(key) : null;
    }

    setItem(key, value) {
        this._items.set(key, String(value));
    }

    removeItem(key) {
        this._items.delete(key);
    }
}

/** The page's localStorage, or a MemoryStorage where the browser refuses it. */
export function browserStorage() {
    try {
        const storage = window.localStorage;
        const probe = `${PREFIX}probe`;
        storage.setItem(probe, '1');
        storage.removeItem(probe);
        return storage;
    } catch (e) {
        return new MemoryStorage();
    }
}

export class PendingEdits {
    /**
     * @param storage a Web Storage (localStorage) or a twin of it
     * @param docId the document
     * @param options.pageId this page's id (random by default)
     * @param options.now the clock, in ms
     * @param options.staleAfterMs a record whose heartbeat is older than this belongs to a dead page
     */
    constructor(storage, docId, { pageId = randomId(), now = () => Date.now(), staleAfterMs = 15000 } = {}) {
        this._storage = storage;
        this._docId = docId;
        this._pageId = pageId;
        this._now = now;
        this._staleAfterMs = staleAfterMs;
        this._key = `${PREFIX}${docId}:${pageId}`;
        this._textVersion = null; // the version whose text this page has stored
        this._last = null; // the last record written, for heartbeats
        /** Set when storage refused a write (quota); the page says so. */
        this.failed = false;
    }

    /**
     * Takes over the most recently saved record of a page that is gone, if there is one:
     * {clientId, client, text, unsent}, where client is OtClient.toJSON() and text the
     * server's text at client.version. The record becomes this page's.
     */
    adopt() {
        const now = this._now();
        const candidates = [];
        const prefix = `${PREFIX}${this._docId}:`;
        for (let i = 0; i < this._storage.length; i++) {
            const key = this._storage.key(i);
            if (key !== null && key.startsWith(prefix) && key !== this._key) {
                const record = parse(this._storage.getItem(key));
                if (record && record.format === FORMAT && (record.released || now - record.heartbeat > this._staleAfterMs)) {
                    candidates.push({ key, record });
                }
            }
        }
        candidates.sort((a, b) => b.record.savedAt - a.record.savedAt);
        for (const { key, record } of candidates) {
            const textKey = this._textKey(record.page, record.client.version);
            const text = this._storage.getItem(textKey);
            if (text === null) {
                this._storage.removeItem(key); // unusable: its text was lost (storage cleared by hand)
                continue;
            }
            const adopted = { clientId: record.clientId, client: record.client, text, unsent: record.unsent || 0 };
            this.save(adopted); // ours first, then the old one goes: never a moment with neither
            this._storage.removeItem(key);
            this._storage.removeItem(textKey);
            return adopted;
        }
        return null;
    }

    /**
     * Keeps the unacknowledged state: {clientId, client (OtClient.toJSON()), text (the
     * server text at client.version), unsent (edits not yet acknowledged)}.
     */
    save({ clientId, client, text, unsent }) {
        const version = client.version;
        const record = {
            format: FORMAT,
            page: this._pageId,
            doc: this._docId,
            clientId: clientId ?? null,
            client: JSON.parse(JSON.stringify(client)),
            unsent,
            savedAt: this._now(),
            heartbeat: this._now(),
            released: false,
        };
        try {
            const previous = this._textVersion;
            if (previous !== version) {
                this._storage.setItem(this._textKey(this._pageId, version), text);
            }
            this._storage.setItem(this._key, JSON.stringify(record));
            if (previous !== null && previous !== version) {
                this._storage.removeItem(this._textKey(this._pageId, previous));
            }
            this._textVersion = version;
            this._last = record;
            this.failed = false;
        } catch (e) {
            this.failed = true; // quota: the edits still go out when connected, only a reload would lose them
        }
    }

    /** Everything was acknowledged: nothing to keep. */
    clear() {
        this._storage.removeItem(this._key);
        if (this._textVersion !== null) {
            this._storage.removeItem(this._textKey(this._pageId, this._textVersion));
        }
        this._textVersion = null;
        this._last = null;
        this.failed = false;
    }

    /** Tells other pages that this one is alive and owns its record; call every few seconds. */
    heartbeat() {
        this._rewrite({ heartbeat: this._now(), released: false });
    }

    /** The page is going away: a page loaded next may adopt the record at once. */
    release() {
        this._rewrite({ released: true });
    }

    _rewrite(fields) {
        if (this._last === null) {
            return;
        }
        this._last = { ...this._last, ...fields };
        try {
            this._storage.setItem(this._key, JSON.stringify(this._last));
        } catch (e) {
            this.failed = true;
        }
    }

    _textKey(pageId, version) {
        return `${TEXT_PREFIX}${this._docId}:${pageId}:${version}`;
    }
}

function parse(json) {
    try {
        return JSON.parse(json);
    } catch (e) {
        return null;
    }
}

function randomId() {
    const bytes = new Uint8Array(9);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
