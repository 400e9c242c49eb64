/**
 * The home page, /: the documents (name, last change) and a field to open one by name,
 * which creates it if it does not exist yet (every name is a document, empty until edited).
 */
import { el, relativeTime } from './dom.js';
import { apiHeaders } from './settings.js';
import { isDocumentId, toDocumentId, editorUrl, DOCUMENT_ID_RULE } from './document-id.js';

async function loadDocuments() {
    const rows = document.getElementById('doc-rows');
    const empty = document.getElementById('doc-empty');
    const error = document.getElementById('doc-error');
    const table = document.getElementById('doc-table');
    let answer;
    try {
        const response = await fetch('/api/docs', { headers: apiHeaders(), cache: 'no-store' });
        answer = await response.json();
        if (!response.ok) {
            throw new Error(response.status === 401
                ? 'This server needs a token: open the link you were given (it ends in ?token=…).'
                : answer.message || `the server answered ${response.status}`);
        }
    } catch (e) {
        error.textContent = `Could not load the documents. ${e.message}`;
        error.hidden = false;
        table.hidden = true;
        return;
    }
    const docs = [...answer.docs].sort((a, b) => b.updated - a.updated);
    const now = Date.now();
    rows.replaceChildren(...docs.map(d => el('tr', { attrs: { 'data-doc': d.id } },
        el('td', {}, el('a', { className: 'doc-link', text: d.id, attrs: { href: editorUrl(d.id) } })),
        el('td', {}, d.updated > 0
            ? el('time', { text: relativeTime(d.updated, now), attrs: { datetime: new Date(d.updated).toISOString(), title: new Date(d.updated).toLocaleString() } })
            : el('span', { className: 'muted', text: 'never' })),
        el('td', { className: 'num', text: d.version.toLocaleString() }))));
    table.hidden = docs.length === 0;
    empty.hidden = docs.length !== 0;
}

function main() {
    const form = document.getElementById('open-form');
    const input = document.getElementById('doc-input');
    const hint = document.getElementById('doc-hint');
    const defaultHint = hint.textContent;
    input.addEventListener('input', () => {
        const id = toDocumentId(input.value);
        const bad = id !== '' && !isDocumentId(id);
        hint.textContent = bad ? DOCUMENT_ID_RULE : defaultHint;
        hint.classList.toggle('hint-error', bad);
    });
    form.addEventListener('submit', event => {
        event.preventDefault();
        const id = toDocumentId(input.value);
        if (!isDocumentId(id)) {
            hint.textContent = DOCUMENT_ID_RULE;
            hint.classList.add('hint-error');
            input.focus();
            return;
        }
        window.location.assign(editorUrl(id));
    });
    loadDocuments();
}

main();
