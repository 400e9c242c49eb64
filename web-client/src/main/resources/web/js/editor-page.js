/**
 * The editor page, /d/{name}: wires the connection, the shared document, the textarea, the
 * presence layer, the participant list, the chat and the status badge. Everything else
 * lives in those modules; this file only connects them.
 */
import { Connection, ConnectionState } from './connection.js';
import { SharedDocument } from './shared-document.js';
import { PendingEdits, browserStorage } from './pending-edits.js';
import { EditorBinding } from './editor-binding.js';
import { PresenceLayer } from './presence-layer.js';
import { ParticipantList } from './participants.js';
import { ChatPanel } from './chat-panel.js';
import { StatusBadge } from './status-badge.js';
import { el } from './dom.js';
import { savedName, saveName, token } from './settings.js';
import { isDocumentId, DOCUMENT_ID_RULE } from './document-id.js';

/** How often this page tells other tabs it still owns its unsent edits. */
const HEARTBEAT_MS = 3000;

function documentId() {
    const match = /^\/d\/([^/]+)\/?$/.exec(window.location.pathname);
    return match ? decodeURIComponent(match[1]) : null;
}

function socketUrl() {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${window.location.host}/ws`;
}

function showNotice(container, { level, message, lostText }) {
    const close = el('button', { className: 'notice-close', text: '×', attrs: { type: 'button', 'aria-label': 'Dismiss' } });
    const notice = el('div', { className: `notice notice-${level}`, attrs: { role: level === 'error' ? 'alert' : 'status' } },
        el('p', { className: 'notice-text', text: message }), close);
    if (lostText) {
        const copy = el('button', { className: 'button', text: 'Copy my version', attrs: { type: 'button' } });
        copy.addEventListener('click', () => navigator.clipboard?.writeText(lostText));
        notice.append(el('details', { className: 'notice-details' },
            el('summary', { text: 'Show my version' }),
            el('pre', { className: 'notice-lost', text: lostText }),
            copy));
    }
    close.addEventListener('click', () => notice.remove());
    container.append(notice);
}

function main() {
    const docId = documentId();
    const notices = document.getElementById('notices');
    if (docId === null) {
        showNotice(notices, { level: 'error', message: 'No document named in the address: open one from the document list.' });
        return;
    }
    document.title = `${docId} · coedit`;
    document.getElementById('doc-name').textContent = docId;
    if (!isDocumentId(docId)) {
        showNotice(notices, { level: 'error', message: `“${docId}” is not a document name. ${DOCUMENT_ID_RULE}` });
        return;
    }

    const nameInput = document.getElementById('name-input');
    nameInput.value = savedName() || '';

    const doc = new SharedDocument(docId, {
        send: message => connection.send(message),
        pending: new PendingEdits(browserStorage(), docId),
    });
    // The token is read again at each connection: one that expired (the server closes 4401) may
    // have been replaced meanwhile, e.g. by a fresh ?token= link opened in another tab.
    const connection = new Connection(socketUrl(), { clientId: doc.clientId, name: savedName(), token });

    const textarea = document.getElementById('editor');
    const binding = new EditorBinding(textarea, doc);
    const presence = new PresenceLayer(textarea);
    const people = new ParticipantList(document.getElementById('participants'), document.getElementById('people-count'));
    const chat = new ChatPanel(document.getElementById('chat-messages'), document.getElementById('chat-form'),
        text => doc.sendChat(text));
    const badge = new StatusBadge(document.getElementById('connection-status'), () => connection.reconnectNow());
    const readOnlyBadge = document.getElementById('read-only-badge');
    const stats = document.getElementById('doc-stats');
    let me = null;
    let stopNote = null;

    const renderPeople = () => {
        presence.render(doc.text, [...doc.peers.values()]);
        people.render(me, [...doc.peers.values()]);
    };
    let statsTimer = null;
    const renderStats = () => {
        statsTimer = null;
        let lines = doc.text === '' ? 0 : 1;
        for (let i = doc.text.indexOf('\n'); i >= 0; i = doc.text.indexOf('\n', i + 1)) {
            lines++;
        }
        const plural = (n, word) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
        stats.textContent = `${plural(doc.length, 'character')} · ${plural(lines, 'line')}`
            + (doc.storageFailed ? ' · unsent edits could not be saved in this browser' : '');
    };
    const renderStatus = () => {
        badge.render(connection.state, doc.unsentEdits, stopNote);
        readOnlyBadge.hidden = !doc.readOnly;
        textarea.placeholder = doc.ready ? (doc.readOnly ? 'This document is empty.' : 'Start typing…') : 'Loading…';
        chat.setEnabled(connection.state === ConnectionState.CONNECTED, doc.readOnly);
        if (statsTimer === null) {
            statsTimer = setTimeout(renderStats, 200); // counting lines is linear in the text: not on every key
        }
    };

    connection.addEventListener('welcome', event => {
        me = event.detail.user;
        doc.connected(event.detail.clientId, event.detail.user);
        renderPeople();
        renderStatus();
    });
    connection.addEventListener('message', event => doc.receive(event.detail.message));
    connection.addEventListener('down', () => doc.disconnected());
    connection.addEventListener('state', renderStatus);
    connection.addEventListener('name-refused', event => {
        showNotice(notices, { level: 'warning', message: `Your name was not accepted: ${event.detail.message}` });
    });
    connection.addEventListener('fatal', event => {
        stopNote = 'Not signed in';
        showNotice(notices, { level: 'error', message: `The server refused this page's token: ${event.detail.message}` });
        renderStatus();
    });

    doc.addEventListener('peers', renderPeople);
    doc.addEventListener('remote-op', () => {
        renderPeople();
        renderStatus();
    });
    doc.addEventListener('reset', () => {
        renderPeople();
        renderStatus();
    });
    doc.addEventListener('status', renderStatus);
    doc.addEventListener('chat', () => chat.render(doc.chat, me ? me.id : null));
    doc.addEventListener('notice', event => showNotice(notices, event.detail));
    textarea.addEventListener('input', () => {
        presence.render(doc.text, [...doc.peers.values()]);
        renderStatus();
    });

    nameInput.addEventListener('change', () => {
        const name = nameInput.value.trim().replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64);
        nameInput.value = name;
        saveName(name);
        connection.name = name || null;
        connection.restart(); // hello again, under the same client id
    });

    // Unsent edits: this page owns them while it lives, and hands them on when it goes.
    setInterval(() => doc.heartbeat(), HEARTBEAT_MS);
    window.addEventListener('pagehide', () => doc.releaseStorage());
    window.addEventListener('pageshow', event => {
        if (event.persisted) {
            doc.heartbeat();
        }
    });

    if (doc.restored && doc.unsentEdits > 0) {
        showNotice(notices, {
            level: 'info',
            message: `${doc.unsentEdits === 1 ? '1 edit' : `${doc.unsentEdits} edits`} made earlier in this browser `
                + 'and not yet saved will be sent as soon as the server is reachable.',
        });
    }

    chat.render(doc.chat, null);
    renderPeople();
    renderStatus();
    connection.start();

    // Lets the page itself load without the server, so unsent edits can be seen and added to.
    if ('serviceWorker' in navigator && window.isSecureContext) {
        navigator.serviceWorker.register('/sw.js').catch(e => console.warn('coedit: no offline support', e));
    }

    // For diagnostics in the console and for the browser tests.
    window.coedit = { doc, connection, binding, presence };
}

main();
