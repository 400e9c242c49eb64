/**
 * The WebSocket of protocol v1 (docs/PROTOCOL.md), kept open: `hello` with the client id
 * the server gave before (so resubmissions are recognised), reconnection with exponential
 * backoff and jitter, a heartbeat that notices a dead link, and an outgoing pace below the
 * server's rate limit.
 *
 * It carries messages and knows nothing of documents: a SharedDocument subscribes on each
 * `welcome` and resubmits what is in flight.
 *
 * States: connecting (the first attempt), connected (welcomed), reconnecting (lost, trying
 * again), offline (the browser reports no network, or many attempts failed; still trying,
 * less often), stopped (a token was refused, or stop() was called).
 *
 * Events (CustomEvent): welcome {clientId, user}; message {message}; down (the socket
 * closed); state {state}; fatal {code, message}; name-refused {message} (the server would not
 * show the name asked for: the connection comes in again without one).
 */

export const ConnectionState = Object.freeze({
    CONNECTING: 'connecting',
    CONNECTED: 'connected',
    RECONNECTING: 'reconnecting',
    OFFLINE: 'offline',
    STOPPED: 'stopped',
});

/** Message types the server rate-limits; the others (hello, open, close, ping) are never held back. */
const LIMITED = new Set(['op', 'presence', 'chat']);

const FIRST_RETRY_MS = 300;
const MAX_RETRY_MS = 5000;
/** After this many failed attempts in a row the page says offline rather than reconnecting. */
const ATTEMPTS_BEFORE_OFFLINE = 6;
const HEARTBEAT_CHECK_MS = 5000;
/** Silent this long: ask with a ping. */
const PING_AFTER_MS = 15000;
/** Silent this long despite the ping: the link is dead. */
const DEAD_AFTER_MS = 25000;

export class Connection extends EventTarget {
    /**
     * @param url the WebSocket URL, e.g. ws://host:8080/ws
     * @param options.clientId the id to ask for in hello (one this client had before), or null
     * @param options.name the display name to ask for
     * @param options.token a JWT, for servers with a secret, or a function giving the current one
     *     (called at each connection: the server closes with 4401 when a token expires)
     * @param options.messagesPerSecond the pace for op, presence and chat (the server allows 100 by default)
     */
    constructor(url, { clientId = null, name = null, token = null, messagesPerSecond = 50 } = {}) {
        super();
        this.url = url;
        this.clientId = clientId;
        this.name = name;
        this.token = token;
        this.state = ConnectionState.CONNECTING;
        /** Failed attempts since the last welcome. */
        this.attempts = 0;
        /** When the next attempt starts (ms since epoch), while waiting for it. */
        this.retryAt = null;

        this._socket = null;
        this._welcomed = false;
        this._retryTimer = null;
        this._restarting = false;
        this._heartbeat = null;
        this._lastHeard = 0;
        this._pinged = false;
        this._outbox = [];
        this._perSecond = messagesPerSecond;
        this._tokens = messagesPerSecond;
        this._refilledAt = Date.now();
        this._drainTimer = null;
        this._onOnline = () => this.reconnectNow();
        this._onOffline = () => this._setState(this._welcomed ? this.state : ConnectionState.OFFLINE);
    }

    /** Connects, and keeps reconnecting until stop(). */
    start() {
        window.addEventListener('online', this._onOnline);
        window.addEventListener('offline', this._onOffline);
        this._heartbeat = setInterval(() => this._checkHeartbeat(), HEARTBEAT_CHECK_MS);
        this._connect();
    }

    /** Closes for good. */
    stop() {
        this._setState(ConnectionState.STOPPED);
        window.removeEventListener('online', this._onOnline);
        window.removeEventListener('offline', this._onOffline);
        clearInterval(this._heartbeat);
        clearTimeout(this._retryTimer);
        if (this._socket !== null) {
            this._socket.close(1000, 'closed by the page');
        }
    }

    /** Skips the wait before the next attempt (the network came back, the person asked). */
    reconnectNow() {
        if (this.state === ConnectionState.STOPPED || this._socket !== null) {
            return;
        }
        clearTimeout(this._retryTimer);
        this._connect();
    }

    /** Reconnects at once to say hello again, e.g. with a new name. */
    restart() {
        if (this._socket !== null) {
            this._restarting = true;
            this._socket.close(1000, 'reconnecting');
        } else {
            this.reconnectNow();
        }
    }

    /**
     * Sends a message once welcomed; false if the connection is not up (nothing is queued
     * across reconnections: the document resubmits what matters when it reconnects).
     * Op, presence and chat messages go out at a steady pace; a presence waiting in the
     * queue is replaced by a newer one for the same document.
     */
    send(message) {
        if (!this._welcomed || this._socket === null || this._socket.readyState !== WebSocket.OPEN) {
            return false;
        }
        if (message.type === 'presence') {
            const queued = this._outbox.findIndex(m => m.type === 'presence' && m.doc === message.doc);
            if (queued >= 0) {
                this._outbox[queued] = message;
                return true;
            }
        }
        this._outbox.push(message);
        this._drain();
        return true;
    }

    // ---- the socket --------------------------------------------------------------------

    _connect() {
        this.retryAt = null;
        let socket;
        try {
            socket = new WebSocket(this.url);
        } catch (e) {
            this._scheduleRetry();
            return;
        }
        this._socket = socket;
        socket.addEventListener('open', () => {
            this._lastHeard = Date.now();
            // Batched delivery: one shared `ops` frame per document per short window instead
            // of an op or ack per operation (a server without it answers as protocol v1).
            const hello = { type: 'hello', batch: true };
            if (this.clientId) {
                hello.clientId = this.clientId;
            }
            const token = typeof this.token === 'function' ? this.token() : this.token;
            if (token) {
                hello.token = token;
            }
            if (this.name) {
                hello.name = this.name;
            }
            socket.send(JSON.stringify(hello));
        });
        socket.addEventListener('message', event => {
            if (socket !== this._socket) {
                return;
            }
            this._lastHeard = Date.now();
            this._pinged = false;
            let message;
            try {
                message = JSON.parse(event.data);
            } catch (e) {
                console.warn('coedit: a frame that is not JSON', e);
                return;
            }
            this._receive(message);
        });
        socket.addEventListener('close', () => {
            if (socket !== this._socket) {
                return;
            }
            this._socket = null;
            this._outbox = [];
            const wasWelcomed = this._welcomed;
            this._welcomed = false;
            if (wasWelcomed) {
                this.dispatchEvent(new CustomEvent('down'));
            }
            if (this._restarting) {
                this._restarting = false;
                this._connect();
            } else if (this.state !== ConnectionState.STOPPED) {
                this._scheduleRetry();
            }
        });
    }

    _receive(message) {
        if (message.type === 'welcome') {
            this.clientId = message.clientId;
            this._welcomed = true;
            this.attempts = 0;
            this._tokens = this._perSecond;
            this._setState(ConnectionState.CONNECTED);
            this.dispatchEvent(new CustomEvent('welcome', { detail: { clientId: message.clientId, user: message.user } }));
            return;
        }
        if (message.type === 'pong') {
            return;
        }
        if (message.type === 'error' && !this._welcomed && message.code === 'invalid_name' && this.name) {
            // The name this browser keeps is one the server will not show: come in without it.
            this.name = null;
            this.dispatchEvent(new CustomEvent('name-refused', { detail: { message: message.message } }));
            this._restarting = true;
            if (this._socket !== null) {
                this._socket.close();
            }
            return;
        }
        if (message.type === 'error' && !this._welcomed
                && (message.code === 'unauthorized' || message.code === 'invalid_name')) {
            this.dispatchEvent(new CustomEvent('fatal', { detail: { code: message.code, message: message.message } }));
            this.stop();
            return;
        }
        this.dispatchEvent(new CustomEvent('message', { detail: { message } }));
    }

    _scheduleRetry() {
        this.attempts++;
        const offline = (typeof navigator !== 'undefined' && navigator.onLine === false)
            || this.attempts >= ATTEMPTS_BEFORE_OFFLINE;
        const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.attempts - 1));
        const delay = Math.round(base * (0.8 + 0.4 * Math.random())); // jitter: clients of a restarted server spread out
        this.retryAt = Date.now() + delay;
        clearTimeout(this._retryTimer);
        this._retryTimer = setTimeout(() => this._connect(), delay);
        this._setState(offline ? ConnectionState.OFFLINE : ConnectionState.RECONNECTING, true);
    }

    _checkHeartbeat() {
        if (!this._welcomed || this._socket === null) {
            return;
        }
        const silent = Date.now() - this._lastHeard;
        if (silent > DEAD_AFTER_MS) {
            this._socket.close(4000, 'no answer to ping');
        } else if (silent > PING_AFTER_MS && !this._pinged) {
            this._pinged = true;
            this._socket.send(JSON.stringify({ type: 'ping' }));
        }
    }

    /** Sends what the pace allows now, and comes back for the rest. */
    _drain() {
        if (this._drainTimer !== null) {
            return;
        }
        const now = Date.now();
        this._tokens = Math.min(this._perSecond, this._tokens + (now - this._refilledAt) * this._perSecond / 1000);
        this._refilledAt = now;
        while (this._outbox.length > 0 && this._socket !== null && this._socket.readyState === WebSocket.OPEN) {
            const next = this._outbox[0];
            if (LIMITED.has(next.type)) {
                if (this._tokens < 1) {
                    const wait = Math.ceil((1 - this._tokens) * 1000 / this._perSecond);
                    this._drainTimer = setTimeout(() => {
                        this._drainTimer = null;
                        this._drain();
                    }, wait);
                    return;
                }
                this._tokens -= 1;
            }
            this._outbox.shift();
            this._socket.send(JSON.stringify(next));
        }
    }

    _setState(state, force = false) {
        if (this.state === ConnectionState.STOPPED && state !== ConnectionState.STOPPED) {
            return;
        }
        if (state !== this.state || force) {
            this.state = state;
            this.dispatchEvent(new CustomEvent('state', { detail: { state } }));
        }
    }
}
