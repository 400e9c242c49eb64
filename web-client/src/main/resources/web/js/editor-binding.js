/**
 * Binds a <textarea> to a SharedDocument: whatever changes the textarea's value (typing,
 * paste, cut, delete, drag and drop, IME composition, the browser's own undo and redo)
 * becomes an operation by comparing the old value with the new one, and remote operations
 * are applied without moving the local caret or selection.
 *
 * The textarea speaks UTF-16 (value, selectionStart); the document speaks code points.
 * This is the edge where one becomes the other, and the only one.
 *
 * IME composition: while a composition is open the browser owns the text around the caret,
 * and replacing the value would cancel it. So the document holds what arrives until the
 * composition ends; then the composed text becomes one operation and what was held is
 * applied.
 */
import { TextOperation, Side, codePointToUtf16, utf16ToCodePoint } from './text-operation.js';

/**
 * The single splice that turns oldText into newText, in UTF-16 units:
 * {index, deleteLength, text}. Where the change is ambiguous (typing "a" into "aa"), it is
 * placed to end at `caret` (the new selectionEnd), where the person's edit was. Never
 * splits a surrogate pair.
 */
export function diffUtf16(oldText, newText, caret = newText.length) {
    let oldEnd = oldText.length;
    let newEnd = newText.length;
    const limit = Math.max(0, Math.min(caret, newEnd));
    // Common suffix, not reaching before the caret: text after the caret was not edited.
    while (newEnd > limit && oldEnd > 0 && oldText.charCodeAt(oldEnd - 1) === newText.charCodeAt(newEnd - 1)) {
        oldEnd--;
        newEnd--;
    }
    let start = 0;
    while (start < oldEnd && start < newEnd && oldText.charCodeAt(start) === newText.charCodeAt(start)) {
        start++;
    }
    // The caret hint may have been wrong (a script moved it): finish the suffix.
    while (oldEnd > start && newEnd > start && oldText.charCodeAt(oldEnd - 1) === newText.charCodeAt(newEnd - 1)) {
        oldEnd--;
        newEnd--;
    }
    // Widen to whole code points: "😀" → "😁" share their high surrogate.
    if (start > 0 && isLow(oldText.charCodeAt(start)) && isHigh(oldText.charCodeAt(start - 1))) {
        start--;
    } else if (start > 0 && isLow(newText.charCodeAt(start)) && isHigh(newText.charCodeAt(start - 1))) {
        start--;
    }
    if (oldEnd < oldText.length && isLow(oldText.charCodeAt(oldEnd)) && isHigh(oldText.charCodeAt(oldEnd - 1))) {
        oldEnd++;
        newEnd++;
    } else if (newEnd < newText.length && isLow(newText.charCodeAt(newEnd)) && isHigh(newText.charCodeAt(newEnd - 1))) {
        oldEnd++;
        newEnd++;
    }
    return { index: start, deleteLength: oldEnd - start, text: newText.slice(start, newEnd) };
}

function isHigh(unit) {
    return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit) {
    return unit >= 0xdc00 && unit <= 0xdfff;
}

export class EditorBinding {
    /**
     * @param textarea the <textarea>
     * @param doc the SharedDocument
     */
    constructor(textarea, doc) {
        this.textarea = textarea;
        this.doc = doc;
        this._value = doc.text; // the value doc.text has, in the textarea's terms
        this._composing = false;

        textarea.value = doc.text;
        this._updateEditable();

        textarea.addEventListener('input', event => {
            if (!this._composing && !event.isComposing) {
                this._sync();
            }
        });
        textarea.addEventListener('compositionstart', () => {
            if (!this._composing) {
                this._composing = true;
                doc.hold();
            }
        });
        textarea.addEventListener('compositionend', () => this._endComposition());
        textarea.addEventListener('blur', () => this._endComposition());
        for (const type of ['select', 'keyup', 'mouseup', 'focus']) {
            textarea.addEventListener(type, () => this._reportSelection());
        }
        document.addEventListener('selectionchange', () => {
            if (document.activeElement === textarea) {
                this._reportSelection();
            }
        });

        doc.addEventListener('before-remote', () => this._sync());
        doc.addEventListener('remote-op', event => this._applyRemote(event.detail.op));
        doc.addEventListener('reset', () => this._reset());
        doc.addEventListener('status', () => this._updateEditable());
    }

    /** The local selection in code points: {anchor, head}. */
    selection() {
        const ta = this.textarea;
        const start = utf16ToCodePoint(this._value, ta.selectionStart);
        const end = utf16ToCodePoint(this._value, ta.selectionEnd);
        return ta.selectionDirection === 'backward' ? { anchor: end, head: start } : { anchor: start, head: end };
    }

    _endComposition() {
        if (!this._composing) {
            return;
        }
        this._composing = false;
        this._sync();
        this.doc.release();
    }

    /** Turns whatever changed the textarea since the last look into one operation. */
    _sync() {
        const ta = this.textarea;
        const now = ta.value;
        if (now === this._value || this._composing) {
            return;
        }
        if (!this.doc.ready || this.doc.readOnly) {
            ta.value = this._value; // nothing may change here now
            return;
        }
        const { index, deleteLength, text } = diffUtf16(this._value, now, ta.selectionEnd);
        const op = TextOperation.spliceUtf16(this._value, index, deleteLength, text);
        this._value = now;
        this.doc.localEdit(op, this.selection());
    }

    _reportSelection() {
        if (this._composing || this.textarea.value !== this._value) {
            return; // an input event follows and reports it
        }
        this.doc.setSelection(this.selection());
    }

    /** A remote op was applied to doc.text: show it, keeping the caret and selection where they were in the text. */
    _applyRemote(op) {
        const ta = this.textarea;
        this._setValue(this.doc.text, op.transformSelection(this.selection(), Side.LEFT));
    }

    _reset() {
        const end = [...this.doc.text].length;
        const s = this.doc.selection;
        this._setValue(this.doc.text, { anchor: Math.min(s.anchor, end), head: Math.min(s.head, end) });
        this._updateEditable();
    }

    _setValue(text, selection) {
        const ta = this.textarea;
        const scrollTop = ta.scrollTop;
        const scrollLeft = ta.scrollLeft;
        ta.value = text;
        this._value = text;
        const anchor = codePointToUtf16(text, selection.anchor);
        const head = codePointToUtf16(text, selection.head);
        ta.setSelectionRange(Math.min(anchor, head), Math.max(anchor, head), head < anchor ? 'backward' : 'forward');
        ta.scrollTop = scrollTop;
        ta.scrollLeft = scrollLeft;
    }

    _updateEditable() {
        this.textarea.readOnly = !this.doc.ready || this.doc.readOnly;
    }
}
