/**
 * Document ids as the server accepts them (docs/PROTOCOL.md, "Concepts"): 1 to 128 of
 * A-Z a-z 0-9 . _ -, starting with a letter or digit. They are also path segments: the
 * editor of document `notes` is /d/notes.
 */

const DOCUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** What to tell a person whose name is not an id. */
export const DOCUMENT_ID_RULE = 'Use 1 to 128 letters, digits, dots, dashes and underscores, starting with a letter or digit.';

export function isDocumentId(id) {
    return typeof id === 'string' && DOCUMENT_ID.test(id);
}

/** A typed name made into an id where that is obvious: outer spaces go, inner ones become dashes. */
export function toDocumentId(name) {
    return name.trim().replace(/\s+/g, '-');
}

/** The editor page of document `id`. */
export function editorUrl(id) {
    return `/d/${encodeURIComponent(id)}`;
}
