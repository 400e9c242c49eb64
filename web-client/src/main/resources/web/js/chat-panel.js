/**
 * The chat beside the editor: the history the server keeps with the document, new
 * messages as they arrive, and a field to write one (Enter sends, Shift+Enter breaks the
 * line). Messages are text, shown with textContent.
 */
import { el } from './dom.js';
import { safeColor } from './presence-layer.js';

export class ChatPanel {
    /**
     * @param list the <ol> of messages
     * @param form the <form> holding a <textarea> and a submit button
     * @param send a function taking the text; returns false when it cannot be sent now
     */
    constructor(list, form, send) {
        this.list = list;
        this.form = form;
        this.input = form.querySelector('textarea');
        this.button = form.querySelector('button');
        this._send = send;
        this._myId = null;

        form.addEventListener('submit', event => {
            event.preventDefault();
            this._submit();
        });
        this.input.addEventListener('keydown', event => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                this._submit();
            }
        });
    }

    /** Whether messages can be sent now (connected), and whether this person may only read (no chat either). */
    setEnabled(enabled, readOnly = false) {
        this.button.disabled = !enabled || readOnly;
        this.input.disabled = readOnly;
        this.input.placeholder = readOnly ? 'Read-only: you can read the chat, not write in it'
            : enabled ? 'Write a message…' : 'Chat resumes when the connection is back';
    }

    /** Shows `messages` ({id, user, text, ts}, oldest first); `myUserId` marks this person's own. */
    render(messages, myUserId) {
        const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
        if (messages.length === 0) {
            this.list.replaceChildren(el('li', { className: 'chat-empty', text: 'No messages yet. Say hello!' }));
            return;
        }
        this.list.replaceChildren(...messages.map(m => this._message(m, myUserId)));
        if (nearBottom || this._justSent) {
            this.list.scrollTop = this.list.scrollHeight;
            this._justSent = false;
        }
    }

    _message(m, myUserId) {
        const user = m.user || { name: '?', color: '#6b7280' };
        const time = new Date(m.ts);
        const mine = myUserId !== null && user.id === myUserId;
        return el('li', { className: mine ? 'chat-message mine' : 'chat-message', attrs: { 'data-id': m.id } },
            el('div', { className: 'chat-meta' },
                el('span', { className: 'chat-author', text: user.name, style: { color: safeColor(user.color) } }),
                el('time', {
                    className: 'chat-time',
                    text: time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
                    attrs: { datetime: time.toISOString(), title: time.toLocaleString() },
                })),
            el('div', { className: 'chat-text', text: m.text }));
    }

    _submit() {
        const text = this.input.value.trim();
        if (!text) {
            return;
        }
        if (this._send(text) === false) {
            return; // keep it in the field until the connection is back
        }
        this._justSent = true;
        this.input.value = '';
    }
}
