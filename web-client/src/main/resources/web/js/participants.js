/**
 * The list of people on the document: this page's user first, then the peers, each with
 * an avatar in their caret colour.
 */
import { el, initials } from './dom.js';
import { safeColor } from './presence-layer.js';

export class ParticipantList {
    /**
     * @param list the <ul> to fill
     * @param count an element showing how many people are here, or null
     */
    constructor(list, count = null) {
        this.list = list;
        this.count = count;
    }

    /** @param me this page's user {id, name, color} or null; @param peers [{clientId, user}] */
    render(me, peers) {
        const rows = [];
        if (me) {
            rows.push(this._row(me, 'you', 'participant-self'));
        }
        const sorted = [...peers].sort((a, b) => String(a.user.name).localeCompare(String(b.user.name)));
        for (const peer of sorted) {
            rows.push(this._row(peer.user, null, null, peer.clientId));
        }
        this.list.replaceChildren(...rows);
        if (this.count !== null) {
            this.count.textContent = String(rows.length);
        }
    }

    _row(user, tag, extraClass, clientId = null) {
        const color = safeColor(user.color);
        return el('li', { className: `participant ${extraClass || ''}`.trim(), attrs: { 'data-client-id': clientId } },
            el('span', { className: 'avatar', text: initials(user.name), style: { 'background-color': color } }),
            el('span', { className: 'participant-name', text: user.name, attrs: { title: user.name } }),
            tag ? el('span', { className: 'participant-tag', text: tag }) : null);
    }
}
