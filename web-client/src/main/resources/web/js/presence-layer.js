/**
 * Draws other people's carets and selections over a <textarea>, each in their colour with
 * their name.
 *
 * A textarea cannot style parts of its text, and does not say where a character is on the
 * screen. So a mirror sits exactly over it: a <div> with the same font, padding, width and
 * wrapping, holding the same text in transparent ink, scrolled with it. Text inside the
 * mirror wraps where the textarea's does, so a marker placed at a character of the mirror
 * lands on that character of the textarea. Selections are highlighted spans of the mirror's
 * text; carets are zero-width markers between characters. The mirror ignores the pointer.
 *
 * Names are set with textContent, never parsed as HTML.
 */
import { codePointToUtf16 } from './text-operation.js';

/** Textarea properties the mirror copies so that its text wraps and sits exactly the same. */
const COPIED = [
    'fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'fontVariant', 'fontStretch', 'fontKerning',
    'fontFeatureSettings', 'lineHeight', 'letterSpacing', 'wordSpacing', 'textTransform', 'textIndent',
    'textRendering', 'tabSize', 'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft', 'direction',
];

/** How long a name stays up after its caret last moved; then only a small flag shows where it is. */
const LABEL_SHOWN_MS = 4000;

/** A colour a user record may safely carry into a style: #rgb or #rrggbb. */
export function safeColor(color) {
    return typeof color === 'string' && /^#(?:[0-9a-fA-F]{3}){1,2}$/.test(color) ? color : '#6b7280';
}

export class PresenceLayer {
    /**
     * @param textarea the editor's textarea, whose parent is positioned (position: relative)
     */
    constructor(textarea) {
        this.textarea = textarea;
        this.mirror = document.createElement('div');
        this.mirror.className = 'presence-layer';
        this.mirror.setAttribute('aria-hidden', 'true');
        this.content = document.createElement('div');
        this.content.className = 'presence-content';
        this.mirror.append(this.content);
        textarea.insertAdjacentElement('afterend', this.mirror);
        this._text = '';
        this._peers = [];
        this._frameRequested = false;

        textarea.addEventListener('scroll', () => this._scroll());
        new ResizeObserver(() => this._layout()).observe(textarea);
        this._layout();
    }

    /**
     * Draws `peers` over `text`: each {clientId, user: {name, color}, ranges: [{anchor, head}],
     * movedAt} with ranges in code points of text (peers without ranges are not drawn) and
     * movedAt the time (ms) the peer last moved or typed.
     */
    render(text, peers) {
        this._text = text;
        this._peers = peers.filter(p => Array.isArray(p.ranges) && p.ranges.length > 0);
        // Drawn once per frame however many changes arrive in it: redrawing is linear in the text.
        if (!this._frameRequested) {
            this._frameRequested = true;
            requestAnimationFrame(() => {
                this._frameRequested = false;
                this._fit();
                this._draw();
            });
        }
    }

    _layout() {
        const style = getComputedStyle(this.textarea);
        for (const name of COPIED) {
            this.content.style[name] = style[name];
        }
        this._fit();
        this._draw();
    }

    /** Over the textarea's inside: within its border, not over its scrollbar (which comes and goes). */
    _fit() {
        const ta = this.textarea;
        Object.assign(this.mirror.style, {
            top: `${ta.offsetTop + ta.clientTop}px`,
            left: `${ta.offsetLeft + ta.clientLeft}px`,
            width: `${ta.clientWidth}px`,
            height: `${ta.clientHeight}px`,
        });
        this.content.style.width = `${ta.clientWidth}px`;
    }

    _scroll() {
        this.content.style.transform = `translate(${-this.textarea.scrollLeft}px, ${-this.textarea.scrollTop}px)`;
        this._placeLabels();
    }

    _draw() {
        const text = this._text;
        this.content.replaceChildren();
        if (this._peers.length === 0) {
            return;
        }
        // Cut the text at every range end; each piece knows whose selections cover it.
        const marks = []; // {at (UTF-16), peer, kind: 'caret' | 'start' | 'end'}
        for (const peer of this._peers) {
            for (const range of peer.ranges) {
                const anchor = codePointToUtf16(text, range.anchor);
                const head = codePointToUtf16(text, range.head);
                if (anchor !== head) {
                    marks.push({ at: Math.min(anchor, head), peer, kind: 'start' });
                    marks.push({ at: Math.max(anchor, head), peer, kind: 'end' });
                }
                marks.push({ at: head, peer, kind: 'caret', position: range.head });
            }
        }
        marks.sort((a, b) => a.at - b.at);
        const covering = new Map(); // peer → open selections
        let at = 0;
        const flushText = end => {
            if (end <= at) {
                return;
            }
            const piece = text.slice(at, end);
            const owner = [...covering.keys()].find(p => covering.get(p) > 0);
            if (owner) {
                const span = document.createElement('span');
                span.className = 'remote-selection';
                span.style.backgroundColor = `${safeColor(owner.user.color)}33`;
                span.textContent = piece;
                this.content.append(span);
            } else {
                this.content.append(document.createTextNode(piece));
            }
            at = end;
        };
        for (const mark of marks) {
            flushText(mark.at);
            if (mark.kind === 'start') {
                covering.set(mark.peer, (covering.get(mark.peer) || 0) + 1);
            } else if (mark.kind === 'end') {
                covering.set(mark.peer, (covering.get(mark.peer) || 0) - 1);
            } else {
                this.content.append(this._caret(mark.peer, mark.position));
            }
        }
        flushText(text.length);
        this.content.append(document.createTextNode('\u200b')); // keeps a last empty line as tall as the textarea's
        this._scroll();
    }

    _caret(peer, position) {
        const color = safeColor(peer.user.color);
        const caret = document.createElement('span');
        caret.className = 'remote-caret';
        caret.dataset.clientId = peer.clientId;
        caret.dataset.position = String(position);
        caret.style.setProperty('--peer-color', color);
        const label = document.createElement('span');
        label.className = 'remote-caret-label';
        label.textContent = peer.user.name;
        // The name fades once the caret has been still for a while (the mirror is redrawn on
        // every change, so the fade is timed from when the caret moved, not from now).
        const shownFor = LABEL_SHOWN_MS - (Date.now() - (peer.movedAt ?? 0));
        if (shownFor <= 0) {
            caret.classList.add('quiet');
        } else {
            label.style.animationDelay = `${shownFor}ms`;
        }
        caret.append(label);
        return caret;
    }

    /** A label that would stick out above the first line goes below its caret instead. */
    _placeLabels() {
        for (const caret of this.content.querySelectorAll('.remote-caret')) {
            caret.classList.toggle('label-below', caret.offsetTop - this.textarea.scrollTop < 18);
        }
    }
}
