/**
 * Plain-text operations: the browser twin of the Java engine's io.coedit.ot.TextOperation.
 *
 * An operation is a walk from the start of a document that keeps, inserts and removes text.
 * Its wire form is the ot-text-unicode JSON array:
 *
 *     [3, "hi", {"d": 2}]    keep 3 code points, insert "hi", delete 2 code points
 *
 * Positions and lengths count Unicode code points, never UTF-16 units: "😀" is one code
 * point (two UTF-16 units), so an operation never splits a surrogate pair and means the
 * same in Java, JavaScript and every other language that counts code points. The browser
 * indexes UTF-16 (a textarea's selectionStart, String.prototype.slice); convert at that
 * edge with the helpers at the end of this file, never inside the algebra.
 *
 * Normal form. Every TextOperation is in ot-text-unicode's normal form, so equal edits have
 * equal components (and the JSON ot-text-unicode 4.0.0 writes): no empty components;
 * neighbours of one kind merged; no trailing retain (what an operation does not reach is
 * kept); and inserts and deletes never reordered: [p, {d:n}, "x"] and [p, "x", {d:n}] give
 * the same text but put "x" on different sides of a concurrent insert at p + n. A trailing
 * retain is dropped from the components but still counts in baseLength, so [3] does not
 * fit "ab": an operation applies to any document at least baseLength code points long.
 *
 * Algebra, for every document d the operations fit:
 *
 *     compose(a, b).apply(d)                   == b.apply(a.apply(d))
 *     transform(a, b, LEFT).apply(b.apply(d))  == transform(b, a, RIGHT).apply(a.apply(d))
 *     invert(a, d).apply(a.apply(d))           == d
 *
 * The shared vectors in conformance/text-ot.json keep this file and the Java engine
 * answering alike, and conformance/ot-text-unicode-vectors.json (ot-text-unicode's own
 * answers) keeps both answering as ot-text-unicode does; browser tests run every one.
 *
 * Operations are immutable. Invalid input (a malformed wire form, an operation that does
 * not fit a document) throws an InvalidOperationError with a precise message; inside, the
 * values are trusted.
 */

/** Thrown for an operation that is malformed or does not fit the document it is applied to. */
export class InvalidOperationError extends Error {
    constructor(message) {
        super(message);
        this.name = 'InvalidOperationError';
    }
}

/**
 * Which of two concurrent operations wins a tie. In transform(op, other, LEFT) the inserts
 * of op end up before those of other at the same position; with RIGHT, after. A server
 * transforms an incoming client operation as RIGHT against the history it missed, so what
 * was committed first stays first.
 */
export const Side = Object.freeze({
    LEFT: 'left',
    RIGHT: 'right',
    /** The other side: transform(a, b, s) pairs with transform(b, a, opposite(s)). */
    opposite(side) {
        return checkSide(side) === 'left' ? 'right' : 'left';
    },
});

/** The largest count one retain or delete may carry, as in Java: 2^31 - 1. */
export const MAX_COUNT = 2147483647;

/** The default cap on the number of items one operation may have on the wire. */
export const DEFAULT_MAX_COMPONENTS = 100000;

const RETAIN = 0;
const INSERT = 1;
const DELETE = 2;

/*
 * Components are frozen objects {type, length} plus, for an insert, its text. The length
 * of an insert is carried in code points because counting them again at every step of
 * compose and transform would cost a scan each time.
 */
function retainOf(count) {
    return Object.freeze({ type: RETAIN, length: count });
}

function deleteOf(count) {
    return Object.freeze({ type: DELETE, length: count });
}

function insertOf(text, length) {
    return Object.freeze({ type: INSERT, text, length });
}

export class TextOperation {
    /** Use TextOperation.builder(), fromJSON() or the factories; components must be in normal form. */
    constructor(components, baseLength, inserted, deleted) {
        this._components = components;
        this._baseLength = baseLength;
        this._inserted = inserted;
        this._deleted = deleted;
        Object.freeze(this);
    }

    /** A builder that normalises as it goes. */
    static builder() {
        return new Builder();
    }

    /** Inserts text at code point position. */
    static insert(position, text) {
        return new Builder().retain(position).insert(text).build();
    }

    /** Removes count code points starting at code point position. */
    static delete(position, count) {
        return new Builder().retain(position).delete(count).build();
    }

    /**
     * Removes deleteCount code points at position and inserts text there, in code points,
     * written as ot-text-unicode clients write a replace: [position, {d: deleteCount}, text].
     */
    static splice(position, deleteCount, text) {
        return new Builder().retain(position).delete(deleteCount).insert(text).build();
    }

    /**
     * The same splice measured in UTF-16 units of document, as a textarea reports it.
     * Rejects a range whose ends fall inside a surrogate pair.
     */
    static spliceUtf16(document, index, deleteLength, text) {
        if (!Number.isInteger(index) || !Number.isInteger(deleteLength) || index < 0 || deleteLength < 0
                || index > document.length - deleteLength) {
            throw new InvalidOperationError(`UTF-16 range [${index}, ${index} + ${deleteLength}) is outside a document of `
                + `${document.length} UTF-16 units`);
        }
        checkNotInsidePair(document, index);
        checkNotInsidePair(document, index + deleteLength);
        const position = codePointCount(document, 0, index);
        const count = codePointCount(document, index, index + deleteLength);
        return TextOperation.splice(position, count, text);
    }

    /**
     * Reads an operation from JSON text, as a peer sent it.
     *
     * @throws InvalidOperationError if the text is not JSON or not a valid operation
     */
    static parse(json, maxComponents = DEFAULT_MAX_COMPONENTS) {
        let value;
        try {
            value = JSON.parse(json);
        } catch (e) {
            throw new InvalidOperationError(`op is not valid JSON: ${e.message}`);
        }
        return TextOperation.fromJSON(value, maxComponents);
    }

    /**
     * Reads an operation from a parsed JSON value: an array of positive integers (retain),
     * non-empty strings (insert) and {"d": n} objects (delete). Accepts any well-formed
     * array and returns it in normal form; this is where insert text is checked (once).
     *
     * @throws InvalidOperationError naming the offending item, e.g. 'op[2]: insert must be a non-empty string'
     */
    static fromJSON(value, maxComponents = DEFAULT_MAX_COMPONENTS) {
        if (!Array.isArray(value)) {
            throw new InvalidOperationError(`op must be a JSON array, got ${describe(value)}`);
        }
        if (value.length > maxComponents) {
            throw new InvalidOperationError(`op has ${value.length} items, more than the limit of ${maxComponents}`);
        }
        const b = new Builder();
        value.forEach((item, k) => {
            try {
                if (typeof item === 'number') {
                    b.retain(checkCount(item, 'retain count'));
                } else if (typeof item === 'string') {
                    if (item.length === 0) {
                        throw new InvalidOperationError('insert must be a non-empty string');
                    }
                    b.insert(item);
                } else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
                    b.delete(deleteCount(item));
                } else {
                    throw new InvalidOperationError(
                        `expected a positive integer, a non-empty string or {"d": n}, got ${describe(item)}`);
                }
            } catch (e) {
                if (e instanceof InvalidOperationError) {
                    throw new InvalidOperationError(`op[${k}]: ${e.message}`);
                }
                throw e;
            }
        });
        return b.build();
    }

    /** The wire form, e.g. [3, "hi", {"d": 2}]; JSON.stringify uses it. */
    toJSON() {
        return this._components.map(c => c.type === RETAIN ? c.length : c.type === INSERT ? c.text : { d: c.length });
    }

    /** The wire form as JSON text. */
    toString() {
        return JSON.stringify(this.toJSON());
    }

    /** Whether this operation changes nothing. */
    isNoop() {
        return this._components.length === 0;
    }

    /** Code points walked over (retained plus deleted): the shortest document this applies to. */
    get baseLength() {
        return this._baseLength;
    }

    /** Code points inserted minus code points deleted. */
    get lengthChange() {
        return this._inserted - this._deleted;
    }

    /** The length in code points of the result of applying this to a document of documentLength. */
    resultLength(documentLength) {
        this._checkFits(documentLength);
        return documentLength + this._inserted - this._deleted;
    }

    /** Whether two operations are the same edit (normal forms are equal; a dropped trailing retain does not count). */
    equals(other) {
        if (!(other instanceof TextOperation) || other._components.length !== this._components.length) {
            return false;
        }
        return this._components.every((c, k) => {
            const o = other._components[k];
            return c.type === o.type && c.length === o.length && c.text === o.text;
        });
    }

    /**
     * Applies this operation to document (a JS string).
     *
     * @throws InvalidOperationError if it retains or deletes past the end of the document,
     *     or the document has a lone surrogate
     */
    apply(document) {
        const documentLength = countWellFormed(document, 'document');
        this._checkFits(documentLength);
        const ascii = documentLength === document.length;
        const out = [];
        let at = 0; // UTF-16 index into document
        for (const c of this._components) {
            if (c.type === RETAIN) {
                const end = offset(document, at, c.length, ascii);
                out.push(document.slice(at, end));
                at = end;
            } else if (c.type === INSERT) {
                out.push(c.text);
            } else {
                at = offset(document, at, c.length, ascii);
            }
        }
        out.push(document.slice(at));
        return out.join('');
    }

    /** Throws unless this applies to a document of documentLength code points, naming the component that runs past its end. */
    _checkFits(documentLength) {
        if (this._baseLength <= documentLength) {
            return;
        }
        let position = 0;
        for (let k = 0; k < this._components.length; k++) {
            const c = this._components[k];
            if (c.type === INSERT) {
                continue;
            }
            if (position + c.length > documentLength) {
                const verb = c.type === RETAIN ? 'retains' : 'deletes';
                throw new InvalidOperationError(`op ${verb} past the end of a ${documentLength}-code-point document: `
                    + `component ${k} ${verb} ${c.length} from position ${position}`);
            }
            position += c.length;
        }
        // What runs past the end is the trailing retain the normal form dropped.
        throw new InvalidOperationError(`op retains past the end of a ${documentLength}-code-point document: `
            + `component ${this._components.length} retains ${this._baseLength - position} from position ${position}`);
    }

    /**
     * The operation with the effect of a followed by b:
     * compose(a, b).apply(d) == b.apply(a.apply(d)) for every d both fit.
     */
    static compose(a, b) {
        if (a.isNoop()) {
            return b;
        }
        if (b.isNoop()) {
            return a;
        }
        const out = new Builder();
        const first = new Walker(a._components);
        for (const c of b._components) {
            if (c.type === RETAIN) {
                // Keep what a produced; a's deletes pass through without consuming b.
                let n = c.length;
                while (n > 0 && first.hasMore()) {
                    const head = first.current();
                    if (head.type === DELETE) {
                        out.delete(first.takeRest());
                    } else if (head.type === RETAIN) {
                        const k = first.take(n);
                        out.retain(k);
                        n -= k;
                    } else {
                        const from = first.offset;
                        const k = first.take(n);
                        out._insertSlice(head, from, k);
                        n -= k;
                    }
                }
                out.retain(n);
            } else if (c.type === INSERT) {
                out._insertComponent(c);
            } else {
                // Remove what a produced: a retained character becomes a delete, a's insert cancels.
                let n = c.length;
                while (n > 0 && first.hasMore()) {
                    const head = first.current();
                    if (head.type === DELETE) {
                        out.delete(first.takeRest());
                    } else {
                        const k = first.take(n);
                        if (head.type === RETAIN) {
                            out.delete(k);
                        }
                        n -= k;
                    }
                }
                out.delete(n);
            }
        }
        first.appendRest(out);
        return out.build();
    }

    /**
     * Rewrites op to apply after other, both made on the same document, keeping its intent:
     *
     *     transform(op, other, LEFT).apply(other.apply(d)) == transform(other, op, RIGHT).apply(op.apply(d))
     *
     * With LEFT an insert of op at the same position as an insert of other ends up before
     * it; with RIGHT, after. Text both delete is deleted once; text op inserts inside a
     * range other deletes survives, at the place of the deletion.
     */
    static transform(op, other, side) {
        const left = checkSide(side) === Side.LEFT;
        if (op.isNoop()) {
            return TextOperation.NOOP; // not op: a trailing retain it was given need not fit other's result
        }
        if (other.isNoop()) {
            return op;
        }
        const out = new Builder();
        const mine = new Walker(op._components);
        for (const c of other._components) {
            if (!mine.hasMore()) {
                break; // the rest of other only shifts what op no longer touches
            }
            if (c.type === RETAIN) {
                let n = c.length;
                while (n > 0 && mine.hasMore()) {
                    const head = mine.current();
                    if (head.type === INSERT) {
                        out._insertSlice(head, mine.offset, mine.takeRest());
                    } else {
                        const k = mine.take(n);
                        if (head.type === RETAIN) {
                            out.retain(k);
                        } else {
                            out.delete(k);
                        }
                        n -= k;
                    }
                }
            } else if (c.type === INSERT) {
                const head = mine.current();
                if (left && head.type === INSERT) {
                    out._insertSlice(head, mine.offset, mine.takeRest());
                }
                out.retain(c.length);
            } else {
                let n = c.length;
                while (n > 0 && mine.hasMore()) {
                    const head = mine.current();
                    if (head.type === INSERT) {
                        out._insertSlice(head, mine.offset, mine.takeRest());
                    } else {
                        n -= mine.take(n); // already gone: op's retain or delete of it vanishes
                    }
                }
            }
        }
        mine.appendRest(out);
        return out.build();
    }

    /**
     * The operation that undoes op on the document it was applied to:
     * invert(op, d).apply(op.apply(d)) == d.
     *
     * @throws InvalidOperationError if op does not fit document
     */
    static invert(op, document) {
        const documentLength = countWellFormed(document, 'document');
        op._checkFits(documentLength);
        const ascii = documentLength === document.length;
        const out = new Builder();
        let at = 0;
        for (const c of op._components) {
            if (c.type === RETAIN) {
                out.retain(c.length);
                at = offset(document, at, c.length, ascii);
            } else if (c.type === INSERT) {
                out.delete(c.length);
            } else {
                const end = offset(document, at, c.length, ascii);
                out._insertComponent(insertOf(document.slice(at, end), c.length));
                at = end;
            }
        }
        return out.build();
    }

    /**
     * Where a cursor at code point position is after this operation. A cursor inside deleted
     * text moves to where the deletion was. Text inserted exactly at the cursor's gap (the
     * gap an insert is written in: [p, "x", {d:n}] inserts in gap p, [p, {d:n}, "x"] in gap
     * p + n) stays after the cursor with LEFT and goes before it with RIGHT: the rule
     * transform applies to a zero-length insert. LEFT is ot-text-unicode's transformPosition.
     */
    transformPosition(position, side) {
        if (!Number.isInteger(position) || position < 0) {
            throw new InvalidOperationError(`position must be a non-negative integer, got ${position}`);
        }
        const right = checkSide(side) === Side.RIGHT;
        let base = 0; // position in this operation's document reached so far
        let result = 0; // the same place in the result
        for (const c of this._components) {
            if (c.type === RETAIN) {
                if (position < base + c.length) {
                    break;
                }
                base += c.length;
                result += c.length;
            } else if (c.type === INSERT) {
                if (base === position && !right) {
                    break;
                }
                result += c.length;
            } else {
                if (position < base + c.length) {
                    return Math.min(MAX_COUNT, result); // inside the deleted text
                }
                base += c.length;
            }
        }
        // Saturate as Java does: a position far past any real document must not grow without bound.
        return Math.min(MAX_COUNT, result + (position - base));
    }

    /** Both ends of selection ({anchor, head}) moved by transformPosition. */
    transformSelection(selection, side) {
        const anchor = this.transformPosition(selection.anchor, side);
        const head = selection.head === selection.anchor ? anchor : this.transformPosition(selection.head, side);
        return { anchor, head };
    }

    /**
     * The opposite of transformPosition: where a position in the result of this operation
     * was in the document it applied to. A position inside or at the end of inserted text
     * maps to where the text was inserted. Used to express a local selection at the server
     * version that local, unacknowledged operations were made on.
     */
    positionBefore(position) {
        let base = 0;
        let result = 0;
        for (const c of this._components) {
            if (c.type === RETAIN) {
                if (position <= result + c.length) {
                    return base + (position - result);
                }
                base += c.length;
                result += c.length;
            } else if (c.type === INSERT) {
                if (position <= result + c.length) {
                    return base;
                }
                result += c.length;
            } else {
                base += c.length;
            }
        }
        return base + (position - result);
    }

    /** Both ends of selection moved back by positionBefore. */
    selectionBefore(selection) {
        return { anchor: this.positionBefore(selection.anchor), head: this.positionBefore(selection.head) };
    }
}

/** The operation that changes nothing. */
TextOperation.NOOP = new TextOperation(Object.freeze([]), 0, 0, 0);

/**
 * Reads an operation's components in pieces: take(n) consumes up to n code points of the
 * current component.
 */
class Walker {
    constructor(components) {
        this.components = components;
        this.index = 0;
        this.offset = 0; // code points of components[index] already consumed
    }

    hasMore() {
        return this.index < this.components.length;
    }

    current() {
        return this.components[this.index];
    }

    take(max) {
        const rest = this.components[this.index].length - this.offset;
        if (rest <= max) {
            this.index++;
            this.offset = 0;
            return rest;
        }
        this.offset += max;
        return max;
    }

    takeRest() {
        const rest = this.components[this.index].length - this.offset;
        this.index++;
        this.offset = 0;
        return rest;
    }

    appendRest(out) {
        if (this.index < this.components.length && this.offset > 0) {
            const c = this.components[this.index];
            const rest = c.length - this.offset;
            if (c.type === RETAIN) {
                out.retain(rest);
            } else if (c.type === INSERT) {
                out._insertSlice(c, this.offset, rest);
            } else {
                out.delete(rest);
            }
            this.index++;
        }
        for (; this.index < this.components.length; this.index++) {
            out._append(this.components[this.index]);
        }
        this.offset = 0;
    }
}

/**
 * Builds a TextOperation in normal form while appending components in document order:
 * empty components are dropped, neighbours of one kind merged (never across another kind:
 * inserts and deletes keep their order), and a trailing retain dropped by build() (but
 * still counted in baseLength).
 */
export class Builder {
    constructor() {
        this._items = [];
        this._baseLength = 0;
        this._inserted = 0;
        this._deleted = 0;
    }

    /** Keeps count >= 0 code points. */
    retain(count) {
        checkNonNegative(count, 'retain count');
        if (count === 0) {
            return this;
        }
        this._baseLength = grow(this._baseLength, count);
        const last = this._items[this._items.length - 1];
        if (last !== undefined && last.type === RETAIN) {
            this._items[this._items.length - 1] = retainOf(last.length + count);
        } else {
            this._items.push(retainOf(count));
        }
        return this;
    }

    /** Inserts text, which must be well-formed UTF-16; an empty string is ignored. */
    insert(text) {
        if (typeof text !== 'string') {
            throw new InvalidOperationError(`insert text must be a string, got ${describe(text)}`);
        }
        if (text.length === 0) {
            return this;
        }
        return this._insertComponent(insertOf(text, countWellFormed(text, 'insert text')));
    }

    /** Removes count >= 0 code points. */
    delete(count) {
        checkNonNegative(count, 'delete count');
        if (count === 0) {
            return this;
        }
        this._baseLength = grow(this._baseLength, count);
        this._deleted += count;
        const last = this._items[this._items.length - 1];
        if (last !== undefined && last.type === DELETE) {
            this._items[this._items.length - 1] = deleteOf(last.length + count);
        } else {
            this._items.push(deleteOf(count));
        }
        return this;
    }

    _append(c) {
        if (c.type === RETAIN) {
            return this.retain(c.length);
        }
        if (c.type === INSERT) {
            return this._insertComponent(c);
        }
        return this.delete(c.length);
    }

    _insertComponent(insert) {
        this._inserted = grow(this._inserted, insert.length);
        const items = this._items;
        const n = items.length;
        if (n > 0 && items[n - 1].type === INSERT) {
            items[n - 1] = concat(items[n - 1], insert);
        } else {
            items.push(insert);
        }
        return this;
    }

    /** Inserts code points [from, from + count) of an insert component. */
    _insertSlice(insert, from, count) {
        if (from === 0 && count === insert.length) {
            this._insertComponent(insert);
        } else if (count > 0) {
            this._insertComponent(insertOf(codePointSlice(insert.text, insert.length, from, count), count));
        }
    }

    /** The operation built so far, in normal form; the builder may go on being used. */
    build() {
        let n = this._items.length;
        if (n > 0 && this._items[n - 1].type === RETAIN) {
            n--;
        }
        if (n === 0 && this._baseLength === 0) {
            return TextOperation.NOOP;
        }
        return new TextOperation(Object.freeze(this._items.slice(0, n)), this._baseLength, this._inserted, this._deleted);
    }
}

function concat(a, b) {
    return insertOf(a.text + b.text, grow(a.length, b.length));
}

function grow(total, more) {
    const sum = total + more;
    if (sum > MAX_COUNT) {
        throw new InvalidOperationError(`operation longer than ${MAX_COUNT} code points`);
    }
    return sum;
}

function checkNonNegative(count, what) {
    if (!Number.isInteger(count) || count < 0) {
        throw new InvalidOperationError(`${what} must be a non-negative integer, got ${count}`);
    }
}

function checkSide(side) {
    if (side !== 'left' && side !== 'right') {
        throw new InvalidOperationError(`side must be "left" or "right", got ${String(side)}`);
    }
    return side;
}

/** A wire count: a positive whole number up to MAX_COUNT (2.0 is whole; JSON.parse has already read it as 2). */
function checkCount(value, what) {
    if (!(value > 0)) {
        throw new InvalidOperationError(`${what} must be a positive integer, got ${numberText(value)}`);
    }
    if (!Number.isInteger(value) && Number.isFinite(value)) {
        throw new InvalidOperationError(`${what} must be a whole number, got ${value}`);
    }
    if (value > MAX_COUNT) {
        throw new InvalidOperationError(`${what} ${value} is larger than ${MAX_COUNT}`);
    }
    return value;
}

function deleteCount(object) {
    const keys = Object.keys(object);
    if (keys.length !== 1 || keys[0] !== 'd') {
        for (const key of keys) {
            if (key !== 'd') {
                throw new InvalidOperationError(`delete object has unknown key ${JSON.stringify(key)}; the only key is "d"`);
            }
        }
        throw new InvalidOperationError('delete object must be {"d": n}, got {}');
    }
    const d = object.d;
    if (typeof d !== 'number') {
        throw new InvalidOperationError(`delete count must be a positive integer, got ${describe(d)}`);
    }
    return checkCount(d, 'delete count');
}

function numberText(value) {
    return Object.is(value, -0) ? '-0' : String(value);
}

function describe(value) {
    if (value === null || value === undefined) {
        return 'null';
    }
    if (Array.isArray(value)) {
        return 'an array';
    }
    switch (typeof value) {
        case 'object': return 'an object';
        case 'boolean': return 'a boolean';
        case 'number': return `the number ${numberText(value)}`;
        default: return 'a string';
    }
}

// ---- code points and UTF-16 ----------------------------------------------------------------

function isHigh(unit) {
    return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit) {
    return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * The code point length of text, rejecting a lone surrogate: half a pair has no position
 * of its own.
 *
 * @throws InvalidOperationError naming the UTF-16 index of the first lone surrogate
 */
export function countWellFormed(text, what = 'text') {
    const n = text.length;
    let points = 0;
    for (let i = 0; i < n; i++) {
        const unit = text.charCodeAt(i);
        if (unit >= 0xd800 && unit <= 0xdfff) {
            if (isHigh(unit) && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
                i++;
            } else {
                throw new InvalidOperationError(`${what} has a lone surrogate U+${unit.toString(16).toUpperCase()} `
                    + `at UTF-16 index ${i}`);
            }
        }
        points++;
    }
    return points;
}

/** Whether text is well-formed UTF-16 (no lone surrogate). */
export function isWellFormed(text) {
    try {
        countWellFormed(text);
        return true;
    } catch (e) {
        return false;
    }
}

/** The number of code points in text's UTF-16 range [from, to) (a lone surrogate counts as one). */
export function codePointCount(text, from = 0, to = text.length) {
    let points = 0;
    for (let i = from; i < to; i++) {
        if (isHigh(text.charCodeAt(i)) && i + 1 < to && isLow(text.charCodeAt(i + 1))) {
            i++;
        }
        points++;
    }
    return points;
}

/** The code point position of UTF-16 index in text; an index inside a pair counts as after it. */
export function utf16ToCodePoint(text, index) {
    // codePointCount counts the high half before a split as a whole code point: "after it".
    return codePointCount(text, 0, Math.max(0, Math.min(index, text.length)));
}

/** The UTF-16 index of code point position in text, clamped to its end. */
export function codePointToUtf16(text, position) {
    return offset(text, 0, position, false, true);
}

/** The UTF-16 index points code points after UTF-16 index from; clamps at the end when asked. */
function offset(text, from, points, ascii, clamp = false) {
    if (ascii) {
        return from + points;
    }
    let i = from;
    const n = text.length;
    for (let k = 0; k < points; k++) {
        if (i >= n) {
            if (clamp) {
                return n;
            }
            throw new Error(`offset past the end: ${points} code points from ${from}`);
        }
        i += isHigh(text.charCodeAt(i)) && i + 1 < n && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
    }
    return i;
}

/** Code points [from, from + count) of text, which has textPoints code points. */
function codePointSlice(text, textPoints, from, count) {
    if (text.length === textPoints) {
        return text.slice(from, from + count);
    }
    const start = offset(text, 0, from, false);
    return text.slice(start, offset(text, start, count, false));
}

function checkNotInsidePair(document, index) {
    if (index > 0 && index < document.length && isHigh(document.charCodeAt(index - 1))
            && isLow(document.charCodeAt(index))) {
        throw new InvalidOperationError(`UTF-16 index ${index} splits a surrogate pair`);
    }
}
